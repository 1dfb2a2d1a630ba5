"""The intake: every file landed in the lake is read, or quarantined as a file, before any model reads it.

Sources send what they send: CRLF line ends, byte-order marks, gzip, Windows-1252
text, a header in another order, an extra column, a binary file with a ``.csv``
name. Bronze reads only files the intake has checked, so one odd file costs that
file, never the warehouse.

For each landed file under ``<lake>/bronze/<source>/<entity>/ingest_date=YYYY-MM-DD/``
the intake writes one of two outcomes:

* **read**: a canonical copy at the same path under ``<lake>/_intake/`` (UTF-8,
  ``\\n`` line ends (CSV: CRLF, as RFC 4180 has it), no byte-order mark, not compressed; CSV with the contract's
  columns in the contract's order plus ``_raw_payload``, the row as landed, and
  ``_intake_issue``, what made the row unreadable). A file that is already
  canonical is hard-linked, not copied.
* **quarantined**: no copy; the reason (``empty``, ``not_csv``, ``not_json_lines``,
  ``unreadable_encoding``, ``unreadable_compression``, ``missing_required_column``,
  ``duplicate_column``, ``ambiguous_date_format``, ``line_too_long``,
  ``unexpected_file_type``, ``unknown_entity``, ``bad_partition``) and a detail.

Both go into the manifest ``<lake>/_intake/landed_files.parquet``, one row per
landed file, which dbt reads as ``source('intake', 'landed_files')``. Rows the
intake cannot carry as they are stay rows: a CSV row wider than its header, or
holding control characters or bytes that are not UTF-8, is written with an
``_intake_issue`` and Silver quarantines it as ``malformed``; a JSON line keeps
such bytes as ``\\xNN`` text, which is not JSON, so Silver does the same.
Nothing is dropped: blank lines carry no record and are counted.

A file is checked once: the manifest remembers its size and modification time.
Landed files never change in place, so a changed one is checked again.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import fcntl
import gzip
import io
import json
import os
import re
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from flick_ops.lake.contract import PROJECT_ROOT, Entity, landed_entities

INTAKE_DIR = "_intake"
MANIFEST_NAME = "landed_files.parquet"
READ, QUARANTINED = "read", "quarantined"
# A CSV row longer than this is not a record any feed sends; the CSV sources' readers are
# configured with the same ceiling (max_line_size in the source YAML). Their files are small.
MAX_LINE_BYTES = 64 * 1024 * 1024
# JSON lines are read with DuckDB's default line ceiling (2 MiB): a larger one makes DuckDB
# size every read buffer to it, and the playback stream's 100+ MB files then exhaust memory.
MAX_JSON_LINE_BYTES = 2_000_000
# Share of control bytes (other than tab, CR, LF) above which a file is not text.
_BINARY_SHARE = 0.01
_SAMPLE_BYTES = 64 * 1024
# Files large enough that checking them is worth a progress line.
_PROGRESS_BYTES = 16 * 1024 * 1024

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL_BYTE_SET = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Control characters, and the stand-ins surrogateescape gives bytes that were not valid text.
_UNCARRIABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\udc80-\udcff]")
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_PARTITION = re.compile(r"ingest_date=(\d{4}-\d{2}-\d{2})$")
_VALID_NAME = re.compile(r"^[^_.].*\.(csv|jsonl)(\.gz)?$")


@dataclass(frozen=True)
class LandedFile:
    """One landed file and what the intake made of it: a row of the manifest."""

    source: str
    entity: str
    landed_file: str  # relative to the lake root: bronze/<source>/<entity>/ingest_date=.../<name>
    ingest_date: date | None
    size_bytes: int
    modified_ns: int
    status: str  # read or quarantined
    reason: str | None = None
    detail: str | None = None
    intake_file: str | None = None  # relative to the lake root, as Bronze rows name it in _source_file
    encoding: str | None = None
    records: int = 0
    blank_lines: int = 0
    flagged_records: int = 0
    unknown_columns: str | None = None  # JSON: [{"column": ..., "first_values": [...]}]
    value_formats: str | None = None  # JSON: {"column": "format"}
    checked_at: datetime | None = None

    @property
    def is_quarantined(self) -> bool:
        return self.status == QUARANTINED

    def describe(self) -> str:
        if self.is_quarantined:
            return f"{self.landed_file}: quarantined as {self.reason}: {self.detail}"
        notes = []
        if self.flagged_records:
            notes.append(f"{self.flagged_records} unreadable row(s) go to quarantine")
        if self.unknown_columns:
            names = ", ".join(item["column"] for item in json.loads(self.unknown_columns))
            notes.append(f"columns the contract does not know: {names} (kept in _raw_payload)")
        return f"{self.landed_file}: read, {self.records} rows" + (f"; {'; '.join(notes)}" if notes else "")


@dataclass(frozen=True)
class IntakeReport:
    files: tuple[LandedFile, ...]
    checked: int  # files looked at this time (new or changed); the rest were known

    @property
    def quarantined(self) -> tuple[LandedFile, ...]:
        return tuple(f for f in self.files if f.is_quarantined)

    @property
    def drifted(self) -> tuple[LandedFile, ...]:
        return tuple(f for f in self.files if f.unknown_columns)

    @property
    def flagged(self) -> tuple[LandedFile, ...]:
        return tuple(f for f in self.files if f.flagged_records)

    @property
    def noteworthy(self) -> tuple[LandedFile, ...]:
        """Files an operator should hear about: quarantined, drifted, or holding unreadable rows; each once."""
        return tuple(dict.fromkeys((*self.quarantined, *self.drifted, *self.flagged)))

    def describe(self) -> str:
        return (
            f"{len(self.files)} landed files ({self.checked} new or changed): "
            f"{len(self.files) - len(self.quarantined)} read, {len(self.quarantined)} quarantined, "
            f"{len(self.drifted)} with columns the contract does not know, "
            f"{sum(f.flagged_records for f in self.files)} unreadable rows"
        )


class _Quarantine(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


@dataclass
class _Checked:
    """What checking one file's content gave: the canonical bytes (None: link the landed file as it is)."""

    content: bytes | None
    encoding: str = "utf-8"
    records: int = 0
    blank_lines: int = 0
    flagged_records: int = 0
    unknown_columns: list[dict] = field(default_factory=list)
    value_formats: dict[str, str] = field(default_factory=dict)


def intake_root(lake_root: Path) -> Path:
    return Path(lake_root) / INTAKE_DIR


def run_intake(
    lake_root: Path,
    project_dir: Path = PROJECT_ROOT,
    *,
    progress: Callable[[str], None] | None = None,
) -> IntakeReport:
    """Bring the intake zone and its manifest up to date with what has landed; returns every landed file's outcome."""
    lake_root = Path(lake_root)
    if not (lake_root / "bronze").is_dir():
        raise FileNotFoundError(f"no lake at {lake_root}: nothing has landed under {lake_root / 'bronze'}")
    root = intake_root(lake_root)
    root.mkdir(parents=True, exist_ok=True)
    entities = landed_entities(project_dir)
    with _locked(root / ".lock"):
        known = {f.landed_file: f for f in read_manifest(lake_root)}
        outcomes: list[LandedFile] = []
        checked = 0
        for path in _landed_paths(lake_root):
            relative = path.relative_to(lake_root).as_posix()
            stat = path.stat()
            previous = known.get(relative)
            if previous and _still_valid(previous, stat, lake_root):
                outcomes.append(previous)
                continue
            checked += 1
            if progress and stat.st_size >= _PROGRESS_BYTES:
                progress(f"checking {relative} ({stat.st_size:,} bytes)")
            outcomes.append(_take_in(path, relative, stat, entities, lake_root))
        _remove_stale_copies(root, {f.intake_file for f in outcomes if f.intake_file})
        write_manifest(lake_root, outcomes)
    return IntakeReport(files=tuple(outcomes), checked=checked)


def read_manifest(lake_root: Path) -> list[LandedFile]:
    import pyarrow.parquet as pq

    path = intake_root(lake_root) / MANIFEST_NAME
    if not path.exists():
        return []
    return [LandedFile(**row) for row in pq.read_table(path).to_pylist()]


def write_manifest(lake_root: Path, files: list[LandedFile]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("source", pa.string()),
            ("entity", pa.string()),
            ("landed_file", pa.string()),
            ("ingest_date", pa.date32()),
            ("size_bytes", pa.int64()),
            ("modified_ns", pa.int64()),
            ("status", pa.string()),
            ("reason", pa.string()),
            ("detail", pa.string()),
            ("intake_file", pa.string()),
            ("encoding", pa.string()),
            ("records", pa.int64()),
            ("blank_lines", pa.int64()),
            ("flagged_records", pa.int64()),
            ("unknown_columns", pa.string()),
            ("value_formats", pa.string()),
            ("checked_at", pa.timestamp("us", tz="UTC")),
        ]
    )
    path = intake_root(lake_root) / MANIFEST_NAME
    temporary = path.with_suffix(".tmp")
    rows = sorted((asdict(f) for f in files), key=lambda row: row["landed_file"])
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), temporary)
    os.replace(temporary, path)
    return path


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _landed_paths(lake_root: Path) -> list[Path]:
    """Every file under bronze/, but markers and hidden files (`_SUCCESS`, `.crc`) that carry no data."""
    bronze = lake_root / "bronze"
    if not bronze.is_dir():
        return []
    return sorted(
        path
        for path in bronze.rglob("*")
        if path.is_file() and not any(part.startswith((".", "_")) for part in path.relative_to(bronze).parts)
    )


def _still_valid(previous: LandedFile, stat: os.stat_result, lake_root: Path) -> bool:
    if (previous.size_bytes, previous.modified_ns) != (stat.st_size, stat.st_mtime_ns):
        return False
    return previous.is_quarantined or (intake_root(lake_root) / previous.intake_file).exists()


def _remove_stale_copies(root: Path, current: set[str]) -> None:
    """Copies whose landed file left the lake (or is now quarantined) leave the intake zone with it."""
    bronze = root / "bronze"
    if not bronze.is_dir():
        return
    for path in bronze.rglob("*"):
        if path.is_file() and path.relative_to(root).as_posix() not in current:
            path.unlink()


def _take_in(
    path: Path, relative: str, stat: os.stat_result, entities: Mapping[tuple[str, str], Entity], lake_root: Path
) -> LandedFile:
    parts = Path(relative).parts  # bronze, source, entity, partition, name
    source, entity_name = (parts[1], parts[2]) if len(parts) >= 3 else ("", "")
    partition = _PARTITION.match(parts[3]) if len(parts) == 5 else None
    landed = LandedFile(
        source=source,
        entity=entity_name,
        landed_file=relative,
        ingest_date=date.fromisoformat(partition[1]) if partition else None,
        size_bytes=stat.st_size,
        modified_ns=stat.st_mtime_ns,
        status=QUARANTINED,
        checked_at=datetime.now(UTC),
    )
    try:
        entity = entities.get((source, entity_name))
        if entity is None:
            raise _Quarantine("unknown_entity", f"no source table reads bronze/{source}/{entity_name}")
        if partition is None:
            raise _Quarantine("bad_partition", "not in an ingest_date=YYYY-MM-DD folder of its entity")
        name = path.name
        if not _VALID_NAME.match(name) or not name.removesuffix(".gz").endswith(f".{entity.file_format}"):
            raise _Quarantine(
                "unexpected_file_type", f"{entity.source}.{entity.name} lands .{entity.file_format}[.gz] files"
            )
        data = _decompressed(path)
        checked = _check_csv(data, entity) if entity.file_format == "csv" else _check_jsonl(data, entity)
    except _Quarantine as refused:
        return replace(landed, reason=refused.reason, detail=refused.detail)
    intake_relative = Path(relative).with_name(path.name.removesuffix(".gz")).as_posix()
    content = data if checked.content is None and name.endswith(".gz") else checked.content
    _write_copy(path, content, intake_root(lake_root) / intake_relative)
    return replace(
        landed,
        status=READ,
        intake_file=intake_relative,
        encoding=checked.encoding,
        records=checked.records,
        blank_lines=checked.blank_lines,
        flagged_records=checked.flagged_records,
        unknown_columns=json.dumps(checked.unknown_columns) if checked.unknown_columns else None,
        value_formats=json.dumps(checked.value_formats) if checked.value_formats else None,
    )


def _decompressed(path: Path) -> bytes:
    data = path.read_bytes()
    if not path.name.endswith(".gz"):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        raise _Quarantine("unreadable_compression", f"not a readable gzip file: {error}") from None


def _write_copy(landed: Path, content: bytes | None, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.unlink(missing_ok=True)
    if content is None:
        try:
            os.link(landed, temporary)
        except OSError:  # another file system: copy
            temporary.write_bytes(landed.read_bytes())
    else:
        temporary.write_bytes(content)
    os.replace(temporary, target)


def _refuse_binary(data: bytes, reason: str) -> None:
    """Binary content: not UTF-8 and full of control bytes. Text that is UTF-8 keeps its rows, flagged one by one."""
    sample = data[:_SAMPLE_BYTES]
    controls = len(_CONTROL_BYTES.findall(sample))
    if controls <= max(2, len(sample) * _BINARY_SHARE):
        return
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        raise _Quarantine(reason, f"binary content: {controls} control bytes in the first {len(sample):,}") from None


def _decode(data: bytes, entity: Entity, reason_if_binary: str, *, detect_legacy: bool) -> tuple[str, str, bool]:
    """The file's text, the encoding it was read with, and whether some bytes were not valid in it.

    Not UTF-8 and holding no UTF-8 sequence beyond ASCII: a legacy encoding, the
    feed's declared one first, else (where `detect_legacy`) Windows-1252, then
    Latin-1. Mostly UTF-8 with a few bad bytes: UTF-8, the bad bytes kept as
    `\\xNN` in the rows that hold them, which are flagged.
    """
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), "utf-16", False
        except UnicodeDecodeError as error:
            raise _Quarantine("unreadable_encoding", f"a UTF-16 byte-order mark, but not UTF-16: {error}") from None
    _refuse_binary(data, reason_if_binary)
    data = data.removeprefix(_UTF8_BOM)
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    declared = [name for name in entity.encodings if name.lower().replace("_", "-") not in ("utf-8", "utf8")]
    candidates = [*declared, *(["windows-1252", "latin-1"] if detect_legacy else [])]
    if candidates and not _has_utf8_sequences(data):
        for name in candidates:
            try:
                return data.decode(name), name, False
            except UnicodeDecodeError:
                continue
    return data.decode("utf-8", errors="surrogateescape"), "utf-8", True


def _has_utf8_sequences(data: bytes) -> bool:
    return re.search(rb"[\xc2-\xf4][\x80-\xbf]+", data) is not None


def _visible(text: str) -> str:
    """Text with every byte that was not valid and every control character spelled `\\xNN`, so any reader carries it."""
    if not _UNCARRIABLE.search(text):
        return text
    text = text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="backslashreplace")
    return _CONTROL_CHARS.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


def _needs_escape(text: str) -> bool:
    return _UNCARRIABLE.search(text) is not None


# JSON lines ---------------------------------------------------------------------------------------


def _check_jsonl(data: bytes, entity: Entity) -> _Checked:
    if not data.strip():
        raise _Quarantine("empty", "no data: zero bytes or only blank lines")
    if _is_canonical_jsonl(data):
        lines = data.count(b"\n")
        if not (data.startswith(b"{") or b"\n{" in data):
            raise _Quarantine("not_json_lines", f"none of its {lines} lines is a JSON object")
        return _Checked(content=None, records=lines)
    text, encoding, _ = _decode(data, entity, "not_json_lines", detect_legacy=False)
    lines = re.split(r"\r\n|\r|\n", text)
    records, blank, flagged = [], 0, 0
    for line in lines:
        if not line.strip():
            blank += 1
            continue
        if len(line) > MAX_JSON_LINE_BYTES // 4 and len(line.encode("utf-8", "surrogateescape")) > MAX_JSON_LINE_BYTES:
            raise _Quarantine(
                "line_too_long", f"a line of {len(line):,} characters (limit {MAX_JSON_LINE_BYTES:,} bytes)"
            )
        visible = _visible(line.removeprefix("\ufeff"))
        flagged += visible != line
        records.append(visible)
    if text.endswith(("\n", "\r")):
        blank -= 1  # the final line end closes the last line; it is not a blank line
    if not any(line.lstrip().startswith("{") for line in records):
        raise _Quarantine("not_json_lines", f"none of its {len(records)} lines is a JSON object")
    content = ("\n".join(records) + "\n").encode("utf-8")
    return _Checked(
        content=content, encoding=encoding, records=len(records), blank_lines=max(blank, 0), flagged_records=flagged
    )


def _is_canonical_jsonl(data: bytes) -> bool:
    """UTF-8, `\\n` only, no blank line, no control byte, ends with a line end: readable as landed.

    Written for the largest feed (Event Hubs capture files of 100+ MB): each
    test is one pass in C over the bytes.
    """
    if data.startswith(_UTF8_BOM) or b"\r" in data or b"\n\n" in data or data[:1] == b"\n" or data[-1:] != b"\n":
        return False
    if len(data.translate(None, _CONTROL_BYTE_SET)) != len(data):
        return False
    if len(data) > MAX_JSON_LINE_BYTES and _longest_line(data) > MAX_JSON_LINE_BYTES:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _longest_line(data: bytes) -> int:
    import numpy as np

    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
    return int(np.diff(ends, prepend=-1).max()) if len(ends) else len(data)


# CSV ----------------------------------------------------------------------------------------------


def _normalised_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").strip().lower())


def _check_csv(data: bytes, entity: Entity) -> _Checked:
    if not data.strip():
        raise _Quarantine("empty", "no data: zero bytes or only blank lines, not even a header")
    text, encoding, has_bad_bytes = _decode(data, entity, "not_csv", detect_legacy=True)
    csv.field_size_limit(MAX_LINE_BYTES)
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    try:
        records = list(reader)
    except csv.Error as error:
        raise _Quarantine("not_csv", f"not RFC 4180 CSV at line {reader.line_num}: {error}") from None
    blank = sum(1 for record in records if not record or record == [""])
    records = [record for record in records if record and record != [""]]
    header, rows = records[0], records[1:]
    positions = _match_header(header, entity)
    unknown = [index for index, name in enumerate(header) if index not in positions.values()]
    formats = _decide_formats(rows, positions, entity)

    out = io.StringIO(newline="")
    # CRLF, as RFC 4180 has it: the csv module then quotes a field holding a lone CR too.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*entity.column_names, "_raw_payload", "_intake_issue"])
    flagged = 0
    for row in rows:
        issue = None
        if len(row) > len(header):
            issue = f"{len(row)} fields for a header of {len(header)}"
        bad_field = next((header_name(header, i) for i, value in enumerate(row) if _needs_escape(value)), None)
        if issue is None and bad_field is not None:
            what = "bytes that are not " + encoding if has_bad_bytes else "control characters"
            issue = f"{bad_field} holds {what}"
        flagged += issue is not None
        values = [_visible(value) for value in row]
        cells = []
        for column in entity.fields:
            index = positions.get(column.name)
            value = values[index] if index is not None and index < len(values) else ""
            chosen = formats.get(column.name)
            if chosen and value.strip():
                value = _reformatted(value, chosen)
            cells.append(value)
        writer.writerow([*cells, _raw_payload(header, values, positions, unknown), issue or ""])
    drift = [
        {"column": header[index], "first_values": [row[index] for row in rows[:3] if index < len(row)]}
        for index in unknown
    ]
    return _Checked(
        content=out.getvalue().encode("utf-8"),
        encoding=encoding,
        records=len(rows),
        blank_lines=blank,
        flagged_records=flagged,
        unknown_columns=drift,
        value_formats=formats,
    )


def header_name(header: list[str], index: int) -> str:
    return header[index] if index < len(header) else f"field {index + 1}"


def _match_header(header: list[str], entity: Entity) -> dict[str, int]:
    """Contract column -> its position in the file, matched whatever the case, spacing or order."""
    normalised = [_normalised_header(name) for name in header]
    repeated = sorted({name for name in normalised if normalised.count(name) > 1 and name})
    if repeated:
        raise _Quarantine("duplicate_column", f"the header names {', '.join(repeated)} more than once")
    positions = {column.name: normalised.index(column.name) for column in entity.fields if column.name in normalised}
    if not positions:
        raise _Quarantine(
            "missing_required_column", f"the first line names none of the contract's columns: {','.join(header)[:200]}"
        )
    missing = [column.name for column in entity.fields if column.required and column.name not in positions]
    if missing:
        raise _Quarantine("missing_required_column", f"no {', '.join(missing)} column in the header")
    return positions


def _raw_payload(header: list[str], values: list[str], positions: dict[str, int], unknown: list[int]) -> str:
    """The row as landed, as a JSON object: the contract's columns in its order, then unknown ones, then surplus fields."""
    payload: dict[str, object] = {}
    for name, index in positions.items():
        payload[name] = values[index] if index < len(values) and values[index] != "" else None
    for index in unknown:
        payload[header[index]] = values[index] if index < len(values) and values[index] != "" else None
    if len(values) > len(header):
        payload["_surplus"] = values[len(header) :]
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _parses(value: str, pattern: str) -> date | None:
    try:
        return datetime.strptime(value.strip(), pattern).date()
    except ValueError:
        return None


def _decide_formats(rows: list[list[str]], positions: dict[str, int], entity: Entity) -> dict[str, str]:
    """Per column with declared formats, the one this file uses, decided from all its values.

    The format parsing the most values wins; when two formats parse the same
    values but read some of them as different dates (`3/4/2021`), the file
    cannot say which it means and is quarantined, never guessed.
    """
    chosen: dict[str, str] = {}
    for column in entity.fields:
        index = positions.get(column.name)
        if not column.formats or index is None:
            continue
        values = [row[index].strip() for row in rows if index < len(row) and row[index].strip()]
        if not values:
            continue
        readings = {pattern: [_parses(value, pattern) for value in values] for pattern in column.formats}
        counts = {pattern: sum(parsed is not None for parsed in dates) for pattern, dates in readings.items()}
        best = max(counts.values())
        if best == 0:
            continue
        leaders = [pattern for pattern in column.formats if counts[pattern] == best]
        if any(readings[other] != readings[leaders[0]] for other in leaders[1:]):
            raise _Quarantine(
                "ambiguous_date_format",
                f"{column.name}: every value reads as {' and as '.join(leaders)} with different dates "
                f"(e.g. {values[0]}); the file cannot say which it means",
            )
        chosen[column.name] = leaders[0]
    return chosen


def _reformatted(value: str, pattern: str) -> str:
    parsed = _parses(value, pattern)
    return parsed.isoformat() if parsed else value
