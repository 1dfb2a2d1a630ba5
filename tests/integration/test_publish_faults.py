"""Publishing Gold to a real Cosmos DB protocol server through faults: 20 seeded runs that must all converge.

Each run starts from fresh containers on the local server (tests/support/cosmos), with
the real spec (deploy/publish.yml) pointed at a database of its own, and talks
to the server only through the fault proxy (tests/support/fault_proxy.py):

1. publish Gold v1 with no faults;
2. Gold changes to v2: documents added, changed and removed, drawn from the seed;
3. publish v2 while the proxy throttles, fails, slows and drops requests on a
   schedule drawn from the seed;
4. read every container straight from the server, not through the proxy, and
   compare it with the documents Gold v2 makes: nothing missing, extra or stale;
5. publish v2 again through the same faults: nothing is written or deleted.

The kill run does step 3 with the `flick-ops publish` command, SIGKILLs it
mid-run, and resumes it with the same command. Two more tests pin the proxy's
own behaviour with the plain SDK, so a broken proxy cannot pass for a robust
publisher.

Gold v1 is the default warehouse's published models cut to about sixty
documents each, so the 20 runs take a couple of minutes together.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import signal
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from azure.core.exceptions import ServiceResponseError
from azure.cosmos import PartitionKey
from cosmos_server import CosmosServer
from fault_proxy import FaultPlan, FaultProxy

from flick_ops.dbt.runner import PROJECT_ROOT
from flick_ops.publish import (
    CosmosSink,
    GoldReader,
    PublishedModel,
    PublishReport,
    PublishSpec,
    PublishState,
    load_spec,
    publish,
)
from flick_ops.publish.documents import FLAG_PREFIXES, build_documents

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

SPEC_PATH = PROJECT_ROOT / "deploy" / "publish.yml"
DOCUMENTS_PER_ENTRY = 60
WRITERS = 8
KILL_RUN_SEED = 20
KILL_AFTER_WRITES = 20
CLI_TIMEOUT_SECONDS = 180
SHOWN_PER_PROBLEM = 5

FAULT_PROFILES: dict[str, dict[str, float]] = {
    "throttling": {"throttle": 0.35},
    "server_errors": {"unavailable": 0.15, "timeout": 0.07, "retry_with": 0.07},
    "dropped_connections": {"drop_before": 0.1, "drop_after": 0.12},
    "mixed": {
        "throttle": 0.12,
        "unavailable": 0.06,
        "timeout": 0.03,
        "retry_with": 0.03,
        "drop_before": 0.04,
        "drop_after": 0.06,
        "slow": 0.08,
    },
}
# Outcomes each profile must have produced, or the run proved nothing; mixed runs need MIXED_KINDS of them.
EXPECTED_FAULTS = {
    "throttling": {"throttle"},
    "server_errors": {"unavailable"},
    "dropped_connections": {"drop_before", "drop_after"},
    "mixed": {"throttle", "drop_after"},
}
MIXED_KINDS = 4
RUNS = [
    *((seed, "throttling") for seed in range(1, 5)),
    *((seed, "server_errors") for seed in range(5, 9)),
    *((seed, "dropped_connections") for seed in range(9, 13)),
    *((seed, "mixed") for seed in range(13, KILL_RUN_SEED)),
]


@dataclass(frozen=True)
class GoldVersions:
    """Two states of the same Gold models: two DuckDB files read with the same dbt build's artifacts."""

    v1: GoldReader
    v2: GoldReader


@pytest.fixture(scope="module")
def gold_v1(default_warehouse, tmp_path_factory: pytest.TempPathFactory) -> GoldReader:
    """The published models of the default warehouse, each cut to about DOCUMENTS_PER_ENTRY documents."""
    assert default_warehouse.build.succeeded, default_warehouse.build.output[-3000:]
    built = GoldReader.from_workspace(default_warehouse.workspace)
    path = tmp_path_factory.mktemp("gold") / "v1.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(f"attach '{built.duckdb_path}' as built (read_only)")
        for entry in load_spec(SPEC_PATH).entries:
            schema, table = _relation(built, entry.model)
            id_columns = ", ".join(entry.id_columns)
            documents = connection.execute(
                f"select count(*) from (select distinct {id_columns} from built.{schema}.{table})"
            )
            keep_one_in = max(1, math.ceil(documents.fetchone()[0] / DOCUMENTS_PER_ENTRY))
            connection.execute(f"create schema if not exists {schema}")
            connection.execute(
                f"create table {schema}.{table} as select * from built.{schema}.{table}"
                f" where hash({id_columns}) % {keep_one_in} = 0"
            )
    return GoldReader(path, built.target_path)


@pytest.fixture
def gold(gold_v1: GoldReader, request: pytest.FixtureRequest, tmp_path: Path) -> GoldVersions:
    """Gold v1 and a v2 drawn from the test's seed (0 without one): 12% of documents removed, a quarter changed, 12% added."""
    seed = request.node.callspec.params["seed"] if hasattr(request.node, "callspec") else 0
    path = tmp_path / "v2.duckdb"
    path.write_bytes(gold_v1.duckdb_path.read_bytes())
    with duckdb.connect(str(path)) as connection:
        for entry in load_spec(SPEC_PATH).entries:
            _change(connection, _relation(gold_v1, entry.model), entry, seed)
    return GoldVersions(gold_v1, GoldReader(path, gold_v1.target_path))


@pytest.mark.parametrize(("seed", "profile"), RUNS, ids=[f"seed{seed}-{profile}" for seed, profile in RUNS])
def test_publish_through_faults_converges_on_gold(
    cosmos_server: CosmosServer, gold: GoldVersions, seed: int, profile: str, tmp_path: Path
) -> None:
    spec = _in_database(load_spec(SPEC_PATH), f"faults-{seed:02d}")
    _drop_databases(cosmos_server, spec)
    state_dir = tmp_path / "state"
    with FaultProxy(cosmos_server.endpoint) as proxy:
        first = _publish(spec, gold.v1, proxy.endpoint, cosmos_server.key, state_dir)
        assert first.ok and first.written > 0, first.describe()
        _assert_gold_changed(spec, gold)

        proxy.inject(FaultPlan(seed=seed, **FAULT_PROFILES[profile]))
        second = _publish(spec, gold.v2, proxy.endpoint, cosmos_server.key, state_dir)
        assert second.ok, second.describe()
        assert _differences(cosmos_server, spec, gold.v2) == {}

        again = _publish(spec, gold.v2, proxy.endpoint, cosmos_server.key, state_dir)
        assert (again.written, again.deleted, again.failed) == (0, 0, 0), again.describe()
    _assert_faults_happened(proxy, profile)


@pytest.mark.parametrize("seed", [KILL_RUN_SEED])
def test_killed_publish_resumes_and_converges_on_gold(
    cosmos_server: CosmosServer, gold: GoldVersions, seed: int, tmp_path: Path
) -> None:
    spec_path = _spec_file_in_database(tmp_path / "publish.yml", f"faults-{seed:02d}")
    spec = load_spec(spec_path)
    _drop_databases(cosmos_server, spec)
    state_dir, report_path = tmp_path / "state", tmp_path / "report.json"
    with FaultProxy(cosmos_server.endpoint) as proxy:
        assert _publish(spec, gold.v1, proxy.endpoint, cosmos_server.key, state_dir).ok
        _assert_gold_changed(spec, gold)

        proxy.inject(FaultPlan(seed=seed, **FAULT_PROFILES["mixed"]))
        command = _publish_command(spec_path, gold.v2, proxy.endpoint, state_dir, report_path)
        writes_before = proxy.writes_upstream
        with _running(command, cosmos_server.key) as publisher:
            assert proxy.wait_for_writes(writes_before + KILL_AFTER_WRITES, timeout=CLI_TIMEOUT_SECONDS), (
                "the publish never got going"
            )
            assert publisher.poll() is None, "the publish finished before it could be killed"
            publisher.send_signal(signal.SIGKILL)
            publisher.wait()
        assert _differences(cosmos_server, spec, gold.v2) != {}, "the kill left nothing to resume"

        resumed = _run(command, cosmos_server.key)
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        assert _differences(cosmos_server, spec, gold.v2) == {}
        containers = json.loads(report_path.read_text(encoding="utf-8"))["containers"]
        assert sum(container["resumed"] for container in containers) > 0, "the kill left no document in flight"

        again = _run(command, cosmos_server.key)
        assert again.returncode == 0, again.stdout + again.stderr
        totals = json.loads(report_path.read_text(encoding="utf-8"))["totals"]
        assert (totals["written"], totals["deleted"], totals["failed"]) == (0, 0, 0), again.stdout
    _assert_faults_happened(proxy, "mixed")


def test_publish_retries_throttled_database_and_container_requests_too(
    cosmos_server: CosmosServer, gold: GoldVersions, tmp_path: Path
) -> None:
    """Every request, metadata included, is throttled twice before it goes through: a publisher that honours 429s still converges."""
    spec = _in_database(load_spec(SPEC_PATH), "faults-metadata")
    _drop_databases(cosmos_server, spec)
    plan = FaultPlan(seed=1, throttle=1.0, max_consecutive_faults=2, documents_only=False)
    with FaultProxy(cosmos_server.endpoint, plan) as proxy:
        report = _publish(spec, gold.v2, proxy.endpoint, cosmos_server.key, tmp_path / "state")
    assert report.ok, report.describe()
    assert _differences(cosmos_server, spec, gold.v2) == {}


def test_fault_schedule_depends_on_the_seed_and_the_request_not_on_arrival_order() -> None:
    requests = [(f'POST /dbs/d/colls/c/docs pk=["{n}"] {n}', attempt) for n in range(300) for attempt in range(3)]
    plan = FaultPlan(seed=3, **FAULT_PROFILES["mixed"])

    in_order = {request: plan.draw(*request)[0] for request in requests}
    reversed_order = {request: plan.draw(*request)[0] for request in reversed(requests)}
    other_seed = {request: replace(plan, seed=4).draw(*request)[0] for request in requests}

    assert in_order == reversed_order
    assert in_order != other_seed
    assert set(in_order.values()) == {*FAULT_PROFILES["mixed"], "forwarded"}


def test_a_connection_dropped_after_forwarding_leaves_the_write_done_but_unanswered(
    cosmos_server: CosmosServer,
) -> None:
    database = cosmos_server.client().create_database(cosmos_server.new_database_id("proxy-drop-after"))
    container = database.create_container("docs", PartitionKey("/pk"))
    with FaultProxy(cosmos_server.endpoint, FaultPlan(seed=1, drop_after=1.0)) as proxy:
        through_proxy = (
            cosmos_server.client(proxy.endpoint).get_database_client(database.id).get_container_client("docs")
        )
        with pytest.raises(ServiceResponseError):
            through_proxy.upsert_item({"id": "a", "pk": "p", "value": 1})
    assert container.read_item("a", partition_key="p")["value"] == 1
    assert proxy.counts()["drop_after"] == 1
    assert proxy.writes_upstream == 1


def test_a_throttled_request_says_when_to_retry_and_reaches_no_server(cosmos_server: CosmosServer) -> None:
    plan = FaultPlan(seed=1, throttle=1.0, retry_after_ms=(20, 40))
    with FaultProxy(cosmos_server.endpoint, plan) as proxy:
        connection = http.client.HTTPSConnection("127.0.0.1", proxy.port, context=ssl._create_unverified_context())
        body = json.dumps({"id": "a", "pk": "p"})
        connection.request(
            "POST", "/dbs/nowhere/colls/nothing/docs", body=body, headers={"content-type": "application/json"}
        )
        response = connection.getresponse()
        answer = json.loads(response.read())
        connection.close()
    assert response.status == 429 and answer["code"] == "TooManyRequests"
    assert 20 <= int(response.getheader("x-ms-retry-after-ms")) <= 40
    assert [event.upstream_status for event in proxy.events] == [None]


def _publish(spec: PublishSpec, gold: GoldReader, endpoint: str, key: str, state_dir: Path) -> PublishReport:
    sink = CosmosSink.from_settings(
        endpoint, key=key, connection_verify=False, max_concurrency=WRITERS, create_containers=True
    )
    with sink, PublishState.open(state_dir, sink.identity) as state:
        return publish(spec, warehouse=gold, sink=sink, state=state)


def _publish_command(spec_path: Path, gold: GoldReader, endpoint: str, state_dir: Path, report: Path) -> list[str]:
    return [
        *(sys.executable, "-m", "flick_ops.cli", "publish"),
        *("--spec", str(spec_path), "--sink", "cosmos", "--endpoint", endpoint, "--create-containers"),
        *("--warehouse", str(gold.duckdb_path), "--dbt-target-dir", str(gold.target_path)),
        *("--state-dir", str(state_dir), "--report-json", str(report)),
        # Small batches and few writers: the kill lands with some batches settled and one in flight.
        *("--batch-size", "10", "--max-concurrency", "4"),
        *("--insecure-local-tls", "--no-lake-export", "--quiet"),
    ]


def _environment(key: str) -> dict[str, str]:
    return {**os.environ, "FLICK_COSMOS_KEY": key}


@contextmanager
def _running(command: list[str], key: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(command, env=_environment(key), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _run(command: list[str], key: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, env=_environment(key), capture_output=True, text=True, timeout=CLI_TIMEOUT_SECONDS, check=False
    )


def _in_database(spec: PublishSpec, database: str) -> PublishSpec:
    return PublishSpec(tuple(replace(entry, database=database) for entry in spec.entries), spec.groups)


def _spec_file_in_database(path: Path, database: str) -> Path:
    raw = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    raw.setdefault("defaults", {})["database"] = database
    for entry in raw["publish"].values():
        entry.pop("database", None)
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def _drop_databases(server: CosmosServer, spec: PublishSpec) -> None:
    """Fresh containers: the server lives for the whole session, so a database may be left from an earlier test."""
    client = server.client()
    existing = {database["id"] for database in client.list_databases()}
    for database in {entry.database for entry in spec.entries} & existing:
        client.delete_database(database)


def _relation(gold: GoldReader, model: str) -> tuple[str, str]:
    node = gold.model_node(model)
    return node["schema"], node.get("alias") or node["name"]


def _change(connection: duckdb.DuckDBPyConnection, relation: tuple[str, str], entry: PublishedModel, seed: int) -> None:
    """Remove, change and add documents, picked by hashing each document's id with the seed."""
    table = ".".join(relation)
    id_columns = ", ".join(entry.id_columns)
    columns = connection.execute(f"describe {table}").fetchall()
    partition_fields = {path[1:] for path in entry.partition_key_paths}
    key_columns = {name for name, *_ in columns if entry.field_name(name) in partition_fields}
    key_columns |= set(entry.id_columns) | set(entry.grouping.by if entry.grouping else ())
    # 0/1 flags (`is_...`, `has_...`) become JSON booleans: a changed value must stay a flag, so they are not changed.
    numeric = [
        name
        for name, kind, *_ in columns
        if name not in key_columns and _is_numeric(kind) and not name.startswith(FLAG_PREFIXES)
    ]
    text_ids = [name for name, kind, *_ in columns if name in entry.id_columns and kind == "VARCHAR"]
    assert numeric and text_ids, f"{entry.model}: needs a numeric value column and a text id column to change"

    documents = connection.execute(f"select count(*) from (select distinct {id_columns} from {table})").fetchone()[0]

    def picked(salt: str, share: float) -> str:
        """Rows of the `share` of documents whose ids hash lowest with this seed and salt: never none."""
        rank = f"hash({id_columns}, {seed}, '{salt}')"
        lowest = f"select distinct {rank} as rank from {table} order by rank limit {max(1, round(documents * share))}"
        return f"{rank} in ({lowest})"

    connection.execute(f"delete from {table} where {picked('remove', 0.12)}")
    connection.execute(
        f"update {table} set {numeric[0]} = coalesce({numeric[0]}, 0) + 1 where {picked('change', 0.25)}"
    )
    connection.execute(
        f"insert into {table} select * replace ('new-{seed}-' || {text_ids[0]} as {text_ids[0]})"
        f" from {table} where {picked('add', 0.12)}"
    )


def _is_numeric(kind: str) -> bool:
    return kind.startswith(("DECIMAL", "DOUBLE", "FLOAT", "INTEGER", "BIGINT", "SMALLINT", "HUGEINT"))


def _assert_gold_changed(spec: PublishSpec, gold: GoldVersions) -> None:
    """Each entry's v2 adds, changes and removes documents, so a publish that ignores any of them fails."""
    for entry in spec.entries:
        before, after = _expected(entry, gold.v1), _expected(entry, gold.v2)
        added, removed = after.keys() - before.keys(), before.keys() - after.keys()
        changed = [key for key in after.keys() & before.keys() if after[key] != before[key]]
        assert added and removed and changed, f"{entry.name}: Gold v2 must add, remove and change documents"


def _expected(entry: PublishedModel, gold: GoldReader) -> dict[tuple[str, str], dict[str, Any]]:
    """The documents Gold makes for an entry, by (id, partition key); every row must make a valid one."""
    documents = build_documents(entry, gold.read(entry.model))
    assert not documents.invalid, documents.invalid[:SHOWN_PER_PROBLEM]
    return {(document.key.id, document.key.partition_key_json): document.body for document in documents.valid}


def _differences(server: CosmosServer, spec: PublishSpec, gold: GoldReader) -> dict[str, dict[str, list[str]]]:
    """Per container, the documents missing, extra or stale on the server against Gold; empty when equal."""
    client = server.client()
    differences = {}
    for entry in spec.entries:
        container = client.get_database_client(entry.database).get_container_client(entry.container)
        held = [
            {field: value for field, value in document.items() if not field.startswith("_")}
            for document in container.query_items("SELECT * FROM c", enable_cross_partition_query=True)
        ]
        actual = {(document["id"], _partition_key_json(entry, document)): document for document in held}
        assert len(actual) == len(held), f"{entry.name}: the same id and partition key twice"
        expected = _expected(entry, gold)
        problems = {
            "missing": sorted(map(str, expected.keys() - actual.keys())),
            "extra": sorted(map(str, actual.keys() - expected.keys())),
            "stale": sorted(str(key) for key in expected.keys() & actual.keys() if expected[key] != actual[key]),
        }
        if any(problems.values()):
            differences[entry.name] = {kind: keys[:SHOWN_PER_PROBLEM] for kind, keys in problems.items() if keys}
    return differences


def _partition_key_json(entry: PublishedModel, document: dict[str, Any]) -> str:
    values = [document.get(path[1:]) for path in entry.partition_key_paths]
    return json.dumps(values, separators=(",", ":"), ensure_ascii=False)


def _assert_faults_happened(proxy: FaultProxy, profile: str) -> None:
    counts = proxy.counts()
    kinds = set(counts) - {"forwarded"}
    assert EXPECTED_FAULTS[profile] <= kinds, (
        f"the proxy did {dict(counts)}, expected {sorted(EXPECTED_FAULTS[profile])}"
    )
    assert profile != "mixed" or len(kinds) >= MIXED_KINDS, (
        f"the proxy did {dict(counts)}: too few kinds for a mixed run"
    )
