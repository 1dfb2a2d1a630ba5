"""When files land, and the bad days a feed can have: arrival times and planted anomalies.

Every landed file's last-modified time is set to when its source delivers it
(a source's usual hour after the ingest date's midnight, UTC, give or take a
quarter of an hour drawn from the seed and the file's path), as ADLS records
a blob's arrival. Anomaly checks read arrival from there.

Anomalies (`flick-ops generate --anomaly KIND[:SOURCE.ENTITY[.FIELD]]@YYYY-MM-DD`)
change one entity's files of one ingest date after the lake is written:

* `volume_drop`: 40% of the rows land (default `playback.events`);
* `volume_surge`: about 2.5 times the rows land, the extra ones new records
  with keys of their own, as on a title launch (default `playback.events`);
* `late_arrival`: the day's files land 8 hours late (default `reviews.scores`);
* `quarantine_spike`: every row carries a value its field's type cannot parse,
  so Silver quarantines the whole batch as `bad_type` (default
  `reviews.scores`, the first required typed field);
* `null_burst`: a field is null in every row (default
  `social.mentions.sentiment_score`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

from flick_ops.lake.contract import BOOLEAN, DATE, DECIMAL, INTEGER, TIMESTAMP, Entity, entities, entity

# When each source usually delivers a day's file, in hours after the ingest date's midnight (UTC).
ARRIVAL_HOURS = {"app": 2.0, "studio": 3.0, "vendor": 4.0, "social": 1.5, "reviews": 5.0, "playback": 24.0}
ARRIVAL_JITTER_HOURS = 0.25
LATE_BY_HOURS = 8.0
VOLUME_KEPT = 0.4
# Text the contract type cannot parse, as broken feeds send it.
UNPARSABLE = {INTEGER: "TBA", DECIMAL: "N/A", DATE: "TBA", TIMESTAMP: "not a time", BOOLEAN: "yes"}

DEFAULT_TARGETS = {
    "volume_drop": "playback.events",
    "volume_surge": "playback.events",
    "late_arrival": "reviews.scores",
    "quarantine_spike": "reviews.scores",
    "null_burst": "social.mentions.sentiment_score",
}
KINDS = tuple(DEFAULT_TARGETS)


@dataclass(frozen=True)
class PlantedAnomaly:
    kind: str
    day: date
    entity: Entity
    field: str | None

    @classmethod
    def parse(cls, text: str) -> PlantedAnomaly:
        """`KIND@YYYY-MM-DD` or `KIND:SOURCE.ENTITY[.FIELD]@YYYY-MM-DD`."""
        head, at, day = text.partition("@")
        kind, _, target = head.partition(":")
        if not at or kind not in DEFAULT_TARGETS:
            raise ValueError(
                f"{text!r}: expected KIND[:SOURCE.ENTITY[.FIELD]]@YYYY-MM-DD, KIND one of {', '.join(KINDS)}"
            )
        source, name, *field = (target or DEFAULT_TARGETS[kind]).split(".")
        try:
            chosen = entity(source, name)
            parsed_day = date.fromisoformat(day)
        except (KeyError, ValueError) as exc:
            raise ValueError(f"{text!r}: {exc}") from exc
        field_name = field[0] if field else _default_field(kind, chosen)
        if field_name is not None and field_name not in chosen.column_names:
            raise ValueError(f"{text!r}: {source}.{name} has no field {field_name!r}")
        return cls(kind, parsed_day, chosen, field_name)

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "day": self.day.isoformat(),
            "entity": f"{self.entity.source}.{self.entity.name}",
            "field": self.field,
        }


def _default_field(kind: str, chosen: Entity) -> str | None:
    if kind == "quarantine_spike":
        return next(f.name for f in chosen.fields if f.required and f.type in UNPARSABLE)
    if kind == "null_burst":
        return next(f.name for f in chosen.fields if f.required and f.name not in chosen.key)
    return None


def plant_anomalies(lake_root: Path, anomalies: Iterable[PlantedAnomaly], seed: int) -> None:
    """Change the planted days' files, then stamp every file's arrival time (late days 8 hours late)."""
    anomalies = list(anomalies)
    for anomaly in anomalies:
        files = _files_of(lake_root, anomaly)
        if not files:
            raise ValueError(f"{anomaly.kind}: no {anomaly.entity.source}.{anomaly.entity.name} files on {anomaly.day}")
        if anomaly.kind != "late_arrival":  # late files keep their content; their arrival time moves
            for path in files:
                _rewrite(path, anomaly, seed)
    late = {path for anomaly in anomalies if anomaly.kind == "late_arrival" for path in _files_of(lake_root, anomaly)}
    stamp_arrivals(lake_root, seed, late)


def stamp_arrivals(lake_root: Path, seed: int, late: Iterable[Path] = ()) -> None:
    late = {Path(path) for path in late}
    for item in entities():
        folder = Path(lake_root) / "bronze" / item.source / item.name
        for path in sorted(folder.glob("ingest_date=*/*")) if folder.exists() else []:
            day = date.fromisoformat(path.parent.name.removeprefix("ingest_date="))
            draw = int.from_bytes(hashlib.sha256(f"{seed}:{path.relative_to(lake_root)}".encode()).digest()[:4], "big")
            jitter = (draw / 2**32 * 2 - 1) * ARRIVAL_JITTER_HOURS
            hours = ARRIVAL_HOURS[item.source] + jitter + (LATE_BY_HOURS if path in late else 0.0)
            landed = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hours)
            os.utime(path, (landed.timestamp(), landed.timestamp()))


def _files_of(lake_root: Path, anomaly: PlantedAnomaly) -> list[Path]:
    folder = anomaly.entity.partition_dir(Path(lake_root), anomaly.day)
    return sorted(folder.glob(f"*.{anomaly.entity.extension}")) if folder.exists() else []


def _rewrite(path: Path, anomaly: PlantedAnomaly, seed: int) -> None:
    text = path.read_text(encoding="utf-8")
    if anomaly.entity.file_format == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        header, body = rows[0], rows[1:]
        copy = partial(_csv_copy, [header.index(k) for k in anomaly.entity.key if k in header])
        body = [_changed_csv_row(header, row, anomaly) for row in _resized(body, anomaly, seed, path, copy)]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header, *body])
        path.write_text(out.getvalue(), encoding="utf-8")
    else:
        copy = partial(_json_copy, anomaly.entity.key)
        lines = [_changed_json_line(line, anomaly) for line in _resized(text.splitlines(), anomaly, seed, path, copy)]
        path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


def _resized(rows: list, anomaly: PlantedAnomaly, seed: int, path: Path, copy: Callable) -> list:
    """The rows a volume anomaly leaves: 40% of them for a drop; each with one or two new copies for a surge."""
    salt = f"{seed}:{path.name}:{anomaly.day}"
    draws = [
        int.from_bytes(hashlib.sha256(f"{salt}:{i}".encode()).digest()[:4], "big") / 2**32 for i in range(len(rows))
    ]
    if anomaly.kind == "volume_drop":
        return [row for row, draw in zip(rows, draws, strict=True) if draw < VOLUME_KEPT]
    if anomaly.kind == "volume_surge":
        copies = [(row, 1 + (draw < 0.5)) for row, draw in zip(rows, draws, strict=True)]
        return [row for row, _ in copies] + [copy(row, n) for row, count in copies for n in range(1, count + 1)]
    return rows


def _new_key(value: object, n: int) -> object:
    if not isinstance(value, str) or not value:
        return value
    try:
        uuid.UUID(value)
    except ValueError:
        return f"{value}{n}"
    return str(uuid.UUID(bytes=hashlib.sha256(f"{value}:{n}".encode()).digest()[:16], version=4))


def _json_copy(key: tuple[str, ...], line: str, n: int) -> str:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return line
    if not isinstance(record, dict):
        return line
    record.update({name: _new_key(record.get(name), n) for name in key if name in record})
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


def _csv_copy(key_positions: list[int], row: list[str], n: int) -> list[str]:
    return [_new_key(value, n) if i in key_positions else value for i, value in enumerate(row)]


def _replacement(anomaly: PlantedAnomaly) -> str | None:
    if anomaly.kind == "null_burst":
        return None
    field = next(f for f in anomaly.entity.fields if f.name == anomaly.field)
    return UNPARSABLE.get(field.type, "TBA")


def _changed_csv_row(header: list[str], row: list[str], anomaly: PlantedAnomaly) -> list[str]:
    if anomaly.field is None or anomaly.field not in header:
        return row
    changed = list(row)
    position = header.index(anomaly.field)
    if position < len(changed):
        changed[position] = _replacement(anomaly) or ""
    return changed


def _changed_json_line(line: str, anomaly: PlantedAnomaly) -> str:
    if anomaly.field is None:
        return line
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return line  # a malformed line stays malformed
    if not isinstance(record, dict):
        return line
    record[anomaly.field] = _replacement(anomaly)
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)
