"""Export published Gold models to the lake's gold zone as Delta tables.

Delta is what Databricks, Synapse serverless SQL and Azure Data Share read, so
the same Gold the app gets from Cosmos is there for them too. Each export
replaces the table's contents in one commit (readers see the old or the new
version, never a mix) and records where and when the data comes from in the
commit's metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from flick_ops.publish.reader import GoldReader


@dataclass(frozen=True)
class ExportedTable:
    model: str
    path: Path
    rows: int
    version: int


def export_to_lake(reader: GoldReader, models: Sequence[str], lake_root: Path) -> list[ExportedTable]:
    """Write each model to <lake_root>/gold/<model>/ as a Delta table (overwriting it, schema included)."""
    from deltalake import CommitProperties, DeltaTable, write_deltalake

    data_time = reader.data_time
    exported = []
    for model in dict.fromkeys(models):
        table = _delta_compatible(reader.read(model))
        path = Path(lake_root) / "gold" / model
        path.mkdir(parents=True, exist_ok=True)
        write_deltalake(
            str(path),
            table,
            mode="overwrite",
            schema_mode="overwrite",
            name=model,
            description=f"Gold model {model}, exported by flick-ops publish",
            commit_properties=CommitProperties(custom_metadata=_commit_metadata(reader, model, data_time)),
        )
        exported.append(ExportedTable(model, path, table.num_rows, DeltaTable(str(path)).version()))
    return exported


def _commit_metadata(reader: GoldReader, model: str, data_time: datetime) -> dict[str, str]:
    return {
        "flick.source_model": model,
        "flick.data_time": data_time.isoformat(),
        "flick.dbt_invocation_id": reader.run_results["metadata"]["invocation_id"],
    }


def _delta_compatible(table: pa.Table) -> pa.Table:
    """Delta has no unsigned integers or nanosecond timestamps; widen or coarsen those columns."""
    fields = []
    for column in table.schema:
        kind = column.type
        if pa.types.is_unsigned_integer(kind):
            kind = pa.int64()
        elif pa.types.is_timestamp(kind) and kind.unit == "ns":
            kind = pa.timestamp("us", tz=kind.tz)
        fields.append(column.with_type(kind))
    return table.cast(pa.schema(fields))
