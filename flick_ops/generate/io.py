"""Vectorised writers for landed files: JSON lines and CSV, byte-deterministic.

Clean rows are serialised column-wise by DuckDB (no Python loop per row); the
few dirty rows a generator plants are then swapped in as whole lines, so a
malformed or mistyped line is exactly the text a broken feed would send.

``land_jsonl`` and ``land_csv`` do both for one landed entity: they plant the
entity's dirty rows at the configured rate, split the rows into one file per
ingest day, write the files at the contract's paths and count what they wrote.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from flick_ops.generate.summary import EntityStats
from flick_ops.lake.contract import TIMESTAMP, Entity


def _arrow_table(columns: Mapping[str, np.ndarray | Sequence]) -> pa.Table:
    arrays = {}
    for name, values in columns.items():
        if isinstance(values, np.ndarray) and values.dtype.kind in "OUS":
            arrays[name] = pa.array(values.tolist(), type=pa.string())
        else:
            arrays[name] = pa.array(values)
    return pa.table(arrays)


def jsonl_lines(columns: Mapping[str, np.ndarray | Sequence]) -> list[str]:
    """One JSON object per row, keys in the mapping's order, nulls written as `null`.

    Floats are written by DuckDB's shortest round-trip formatting, so the same
    input always gives the same text.
    """
    table = _arrow_table(columns)
    if table.num_rows == 0:
        return []
    with duckdb.connect() as con:
        con.register("rows_in", table)
        struct = ", ".join(f'"{name}" := "{name}"' for name in table.column_names)
        lines = con.sql(f"select to_json(struct_pack({struct}))::varchar as line from rows_in").fetchnumpy()["line"]
    return lines.tolist()


def write_lines(path: Path, lines: Sequence[str]) -> int:
    """Write text lines with `\\n` endings; returns the number of lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        if lines:
            handle.write("\n".join(lines))
            handle.write("\n")
    return len(lines)


def csv_text(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """RFC 4180 CSV (minimal quoting, `\\n` line ends); None becomes an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue()


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> int:
    """Write a CSV file; returns the number of data rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(csv_text(header, rows))
    return len(rows)


# ---- landing: clean rows plus planted dirty rows, one file per ingest day --------------------

Record = dict[str, object]
Mutation = Callable[[Record, np.random.Generator], None]

# Below this many rows an entity gets dirty rows only in proportion to its size;
# from it on every kind that applies shows up at least once, so tests and
# quarantine checks always have one of each to find.
MIN_ROWS_FOR_EVERY_KIND = 100


def set_to(field_name: str, *values: object) -> Mutation:
    """A mutation that writes one of `values` into a field."""

    def mutate(record: Record, rng: np.random.Generator) -> None:
        record[field_name] = values[int(rng.integers(len(values)))]

    return mutate


@dataclass(frozen=True)
class Faults:
    """How the rows of one entity go wrong.

    `required` lists the fields a row may lose (missing_required); `mutations`
    maps each entity-specific dirty kind to the ways a row can carry it. The
    landing functions add `malformed` (JSON lines only) and `duplicate` (when a
    later file exists to re-deliver into) for every entity. `eligible` limits
    a kind to the rows (a boolean mask in landing order) that can carry it.
    """

    required: tuple[str, ...]
    mutations: Mapping[str, tuple[Mutation, ...]] = field(default_factory=dict)
    eligible: Mapping[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class Landing:
    """Where an entity's files go and how dirty they should be."""

    lake_root: Path
    dates: Sequence[date]
    dirty_rate: float
    not_after: str | None = None  # rows with a timestamp after this (lake text, to the second) do not land


def _captured(
    landing: Landing, entity: Entity, day: np.ndarray, columns: Mapping[str, np.ndarray | Sequence]
) -> tuple[np.ndarray, Mapping[str, np.ndarray | Sequence]]:
    """The rows stamped no later than the capture moment: a lake read now holds nothing from the future."""
    if landing.not_after is None:
        return day, columns
    keep = np.ones(len(day), dtype=bool)
    for name in (f.name for f in entity.fields if f.type == TIMESTAMP and f.name in columns):
        text = np.array([value[:19] if isinstance(value, str) else "" for value in columns[name]], dtype=object)
        keep &= text <= landing.not_after
    if keep.all():
        return day, columns
    rows = np.flatnonzero(keep)
    return day[rows], {
        name: values[rows] if isinstance(values, np.ndarray) else [values[row] for row in rows]
        for name, values in columns.items()
    }


def land_jsonl(
    landing: Landing,
    entity: Entity,
    day: np.ndarray,
    columns: Mapping[str, np.ndarray | Sequence],
    faults: Faults,
    rng: np.random.Generator,
) -> EntityStats:
    """Write rows (sorted by `day`, the ingest day index) as JSON lines with dirty rows planted."""
    day, columns = _captured(landing, entity, day, columns)
    stats = EntityStats(entity.source, entity.name)
    lines = jsonl_lines(columns)
    kinds = ["malformed", *(["missing_required"] if faults.required else []), *faults.mutations]
    plan = _plan_dirty(landing, day, kinds, _resendable(day, set()), faults.eligible, rng)
    for kind, rows in plan.items():
        stats.plant(kind, len(rows))
        if kind == "duplicate":
            continue  # re-delivered unchanged into a later file below
        for row in rows:
            lines[row] = _spoil_line(lines[row], kind, faults, rng)
    for file_day, rows, resent in _files(day, plan.get("duplicate", np.empty(0, np.int64)), set(), rng):
        file_lines = [lines[row] for row in rows] + [lines[row] for row in resent]
        path = entity.file_path(landing.lake_root, landing.dates[file_day])
        stats.add_file(write_lines(path, file_lines))
    return stats


def land_csv(
    landing: Landing,
    entity: Entity,
    day: np.ndarray,
    columns: Mapping[str, np.ndarray],
    faults: Faults,
    rng: np.random.Generator,
    dropped_columns: Mapping[int, tuple[str, ...]] | None = None,
) -> EntityStats:
    """Write rows (sorted by `day`) as CSV files with dirty rows planted.

    `columns` hold text already formatted for the file ("" for an empty cell).
    `dropped_columns` maps a day index to the columns that day's file leaves
    out: schema drift, counted as one dirty row per row of that file.
    """
    day, columns = _captured(landing, entity, day, columns)
    stats = EntityStats(entity.source, entity.name)
    header = entity.column_names
    records: list[list[str]] = [list(row) for row in zip(*(columns[name].tolist() for name in header), strict=True)]
    dropped_columns = dropped_columns or {}
    drifted = set(dropped_columns)
    kinds = [*(["missing_required"] if faults.required else []), *faults.mutations]
    plan = _plan_dirty(landing, day, kinds, _resendable(day, drifted), faults.eligible, rng)
    for kind, rows in plan.items():
        stats.plant(kind, len(rows))
        if kind == "duplicate":
            continue  # re-delivered unchanged into a later file below
        for row in rows:
            records[row] = _spoil_record(records[row], header, kind, faults, rng)
    for file_day, rows, resent in _files(day, plan.get("duplicate", np.empty(0, np.int64)), drifted, rng):
        file_rows = [records[row] for row in rows] + [records[row] for row in resent]
        kept = [i for i, name in enumerate(header) if name not in dropped_columns.get(file_day, ())]
        path = entity.file_path(landing.lake_root, landing.dates[file_day])
        stats.add_file(write_csv(path, [header[i] for i in kept], [[row[i] for i in kept] for row in file_rows]))
        if file_day in drifted:
            stats.plant("schema_drift", len(file_rows))
    return stats


def _resendable(day: np.ndarray, drifted: set[int]) -> np.ndarray:
    """Rows that a later full-schema file could deliver again."""
    full_days = np.setdiff1d(np.unique(day), np.fromiter(drifted, dtype=np.int64, count=len(drifted)))
    if len(full_days) < 2:
        return np.zeros(len(day), dtype=bool)
    return np.isin(day, full_days) & (day < full_days.max())


def _plan_dirty(
    landing: Landing,
    day: np.ndarray,
    kinds: list[str],
    resendable: np.ndarray,
    eligible: Mapping[str, np.ndarray],
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Choose disjoint rows for each dirty kind: about `dirty_rate` of the rows, shared evenly by the kinds."""
    n = len(day)
    if landing.dirty_rate <= 0 or n == 0:
        return {}
    if resendable.any():
        kinds = [*kinds, "duplicate"]
    total = round(landing.dirty_rate * n)
    if n >= MIN_ROWS_FOR_EVERY_KIND:
        total = max(total, len(kinds))
    counts = np.full(len(kinds), total // len(kinds))
    counts[rng.choice(len(kinds), size=total % len(kinds), replace=False)] += 1

    plan: dict[str, np.ndarray] = {}
    taken = np.zeros(n, dtype=bool)
    if "duplicate" in kinds:
        candidates = np.flatnonzero(resendable)
        rows = rng.choice(candidates, size=min(counts[-1], len(candidates)), replace=False)
        taken[rows] = True
        plan["duplicate"] = np.sort(rows)
    for kind, count in zip(kinds, counts, strict=True):
        if kind == "duplicate" or count == 0:
            continue
        candidates = np.flatnonzero(~taken & eligible.get(kind, True))
        rows = rng.choice(candidates, size=min(count, len(candidates)), replace=False)
        taken[rows] = True
        plan[kind] = np.sort(rows)
    return {kind: rows for kind, rows in plan.items() if len(rows)}


def _files(
    day: np.ndarray, resent_rows: np.ndarray, drifted: set[int], rng: np.random.Generator
) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """Per file day: its own rows and the rows re-delivered into it from one of the next few files."""
    if len(day) > 1 and np.any(np.diff(day) < 0):
        raise ValueError("rows must be sorted by ingest day before landing")
    file_days = np.unique(day)
    full_days = np.array([d for d in file_days if d not in drifted], dtype=np.int64)
    later = np.searchsorted(full_days, day[resent_rows], side="right")
    reach = np.minimum(len(full_days) - later, 3)
    target = full_days[later + np.floor(rng.random(len(resent_rows)) * reach).astype(np.int64)]
    bounds = np.searchsorted(day, file_days, side="left"), np.searchsorted(day, file_days, side="right")
    return [
        (int(file_day), np.arange(lo, hi), resent_rows[target == file_day])
        for file_day, lo, hi in zip(file_days, *bounds, strict=True)
    ]


def _spoil_line(line: str, kind: str, faults: Faults, rng: np.random.Generator) -> str:
    if kind == "malformed":
        # A truncated object: any proper prefix of a JSON object fails to parse.
        return line[: int(rng.integers(len(line) // 3, len(line) - 1))]
    record = json.loads(line)
    if kind == "missing_required":
        name = faults.required[int(rng.integers(len(faults.required)))]
        if rng.random() < 0.5:
            del record[name]
        else:
            record[name] = None
    else:
        _mutate(record, kind, faults, rng)
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _spoil_record(
    values: list[str], header: list[str], kind: str, faults: Faults, rng: np.random.Generator
) -> list[str]:
    record: Record = dict(zip(header, values, strict=True))
    if kind == "missing_required":
        record[faults.required[int(rng.integers(len(faults.required)))]] = ""
    else:
        _mutate(record, kind, faults, rng)
    return ["" if record[name] is None else str(record[name]) for name in header]


def _mutate(record: Record, kind: str, faults: Faults, rng: np.random.Generator) -> None:
    ways = faults.mutations[kind]
    ways[int(rng.integers(len(ways)))](record, rng)
