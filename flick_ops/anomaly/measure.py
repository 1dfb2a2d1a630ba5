"""What is measured: per landed entity and ingest date before the build, per source and model after it.

Before the build, straight from the lake's files (the build has not read them yet):

* `files`, `bytes` and `rows` (lines; CSV without its header), and `row_bytes`,
  the average size of a row (a feed that drops columns sends smaller rows);
* `arrival_hour`: when the day's last file landed (its last-modified time), in
  hours after the ingest date's midnight UTC (25.5 is 01:30 the next day);
* `distinct_keys`: distinct values of the entity's key;
* `null_share.<field>`: the share of rows where a required field is missing or
  null (a malformed JSON line counts as missing everything).

After the build, from the warehouse (DuckDB):

* `quarantine_share` and `quarantine_share.<reason>`: quarantined rows of the
  ingest date over the rows that landed;
* `rows` of each watched model (a Gold mart), dated by the run.

Parsing is the costly part, so a day whose files (count, bytes, newest
modification time) are what the history already measured is not parsed again:
landed files never change, and a file landing late for an old date changes
the day's signature.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from flick_ops.lake.contract import Entity, entities

_PARTITION = re.compile(r"^ingest_date=(\d{4}-\d{2}-\d{2})$")
# Every reason a quarantine may give, in the order Silver checks them; a reason absent on a day counts as 0.
QUARANTINE_REASONS = (
    "malformed",
    "missing_required",
    "bad_type",
    "invalid_enum",
    "invalid_range",
    "future_timestamp",
    "shifted_columns",
    "orphan_reference",
    "duplicate",
)


@dataclass(frozen=True)
class Observation:
    subject: str  # a landed entity (`vendor.catalog`) or a model (`model.mart_top10_titles_daily`)
    measure: str
    day: date
    value: float
    of_rows: int | None = None  # the row count a share is of

    def as_json(self) -> dict:
        return {
            "subject": self.subject,
            "measure": self.measure,
            "day": self.day.isoformat(),
            "value": self.value,
            "of_rows": self.of_rows,
        }

    @classmethod
    def from_json(cls, row: Mapping) -> Observation:
        return cls(row["subject"], row["measure"], date.fromisoformat(row["day"]), row["value"], row.get("of_rows"))


def subject_of(entity: Entity) -> str:
    return f"{entity.source}.{entity.name}"


def landed_days(lake_root: Path) -> dict[tuple[Entity, date], list[Path]]:
    """The landed files of every contract entity, by ingest date."""
    found: dict[tuple[Entity, date], list[Path]] = {}
    for entity in entities():
        folder = Path(lake_root) / "bronze" / entity.source / entity.name
        for partition in sorted(folder.glob("ingest_date=*")) if folder.exists() else []:
            match = _PARTITION.match(partition.name)
            files = sorted(p for p in partition.glob(f"*.{entity.extension}") if not p.name.startswith("."))
            if match and files:
                found[(entity, date.fromisoformat(match.group(1)))] = files
    return found


def file_signature(entity: Entity, day: date, files: Sequence[Path]) -> list[Observation]:
    """`files`, `bytes` and `arrival_hour` of one landed day, from the file system alone."""
    stats = [path.stat() for path in files]
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    newest = max(datetime.fromtimestamp(stat.st_mtime, UTC) for stat in stats)
    subject = subject_of(entity)
    return [
        Observation(subject, "files", day, float(len(files))),
        Observation(subject, "bytes", day, float(sum(stat.st_size for stat in stats))),
        Observation(subject, "arrival_hour", day, round((newest - midnight).total_seconds() / 3600, 3)),
    ]


def measure_landed(lake_root: Path, known: Mapping[tuple[str, str, date], float]) -> list[Observation]:
    """Measure every landed day whose file signature differs from the `known` (subject, measure, day) values."""
    observations: list[Observation] = []
    changed: dict[Entity, dict[date, list[Path]]] = {}
    for (entity, day), files in landed_days(lake_root).items():
        signature = file_signature(entity, day, files)
        if all(known.get((o.subject, o.measure, o.day)) == o.value for o in signature):
            continue
        observations += signature
        changed.setdefault(entity, {})[day] = files
    with duckdb.connect() as con:
        for entity, days in changed.items():
            with contextlib.suppress(duckdb.Error):  # a file no reader can parse: its signature is all it gets
                observations += _parse_measures(con, entity, days)
    size = {(o.subject, o.day): o.value for o in observations if o.measure == "bytes"}
    observations += [
        Observation(o.subject, "row_bytes", o.day, round(size[(o.subject, o.day)] / o.value, 2))
        for o in list(observations)
        if o.measure == "rows" and o.value
    ]
    return observations


def _parse_measures(
    con: duckdb.DuckDBPyConnection, entity: Entity, days: Mapping[date, list[Path]]
) -> list[Observation]:
    files = [str(path) for paths in days.values() for path in paths]
    required = [f.name for f in entity.fields if f.required]
    key = [name for name in entity.key if name in entity.column_names]
    if entity.file_format == "jsonl":
        rows = (
            "select ingest_date, case when json_valid(value) then "
            f"json_extract_string(value, {_sql_list(f'$.{name}' for name in entity.column_names)}) end as f "
            f"from read_csv({_sql_list(files)}, columns={{'value': 'VARCHAR'}}, header=false, delim=chr(31), "
            "quote='', escape='', hive_partitioning=true, hive_types={'ingest_date': 'DATE'})"
        )
        field = {name: f"f[{i + 1}]" for i, name in enumerate(entity.column_names)}
    else:
        rows = (
            f"select * from read_csv({_sql_list(files)}, all_varchar=true, header=true, delim=',', quote='\"', "
            "escape='\"', null_padding=true, union_by_name=true, hive_partitioning=true, "
            "hive_types={'ingest_date': 'DATE'}, ignore_errors=true)"
        )
        present = {row[0] for row in con.sql(f"describe {rows}").fetchall()}
        field = {name: (f'"{name}"' if name in present else "null") for name in entity.column_names}
    nulls = ", ".join(
        f"avg(case when nullif(trim({field[name]}), '') is null then 1.0 else 0.0 end)" for name in required
    )
    key_expr = "concat_ws('|', " + ", ".join(f"coalesce({field[name]}, '')" for name in key) + ")"
    query = f"select ingest_date, count(*), count(distinct {key_expr}), {nulls} from ({rows}) group by ingest_date"
    subject = subject_of(entity)
    observations = []
    for day, count, distinct, *null_shares in con.sql(query).fetchall():
        observations += [
            Observation(subject, "rows", day, float(count)),
            Observation(subject, "distinct_keys", day, float(distinct)),
        ]
        observations += [
            Observation(subject, f"null_share.{name}", day, round(float(share), 6), count)
            for name, share in zip(required, null_shares, strict=True)
        ]
    return observations


def measure_quarantine(
    con: duckdb.DuckDBPyConnection,
    landed_rows: Mapping[tuple[str, date], float],
    days: Iterable[tuple[str, date]],
    built: Collection[str] | None = None,
) -> list[Observation]:
    """Quarantine share, overall and per reason, of each (entity, ingest date) asked for, from silver quarantine_*.

    With `built` (the models this run built), only quarantines rebuilt now are read: an older one does not hold
    the new days yet, and would pass them as clean.
    """
    # Row quarantines carry the row's ingest date; quarantine_files holds whole files and is no row share.
    tables = [
        (schema, name)
        for schema, name in con.sql(
            "select table_schema, table_name from information_schema.columns where column_name = '_ingest_date' "
            "and table_name like 'quarantine\\_%' escape '\\'"
        ).fetchall()
        if built is None or name in built
    ]
    read_sources = {name.removeprefix("quarantine_") for _schema, name in tables}
    if not tables:
        return []
    union = " union all ".join(
        f'select source_name, entity_name, cast(_ingest_date as date) as day, quarantine_reason from "{schema}"."{name}"'
        for schema, name in tables
    )
    counts: dict[tuple[str, date], dict[str, int]] = {}
    query = f"select source_name || '.' || entity_name, day, quarantine_reason, count(*) from ({union}) group by all"
    for subject, day, reason, count in con.sql(query).fetchall():
        counts.setdefault((subject, day), {})[reason] = count
    observations = []
    for subject, day in sorted(set(days)):
        landed = landed_rows.get((subject, day))
        if not landed or subject.split(".", 1)[0] not in read_sources:
            continue
        by_reason = counts.get((subject, day), {})
        total = int(landed)
        observations.append(
            Observation(subject, "quarantine_share", day, round(sum(by_reason.values()) / landed, 6), total)
        )
        observations += [
            Observation(subject, f"quarantine_share.{reason}", day, round(by_reason.get(reason, 0) / landed, 6), total)
            for reason in QUARANTINE_REASONS
        ]
    return observations


def measure_model_rows(con: duckdb.DuckDBPyConnection, relations: Mapping[str, str], day: date) -> list[Observation]:
    """Row counts of the given models (name -> `schema.table`), dated `day`."""
    return [
        Observation(f"model.{name}", "rows", day, float(con.execute(f"select count(*) from {relation}").fetchone()[0]))
        for name, relation in sorted(relations.items())
    ]


def _sql_list(values: Iterable[str]) -> str:
    return "[" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + "]"
