"""Export published Gold models to the lake's gold zone as Delta tables.

Delta is what Databricks, Synapse serverless SQL and Azure Data Share read, so
the same Gold the app gets from Cosmos is there for them too. Each export
replaces the table's contents in one commit (readers see the old or the new
version, never a mix) and records where and when the data comes from in the
commit's metadata, with a hash of the content: an export whose content equals
the table's current version commits nothing, so readers and Data Share
snapshots see a new version only when the data changed. Timestamps are
written as UTC instants (Delta `timestamp`, time-zone aware), never as local
wall-clock times (`timestamp_ntz`).

Only models that may leave the warehouse are written
(`flick_ops.dbt.release_rule`); any refusal stops the export before a write.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from flick_ops.publish.gate import check_gate
from flick_ops.publish.reader import GoldReader

CONTENT_HASH_KEY = "flick.content_hash"


@dataclass(frozen=True)
class ExportedTable:
    model: str
    path: Path
    rows: int
    version: int
    changed: bool = True

    def describe(self) -> str:
        what = f"Delta version {self.version}" if self.changed else f"unchanged, still Delta version {self.version}"
        return f"lake export: {self.model} -> {self.path} ({self.rows:,} rows, {what})"


def export_to_lake(
    reader: GoldReader, models: Sequence[str], lake_root: Path, *, gate: bool = True
) -> list[ExportedTable]:
    """Write each model to <lake_root>/gold/<model>/ as a Delta table (overwriting it, schema included).

    Refuses first, unless the caller has judged the release already (`gate=False`), when a model may not leave.
    """
    from deltalake import CommitProperties, DeltaTable, write_deltalake

    models = list(dict.fromkeys(models))
    if gate:
        check_gate(reader, [(f"lake_export.{model}", model) for model in models], action="export to the lake")
    data_time = reader.data_time
    exported = []
    for model in models:
        table = delta_compatible(reader.read(model))
        path = Path(lake_root) / "gold" / model
        fingerprint = content_hash(table)
        current = _current(path)
        if current is not None and current[1] == fingerprint:
            exported.append(ExportedTable(model, path, table.num_rows, current[0], changed=False))
            continue
        path.mkdir(parents=True, exist_ok=True)
        write_deltalake(
            str(path),
            table,
            mode="overwrite",
            schema_mode="overwrite",
            name=model,
            description=f"Gold model {model}, exported by flick-ops publish",
            commit_properties=CommitProperties(
                custom_metadata={**_commit_metadata(reader, model, data_time), CONTENT_HASH_KEY: fingerprint}
            ),
        )
        exported.append(ExportedTable(model, path, table.num_rows, DeltaTable(str(path)).version()))
    return exported


def content_hash(table: pa.Table) -> str:
    """SHA-256 of the schema and the rows in a fixed order: equal for equal content, however the rows came."""
    ordered = table.sort_by([(name, "ascending") for name in table.column_names]) if table.num_rows else table
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, ordered.schema) as writer:
        writer.write_table(ordered.combine_chunks())
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def _current(path: Path) -> tuple[int, str | None] | None:
    """The table's version and the content hash its last commit recorded; None when there is no table yet."""
    from deltalake import DeltaTable
    from deltalake.exceptions import TableNotFoundError

    try:
        table = DeltaTable(str(path))
    except TableNotFoundError:
        return None
    return table.version(), table.history(1)[0].get(CONTENT_HASH_KEY)


def _commit_metadata(reader: GoldReader, model: str, data_time: datetime) -> dict[str, str]:
    return {
        "flick.source_model": model,
        "flick.data_time": data_time.isoformat(),
        "flick.dbt_invocation_id": reader.run_results["metadata"]["invocation_id"],
    }


def delta_compatible(table: pa.Table) -> pa.Table:
    """Delta has no unsigned integers or nanosecond timestamps; widen or coarsen those columns.

    Warehouse timestamps are UTC (the project stores every instant in UTC), so a naive one is declared UTC
    and lands as Delta's time-zone aware `timestamp`, which every reader converts correctly.
    """
    fields = []
    for column in table.schema:
        kind = column.type
        if pa.types.is_unsigned_integer(kind):
            kind = pa.int64()
        elif pa.types.is_timestamp(kind):
            kind = pa.timestamp("us", tz="UTC")
        fields.append(column.with_type(kind))
    return table.cast(pa.schema(fields))
