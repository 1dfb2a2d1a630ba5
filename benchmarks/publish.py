"""Benchmark: `flick_ops.publish` against the local Cosmos DB protocol server, beside the server's raw ceiling.

On one built warehouse, with one server started for the run (tests/support/cosmos):

- raw ceiling: the same documents upserted by plain SDK calls from as many
  threads as the publisher uses, into containers of their own: the most any
  client gets from this server on this machine;
- first publish: `publish()` into empty containers, everything included
  (gate, reading Gold, shaping and checking documents, the publish state);
- re-publish: `publish()` again with nothing changed, so nothing is sent.

The warehouse is the dbt workspace folder in FLICK_BENCH_WAREHOUSE (holding
flick.duckdb and target/) when set; otherwise the generator's default lake is
built into a temporary folder first (about two minutes; not timed).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from urllib3.exceptions import InsecureRequestWarning

from flick_ops.dbt.runner import PROJECT_ROOT, DbtWorkspace, run_dbt
from flick_ops.generate import generate_lake
from flick_ops.generate.world import GeneratorConfig
from flick_ops.publish import CosmosSink, GoldReader, PublishReport, PublishSpec, PublishState, load_spec, publish
from flick_ops.publish.documents import Document, build_documents
from flick_ops.publish.sinks import ContainerTarget
from tests.support.cosmos_server import CosmosServer, running_cosmos_server

SPEC_PATH = PROJECT_ROOT / "deploy" / "publish.yml"
CONCURRENCY = 16
WAREHOUSE_ENV = "FLICK_BENCH_WAREHOUSE"


def run() -> dict:
    # The local server's certificate is self-signed; one warning per request would bury the table.
    warnings.filterwarnings("ignore", category=InsecureRequestWarning)
    with tempfile.TemporaryDirectory(prefix="flick-bench-publish-") as scratch:
        gold = GoldReader.from_workspace(_workspace(Path(scratch)))
        spec = load_spec(SPEC_PATH)
        with running_cosmos_server(Path(scratch) / "cosmos-server.log") as server:
            # The first pass warms the server (Node's JIT, its indexes); the second is the one timed.
            _raw_ceiling(server, _in_database(spec, "bench-warm-up"), gold)
            raw_documents, raw_seconds = _raw_ceiling(server, _in_database(spec, "bench-raw"), gold)
            first, again, cpu_seconds = _publish_twice(
                server, _in_database(spec, "bench-publish"), gold, Path(scratch) / "state"
            )
    if not (first.ok and again.ok) or first.written != raw_documents or again.written or again.deleted:
        raise RuntimeError(f"the publishes did not go as planned:\n{first.describe()}\n{again.describe()}")

    raw_rate, publish_rate = raw_documents / raw_seconds, first.written / first.seconds
    _print_table(raw_documents, raw_seconds, first.seconds, again.seconds)
    return {
        "benchmark": "publish",
        "items": first.written,
        "unit": "documents",
        "seconds": round(first.seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "items_per_second": round(publish_rate),
        # Linux reports ru_maxrss in KiB.
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "details": {
            "concurrency": CONCURRENCY,
            "raw_ceiling_seconds": round(raw_seconds, 3),
            "raw_ceiling_documents_per_second": round(raw_rate),
            "first_publish_share_of_ceiling": round(publish_rate / raw_rate, 3),
            "republish_seconds": round(again.seconds, 3),
            "republish_skipped": again.skipped,
            "containers": {
                stats.container: {
                    "documents": stats.documents,
                    "documents_per_second": round(stats.documents_per_second),
                }
                for stats in first.containers
            },
        },
    }


def _workspace(scratch: Path) -> DbtWorkspace:
    """The given warehouse, or the default lake built into scratch (the build is not timed)."""
    given = os.environ.get(WAREHOUSE_ENV)
    if given:
        folder = Path(given)
        return DbtWorkspace.in_folder(folder, lake_root=folder / "lake")
    lake = scratch / "lake"
    generate_lake(GeneratorConfig(lake_root=lake))
    workspace = DbtWorkspace.in_folder(scratch, lake_root=lake)
    build = run_dbt(["build", "--target", "duckdb"], workspace)
    if not build.succeeded:
        raise RuntimeError(f"dbt build failed:\n{build.output[-3000:]}")
    return workspace


def _publish_twice(
    server: CosmosServer, spec: PublishSpec, gold: GoldReader, state_dir: Path
) -> tuple[PublishReport, PublishReport, float]:
    """A first publish into empty containers, then one with nothing changed; and the first one's CPU seconds."""
    sink = CosmosSink.from_settings(
        server.endpoint, key=server.key, connection_verify=False, max_concurrency=CONCURRENCY, create_containers=True
    )
    with sink, PublishState.open(state_dir, sink.identity) as state:
        cpu_started = time.process_time()
        first = publish(spec, warehouse=gold, sink=sink, state=state)
        cpu_seconds = time.process_time() - cpu_started
        again = publish(spec, warehouse=gold, sink=sink, state=state)
    return first, again, cpu_seconds


def _raw_ceiling(server: CosmosServer, spec: PublishSpec, gold: GoldReader) -> tuple[int, float]:
    """Upsert every document once with plain SDK calls from CONCURRENCY threads; return (documents, seconds)."""
    documents_by_entry = [(entry, build_documents(entry, gold.read(entry.model)).valid) for entry in spec.entries]
    sink = CosmosSink.from_settings(
        server.endpoint, key=server.key, connection_verify=False, max_concurrency=CONCURRENCY, create_containers=True
    )
    # The sink is only used to create the containers and a client with the publisher's connection pool.
    with sink:
        containers = []
        for entry, _ in documents_by_entry:
            target = ContainerTarget.of(entry)
            sink.prepare(target)
            containers.append(sink.client.get_database_client(target.database).get_container_client(target.container))
        work = [
            (container, document)
            for container, (_, docs) in zip(containers, documents_by_entry, strict=True)
            for document in docs
        ]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            list(pool.map(_upsert, work))
        return len(work), time.perf_counter() - started


def _upsert(work: tuple[Any, Document]) -> None:
    container, document = work
    container.upsert_item(document.body, no_response=True)


def _in_database(spec: PublishSpec, database: str) -> PublishSpec:
    return PublishSpec(tuple(replace(entry, database=database) for entry in spec.entries), spec.groups)


def _print_table(documents: int, raw_seconds: float, first_seconds: float, again_seconds: float) -> None:
    rows = [
        ("raw ceiling (plain SDK upserts)", raw_seconds, documents / raw_seconds),
        ("first publish", first_seconds, documents / first_seconds),
        ("re-publish, nothing changed", again_seconds, None),
    ]
    lines = [
        f"| {'publish to the local Cosmos server':<34} | {'seconds':>8} | {'documents/s':>11} |",
        f"|{'-' * 36}|{'-' * 9}:|{'-' * 12}:|",
    ]
    for label, seconds, rate in rows:
        lines.append(f"| {label:<34} | {seconds:>8.2f} | {f'{rate:,.0f}' if rate else '-':>11} |")
    print(f"{documents:,} documents, {CONCURRENCY} writers", *lines, sep="\n", file=sys.stderr)


if __name__ == "__main__":
    print(json.dumps(run()))
