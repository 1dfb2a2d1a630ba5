"""Publish Gold marts to Azure Cosmos DB (or the embedded local sink), writing only what changed.

The public API, stable for tests, benchmarks and pipelines::

    from flick_ops.publish import (
        load_spec, GoldReader, LocalSink, CosmosSink, PublishState, PublishOptions, publish,
    )

    spec = load_spec(Path("deploy/publish.yml"))             # PublishSpec; SpecError names the bad entry
    warehouse = GoldReader.from_workspace(DbtWorkspace.default())   # or GoldReader(duckdb_path, target_path)
    sink = CosmosSink.from_settings(                          # or LocalSink(Path("warehouse/local_cosmos.duckdb"))
        endpoint, key=None, credential=None, connection_verify=True,
        max_concurrency=16, max_ru_per_second=None, create_containers=False,
    )
    with sink, PublishState.open(state_dir, sink.identity) as state:
        report = publish(
            spec, warehouse=warehouse, sink=sink, state=state,
            models=None,                  # entry or group names; None = every entry
            options=PublishOptions(dry_run=False, force_full=False, batch_size=500),
            progress=None,                # Callable[[int], None]: called with documents done
        )
    report.written, report.deleted, report.skipped, report.failed, report.invalid, report.request_charge
    report.describe()                     # the summary table the CLI prints

`publish` gates first (`flick_ops.publish.gate`, raising `GateRefused` before
anything is sent when the last dbt build or its tests failed for a published
model), validates every document before sending (invalid rows land in
`report.invalid_documents` with a reason), then writes new or changed documents
and deletes vanished ones, recording each in the publish state only after the
sink acknowledged it. A killed `flick-ops publish` is resumed by running it again:
documents in flight when it died are re-sent (upserts and deletes are idempotent),
so the sink converges on the Gold model with no duplicates.

Modules: `spec` (the YAML publish spec), `reader` (Gold from the DuckDB warehouse),
`gate` (dbt run results), `documents` (rows to documents, ids, hashes, pre-flight
checks), `state` (the manifest of what was published), `sinks` (LocalSink, CosmosSink),
`publisher` (plan and execute), `lake_export` (Delta tables in the lake's gold zone),
`report` (counts and the summary table).
"""

from __future__ import annotations

from flick_ops.publish.gate import GateRefused, check_gate
from flick_ops.publish.lake_export import ExportedTable, export_to_lake
from flick_ops.publish.publisher import PublishOptions, publish
from flick_ops.publish.reader import GoldReader
from flick_ops.publish.report import ContainerStats, PublishReport
from flick_ops.publish.sinks import CosmosSink, LocalSink, Sink
from flick_ops.publish.spec import PublishedModel, PublishSpec, SpecError, load_spec
from flick_ops.publish.state import PublishState

__all__ = [
    "ContainerStats",
    "CosmosSink",
    "ExportedTable",
    "GateRefused",
    "GoldReader",
    "LocalSink",
    "PublishOptions",
    "PublishReport",
    "PublishSpec",
    "PublishState",
    "PublishedModel",
    "Sink",
    "SpecError",
    "check_gate",
    "export_to_lake",
    "load_spec",
    "publish",
]
