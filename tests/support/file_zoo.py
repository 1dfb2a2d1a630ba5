"""A zoo of files real sources send, each with the outcome the warehouse must give it.

Every variant is one landed file: where it lands, its bytes, and what must
become of it: its rows in Silver (`silver`), its rows in the source's
quarantine with a reason (`row_quarantine`), or the whole file in
`quarantine_files` with a reason (`file_quarantine`). The catalog variants
build their rows from scratch; the playback variants copy clean lines of the
lake they land in (a lake generated with no dirty rows) under new event ids.
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

SILVER, ROW_QUARANTINE, FILE_QUARANTINE = "silver", "row_quarantine", "file_quarantine"
CATALOG_COLUMNS = [
    "show_id",
    "type",
    "title",
    "director",
    "cast",
    "country",
    "date_added",
    "release_year",
    "rating",
    "duration",
    "listed_in",
    "description",
]


@dataclass(frozen=True)
class Variant:
    name: str
    entity: str  # "catalog" or "playback"
    file_name: str  # under the entity's folder for the landing day, unless `folder` says otherwise
    content: bytes
    outcome: str
    reason: str | None = None
    keys: tuple[str, ...] = ()  # show ids / event ids that must be in Silver
    expected_values: dict[str, dict[str, object]] = field(default_factory=dict)  # key -> Silver column -> value
    quarantined: dict[str, int] = field(default_factory=dict)  # rows of the file in the source's quarantine, by reason
    folder: str | None = None  # a landing folder other than the entity's partition for the day

    def relative_path(self, day: str) -> str:
        base = {"catalog": "bronze/vendor/catalog", "playback": "bronze/playback/events"}[self.entity]
        return f"{self.folder or f'{base}/ingest_date={day}'}/{self.file_name}"


def catalog_row(show_id: str, **overrides: str) -> dict[str, str]:
    row = {
        "show_id": show_id,
        "type": "Movie",
        "title": f"Zoo {show_id}",
        "director": "A. Director",
        "cast": "Someone, Someone Else",
        "country": "France",
        "date_added": "September 25, 2021",
        "release_year": "2019",
        "rating": "TV-14",
        "duration": "95 min",
        "listed_in": "Dramas",
        "description": "A film from the zoo.",
    }
    return row | overrides


def csv_text(rows: list[dict[str, str]], columns: list[str] = CATALOG_COLUMNS, newline: str = "\n") -> str:
    def cell(value: str) -> str:
        if any(ch in value for ch in ',"\r\n'):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [",".join(columns)] + [",".join(cell(row.get(column, "")) for column in columns) for row in rows]
    return newline.join(lines) + newline


def _ids(prefix: str, count: int = 2) -> tuple[str, ...]:
    return tuple(f"{prefix}{n}" for n in range(1, count + 1))


def catalog_variants() -> list[Variant]:
    v: list[Variant] = []

    def add(name: str, content: bytes, outcome: str, reason: str | None = None, **kw: object) -> None:
        v.append(Variant(name, "catalog", kw.pop("file_name", f"zoo-{name}.csv"), content, outcome, reason, **kw))

    ids = _ids("zcrlf")
    rows = [catalog_row(ids[0], title="Line one\r\nline two"), catalog_row(ids[1])]
    add(
        "crlf_quoted_line_break",
        csv_text(rows, newline="\r\n").encode(),
        SILVER,
        keys=ids,
        expected_values={ids[0]: {"title_name": "Line one\r\nline two"}},
    )
    ids = _ids("zcr")
    add("cr_line_ends", csv_text([catalog_row(i) for i in ids], newline="\r").encode(), SILVER, keys=ids)
    ids = _ids("zquote")
    add(
        "doubled_quotes",
        csv_text([catalog_row(ids[0], title='The "Best" Show, Again'), catalog_row(ids[1])]).encode(),
        SILVER,
        keys=ids,
        expected_values={ids[0]: {"title_name": 'The "Best" Show, Again'}},
    )
    ids = _ids("zbom")
    add("utf8_bom", b"\xef\xbb\xbf" + csv_text([catalog_row(i) for i in ids]).encode(), SILVER, keys=ids)
    ids = _ids("znoeol")
    add("no_final_newline", csv_text([catalog_row(i) for i in ids]).rstrip("\n").encode(), SILVER, keys=ids)
    ids = _ids("zblank")
    add("blank_trailing_lines", (csv_text([catalog_row(i) for i in ids]) + "\n\n\r\n").encode(), SILVER, keys=ids)
    add("header_only", csv_text([]).encode(), SILVER)
    add("zero_bytes", b"", FILE_QUARANTINE, "empty")
    ids = _ids("zgz")
    add(
        "gzip",
        gzip.compress(csv_text([catalog_row(i) for i in ids]).encode(), mtime=0),
        SILVER,
        keys=ids,
        file_name="part-00107.csv.gz",
    )
    ids = _ids("zcp")
    add(
        "windows_1252",
        csv_text([catalog_row(ids[0], title="Pokémon: l\u2019été"), catalog_row(ids[1], title="Amélie")]).encode(
            "cp1252"
        ),
        SILVER,
        keys=ids,
        expected_values={ids[0]: {"title_name": "Pokémon: l\u2019été"}, ids[1]: {"title_name": "Amélie"}},
    )
    ids = _ids("zlatin")
    add(
        "latin_1",
        csv_text([catalog_row(ids[0], title="Señor Müller"), catalog_row(ids[1])]).encode("latin-1"),
        SILVER,
        keys=ids,
        expected_values={ids[0]: {"title_name": "Señor Müller"}},
    )
    ids = _ids("zorder")
    add(
        "reordered_columns",
        csv_text([catalog_row(i) for i in ids], columns=list(reversed(CATALOG_COLUMNS))).encode(),
        SILVER,
        keys=ids,
        expected_values={ids[0]: {"title_name": f"Zoo {ids[0]}", "release_year": 2019}},
    )
    ids = _ids("zcase")
    header = [
        "Show ID",
        " Type ",
        "TITLE",
        "director",
        "Cast",
        "country",
        "Date-Added",
        "release_year",
        "rating",
        "duration",
        "listed in",
        "description",
    ]
    body = csv_text([catalog_row(i) for i in ids]).split("\n", 1)[1]
    add("header_case_and_spacing", (",".join(header) + "\n" + body).encode(), SILVER, keys=ids)
    ids = _ids("zextra")
    rows = [catalog_row(i) | {"imdb_id": f"tt{n:07d}"} for n, i in enumerate(ids)]
    add("extra_column", csv_text(rows, columns=[*CATALOG_COLUMNS, "imdb_id"]).encode(), SILVER, keys=ids)
    ids = _ids("zopt")
    add(
        "missing_optional_columns",
        csv_text(
            [catalog_row(i) for i in ids], columns=[c for c in CATALOG_COLUMNS if c not in ("cast", "rating")]
        ).encode(),
        SILVER,
        keys=ids,
    )
    add(
        "missing_required_column",
        csv_text([catalog_row("zmiss1")], columns=[c for c in CATALOG_COLUMNS if c != "title"]).encode(),
        FILE_QUARANTINE,
        "missing_required_column",
    )
    add(
        "duplicate_column",
        csv_text([catalog_row("zdup1")], columns=[*CATALOG_COLUMNS, "title"]).encode(),
        FILE_QUARANTINE,
        "duplicate_column",
    )
    add("binary_named_csv", random.Random(7).randbytes(4096), FILE_QUARANTINE, "not_csv")
    ids = _ids("zwide", 3)
    text = csv_text([catalog_row(i) for i in ids])
    lines = text.split("\n")
    lines[2] += ",surplus field"
    add(
        "too_wide_row",
        "\n".join(lines).encode(),
        ROW_QUARANTINE,
        keys=(ids[0], ids[2]),
        quarantined={"malformed": 1},
    )
    ids = _ids("znul", 2)
    add(
        "nul_byte_in_field",
        csv_text([catalog_row(ids[0], title="Nul\x00Title"), catalog_row(ids[1])]).encode(),
        ROW_QUARANTINE,
        keys=(ids[1],),
        quarantined={"malformed": 1},
    )
    ids = _ids("zlong")
    long_text = "Long synopsis. " * 200_000  # 3 MB in one field
    add(
        "very_long_field",
        csv_text([catalog_row(ids[0], description=long_text), catalog_row(ids[1])]).encode(),
        SILVER,
        keys=ids,
        expected_values={ids[0]: {"description": long_text.strip()}},
    )
    add(
        "unterminated_quote",
        (csv_text([catalog_row("zunterm1")]) + 'zunterm2,Movie,"Never closed,x,y\n').encode(),
        FILE_QUARANTINE,
        "not_csv",
    )
    ids = _ids("zus")
    add(
        "us_dates",
        csv_text([catalog_row(ids[0], date_added="9/25/2021"), catalog_row(ids[1], date_added="10/3/2021")]).encode(),
        SILVER,
        keys=ids,
        expected_values={ids[0]: {"date_added": "2021-09-25"}, ids[1]: {"date_added": "2021-10-03"}},
    )
    add(
        "ambiguous_dates",
        csv_text([catalog_row("zamb1", date_added="3/4/2021"), catalog_row("zamb2", date_added="5/6/2021")]).encode(),
        FILE_QUARANTINE,
        "ambiguous_date_format",
    )
    ids = _ids("ziso")
    add(
        "iso_dates",
        csv_text([catalog_row(i, date_added="2021-09-25") for i in ids]).encode(),
        SILVER,
        keys=ids,
        expected_values={ids[0]: {"date_added": "2021-09-25"}},
    )
    ids = _ids("zbadutf", 2)
    good = csv_text([catalog_row(ids[1], title="Café Society")]).encode()
    bad = csv_text([catalog_row(ids[0], title="Broken")]).split("\n")[1].encode().replace(b"Broken", b"Bro\xffken")
    add("invalid_utf8_in_one_row", good + bad + b"\n", ROW_QUARANTINE, keys=(ids[1],), quarantined={"malformed": 1})
    add(
        "wrong_extension",
        csv_text([catalog_row("zext1")]).encode(),
        FILE_QUARANTINE,
        "unexpected_file_type",
        file_name="zoo-wrong_extension.txt",
    )
    add(
        "outside_partition",
        csv_text([catalog_row("zstray1")]).encode(),
        FILE_QUARANTINE,
        "bad_partition",
        folder="bronze/vendor/catalog",
    )
    add(
        "unknown_entity",
        csv_text([catalog_row("zposter1")]).encode(),
        FILE_QUARANTINE,
        "unknown_entity",
        folder="bronze/vendor/posters/ingest_date=2026-10-03",
    )
    add(
        "corrupt_gzip",
        b"\x1f\x8b\x08\x00 this is not deflate data",
        FILE_QUARANTINE,
        "unreadable_compression",
        file_name="part-00131.csv.gz",
    )
    return v


def playback_variants(clean_lines: list[str]) -> list[Variant]:
    """Variants of the playback feed, from clean landed lines given new event ids."""
    v: list[Variant] = []
    source = iter(clean_lines)

    def events(prefix: str, count: int = 2) -> tuple[tuple[str, ...], list[str]]:
        ids = _ids(f"zoo-{prefix}-", count)
        return ids, [json.dumps(json.loads(next(source)) | {"event_id": i}) for i in ids]

    def add(name: str, content: bytes, outcome: str, reason: str | None = None, **kw: object) -> None:
        v.append(Variant(name, "playback", kw.pop("file_name", f"zoo-{name}.jsonl"), content, outcome, reason, **kw))

    ids, lines = events("crlf")
    add("jsonl_crlf", ("\r\n".join(lines) + "\r\n").encode(), SILVER, keys=ids)
    ids, lines = events("bom")
    add("jsonl_bom", b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode(), SILVER, keys=ids)
    ids, lines = events("blank")
    add("jsonl_blank_lines", ("\n\n" + "\n\n".join(lines) + "\n\n").encode(), SILVER, keys=ids)
    ids, lines = events("badutf")
    broken = lines[0].replace('"device": "', '"device": "\udcff').encode("utf-8", errors="surrogateescape")
    add(
        "jsonl_invalid_utf8_line",
        broken + b"\n" + lines[1].encode() + b"\n",
        ROW_QUARANTINE,
        keys=ids[1:],
        quarantined={"malformed": 1},
    )
    ids, lines = events("array")
    add(
        "jsonl_array_and_scalar_lines",
        ("\n".join([lines[0], "[1, 2, 3]", '"just a string"', "42"]) + "\n").encode(),
        ROW_QUARANTINE,
        keys=ids[:1],
        quarantined={"malformed": 3},
    )
    ids, lines = events("nested")
    nested = json.dumps(json.loads(lines[0]) | {"position_ms": {"value": 12}})
    add(
        "jsonl_object_for_scalar",
        (nested + "\n" + lines[1] + "\n").encode(),
        ROW_QUARANTINE,
        keys=ids[1:],
        quarantined={"bad_type": 1},
    )
    add("jsonl_random_bytes", random.Random(11).randbytes(4096), FILE_QUARANTINE, "not_json_lines")
    ids, lines = events("gz")
    add(
        "jsonl_gzip",
        gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0),
        SILVER,
        keys=ids,
        file_name="part-00207.jsonl.gz",
    )
    add("jsonl_zero_bytes", b"", FILE_QUARANTINE, "empty")
    add("jsonl_csv_content", b"event_id,session_id\nx1,s1\nx2,s2\n", FILE_QUARANTINE, "not_json_lines")
    ids, lines = events("ctrl")
    with_control = lines[0].replace('"device": "', '"device": "\x1f')
    add(
        "jsonl_control_character",
        (with_control + "\n" + lines[1] + "\n").encode(),
        ROW_QUARANTINE,
        keys=ids[1:],
        quarantined={"malformed": 1},
    )
    ids, lines = events("utf16")
    add("jsonl_utf16", ("\n".join(lines) + "\n").encode("utf-16"), SILVER, keys=ids)
    return v


def land(lake: Path, variant: Variant, day: str) -> Path:
    path = lake / variant.relative_path(day)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(variant.content)
    return path


def clean_playback_lines(lake: Path, day: str, count: int) -> list[str]:
    """Heartbeats of the landing day (from a lake with no dirty rows): valid events whose copies stay valid."""
    path = lake / "bronze" / "playback" / "events" / f"ingest_date={day}" / "part-00000.jsonl"
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if json.loads(line)["event_type"] == "heartbeat"
    ]
    return lines[:count]
