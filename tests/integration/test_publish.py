"""`flick-ops publish`: the spec, documents, gate, change-aware publishing (local sink and a real Cosmos server), lake export.

Change-aware tests run on a copy of the default warehouse's three published
models (about 1,900 documents), so each test can change Gold freely.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from click.testing import CliRunner
from cosmos_server import CosmosServer
from deltalake import DeltaTable

from flick_ops.cli import main
from flick_ops.dbt.runner import PROJECT_ROOT
from flick_ops.publish import (
    CosmosSink,
    GateRefused,
    GoldReader,
    LocalSink,
    PublishReport,
    PublishSpec,
    PublishState,
    SpecError,
    export_to_lake,
    load_spec,
    publish,
)
from flick_ops.publish.documents import DocumentKey, build_documents, canonical_json
from flick_ops.publish.lake_export import delta_compatible
from flick_ops.publish.sinks import ContainerTarget, Outcome
from flick_ops.publish.spec import parse_spec

SPEC_PATH = PROJECT_ROOT / "deploy" / "publish.yml"
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


# --- the spec -----------------------------------------------------------------------------------------------------


def test_the_project_spec_loads_with_its_three_entries_and_groups() -> None:
    spec = load_spec(SPEC_PATH)
    assert [entry.name for entry in spec.entries] == ["continue_watching", "top10_daily", "account_features"]
    assert spec.entry("top10_daily").partition_key_paths == ("/countryCode", "/activityDate")
    assert [entry.name for entry in spec.select(["app_home"])] == ["continue_watching", "top10_daily"]


def test_spec_errors_name_every_offending_entry() -> None:
    raw = {
        "publish": {
            "good": {"model": "mart_a", "database": "db", "container": "a", "id": ["a_id"], "partition_key": "/aId"},
            "bad_key": {"model": "mart_b", "database": "db", "container": "b", "id": "b_id", "partition_key": "bId"},
            "bad_group": {
                "model": "mart_c",
                "database": "db",
                "container": "c",
                "id": ["c_id", "rank"],
                "partition_key": ["/cId"],
                "shape": "grouped",
                "group": {"by": ["c_id"], "items": "rows"},
            },
            "too_deep": {
                "model": "mart_d",
                "database": "db",
                "container": "a",
                "id": "d_id",
                "partition_key": ["/a", "/b", "/c", "/d"],
                "ttl_seconds": -5,
                "colour": "blue",
            },
        },
        "groups": {"home": ["good", "missing_entry"]},
    }
    with pytest.raises(SpecError) as error:
        parse_spec(raw)
    message = str(error.value)
    for expected in [
        "publish.bad_key.partition_key: 'bId' must be a top-level path",
        "publish.bad_group.id: 'rank' is not a group.by column",
        "publish.too_deep.partition_key: give 1 to 3 paths, got 4",
        "publish.too_deep.ttl_seconds: must be a positive number",
        "publish.too_deep: unknown key 'colour'",
        "groups.home: 'missing_entry' is not a publish entry",
    ]:
        assert expected in message
    assert "publish.good" not in message


def test_selecting_an_unknown_entry_lists_the_known_ones() -> None:
    with pytest.raises(SpecError, match=r"unknown publish entry or group: nope .*entries: account_features"):
        load_spec(SPEC_PATH).select(["nope"])


# --- rows to documents ----------------------------------------------------------------------------------------------


def _entry(**overrides: object):
    base = {"model": "mart_x", "database": "db", "container": "x", "id": ["profile_id"], "partition_key": "/profileId"}
    return parse_spec({"publish": {"x": {**base, **overrides}}}).entries[0]


GROUPED = {"shape": "grouped", "group": {"by": ["profile_id"], "items": "titles", "order_by": ["watched_at desc"]}}


def _rows(*rows: dict) -> pa.Table:
    return pa.Table.from_pylist(list(rows))


def test_grouped_documents_nest_rows_newest_first_with_json_values() -> None:
    table = _rows(
        {"profile_id": "P1", "title_id": "T1", "watched_at": datetime(2026, 10, 1, 8), "ratio": Decimal("0.250000")},
        {"profile_id": "P1", "title_id": "T2", "watched_at": datetime(2026, 10, 3, 9), "ratio": Decimal("1.000000")},
        {"profile_id": "P2", "title_id": "T1", "watched_at": datetime(2026, 10, 2, 7, 0, 0, 500), "ratio": None},
    )
    documents = build_documents(_entry(**GROUPED, ttl_seconds=60), table)
    bodies = {document.key.id: document.body for document in documents.valid}
    assert bodies["P1"] == {
        "id": "P1",
        "profileId": "P1",
        "titles": [
            {"titleId": "T2", "watchedAt": "2026-10-03T09:00:00Z", "ratio": 1},
            {"titleId": "T1", "watchedAt": "2026-10-01T08:00:00Z", "ratio": 0.25},
        ],
        "ttl": 60,
    }
    assert bodies["P2"]["titles"] == [{"titleId": "T1", "watchedAt": "2026-10-02T07:00:00.000500Z", "ratio": None}]
    assert documents.valid[0].key == DocumentKey("P1", ("P1",))


def test_content_hash_ignores_row_order_and_system_fields_but_not_values() -> None:
    rows = [
        {"profile_id": "P1", "title_id": f"T{i}", "watched_at": datetime(2026, 10, 1, i), "ratio": 0.5}
        for i in range(5)
    ]
    entry = _entry(**GROUPED)
    forward = build_documents(entry, _rows(*rows)).valid[0]
    backward = build_documents(entry, _rows(*reversed(rows))).valid[0]
    changed = build_documents(entry, _rows(*rows[:-1], {**rows[-1], "ratio": 0.6})).valid[0]
    assert forward.content_hash == backward.content_hash
    assert changed.content_hash != forward.content_hash
    assert canonical_json({**forward.body, "_ts": 1, "_etag": "x"}) == canonical_json(forward.body)


def test_composite_ids_and_hierarchical_keys() -> None:
    entry = _entry(id=["country_code", "activity_date"], partition_key=["/countryCode", "/activityDate"])
    document = build_documents(entry, _rows({"country_code": "US", "activity_date": date(2026, 10, 4), "n": 1})).valid[
        0
    ]
    assert document.key == DocumentKey("US:2026-10-04", ("US", "2026-10-04"))
    assert document.key.sdk_partition_key == ["US", "2026-10-04"]


def test_preflight_reports_rows_cosmos_would_reject_and_sends_none_of_them() -> None:
    table = _rows(
        {"profile_id": "P1", "note": "fine"},
        {"profile_id": "P/2", "note": "slash"},
        {"profile_id": "P#3", "note": "hash"},
        {"profile_id": "P" * 1100, "note": "long id"},
        {"profile_id": None, "note": "no id"},
        {"profile_id": "P4", "note": "x" * (2 * 1024 * 1024 + 1)},
        {"profile_id": "P5", "note": "twice"},
        {"profile_id": "P5", "note": "twice again"},
    )
    documents = build_documents(_entry(), table)
    assert [document.key.id for document in documents.valid] == ["P1"]
    reasons = {problem.id: problem.reason for problem in documents.invalid}
    assert "cannot hold / \\ ? #" in reasons["P/2"]
    assert "cannot hold / \\ ? #" in reasons["P#3"]
    assert "over Cosmos's 1023" in reasons["P" * 1100]
    assert reasons[None] == "id column profile_id is null"
    assert "over Cosmos's 2 MB limit" in reasons["P4"]
    assert reasons["P5"].startswith("2 rows make this document")
    # A rejected document with a good id may already be published: its last good version is kept.
    assert documents.held_keys == {DocumentKey("P4", ("P4",)), DocumentKey("P5", ("P5",))}


def test_spec_columns_are_checked_against_the_model() -> None:
    with pytest.raises(SpecError, match=r"publish.x: mart_x has no column profile_id"):
        build_documents(_entry(), _rows({"account_id": "A1"}))


# --- publishing against a copy of the default warehouse ----------------------------------------------------------------


@pytest.fixture(scope="module")
def built_gold(default_warehouse, tmp_path_factory: pytest.TempPathFactory) -> GoldReader:
    """The default warehouse's published models in a small DuckDB file of their own, with the build's artifacts."""
    assert default_warehouse.build.succeeded, default_warehouse.build.output[-3000:]
    built = GoldReader.from_workspace(default_warehouse.workspace)
    folder = tmp_path_factory.mktemp("publish_gold")
    path = folder / "published.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(f"attach '{built.duckdb_path}' as built (read_only)")
        for model in load_spec(SPEC_PATH).lake_models:
            relation = _relation(built, model)
            connection.execute(f"create schema if not exists {relation.split('.')[0]}")
            connection.execute(f"create table {relation} as select * from built.{relation}")
    shutil.copytree(built.target_path, folder / "target", ignore=shutil.ignore_patterns("compiled", "run"))
    return GoldReader(path, folder / "target")


@pytest.fixture
def gold(built_gold: GoldReader, tmp_path: Path) -> GoldReader:
    """A private copy of the published models this test may change."""
    path = tmp_path / "published.duckdb"
    shutil.copyfile(built_gold.duckdb_path, path)
    return GoldReader(path, built_gold.target_path)


def _relation(reader: GoldReader, model: str) -> str:
    node = reader.model_node(model)
    return f'"{node["schema"]}"."{node["alias"]}"'


def _change_gold(gold: GoldReader, sql: str) -> None:
    with duckdb.connect(str(gold.duckdb_path)) as connection:
        connection.execute(sql)


def _expected(spec: PublishSpec, gold: GoldReader) -> dict[ContainerTarget, dict[str, str]]:
    """What each container must hold: id + partition key -> canonical document."""
    expected = {}
    for entry in spec.entries:
        documents = build_documents(entry, gold.read(entry.model))
        assert not documents.invalid
        expected[ContainerTarget.of(entry)] = {
            f"{d.key.id}|{d.key.partition_key_json}": canonical_json(d.body) for d in documents.valid
        }
    return expected


def _held(spec: PublishSpec, sink) -> dict[ContainerTarget, dict[str, str]]:
    held = {}
    for entry in spec.entries:
        target = ContainerTarget.of(entry)
        held[target] = {}
        for document in sink.read_all(target):
            partition_key = [document[path[1:]] for path in entry.partition_key_paths]
            held[target][f"{document['id']}|{json.dumps(partition_key, separators=(',', ':'))}"] = canonical_json(
                document
            )
    return held


Publisher = Callable[..., PublishReport]


def _totals(report: PublishReport) -> tuple[int, int, int, int]:
    return report.written, report.deleted, report.failed, report.invalid


def _check_change_aware_publishing(spec: PublishSpec, gold: GoldReader, run: Publisher, sink) -> None:
    """First publish writes all; re-publish sends nothing; 1% changed rows and removed rows send exactly those."""
    documents = sum(len(build_documents(entry, gold.read(entry.model)).valid) for entry in spec.entries)
    first = run()
    assert _totals(first) == (documents, 0, 0, 0)
    assert _held(spec, sink) == _expected(spec, gold)

    again = run()
    assert _totals(again) == (0, 0, 0, 0)
    assert again.skipped == documents

    features = _relation(gold, "ml_account_features")
    _change_gold(gold, f"update {features} set watch_hours_28d = watch_hours_28d + 1 where hash(account_id) % 100 = 0")
    changed_accounts = (
        duckdb.connect(str(gold.duckdb_path), read_only=True)
        .sql(f"select count(*) from {features} where hash(account_id) % 100 = 0")
        .fetchall()[0][0]
    )
    assert 0 < changed_accounts < 30
    changed = run()
    assert _totals(changed) == (changed_accounts, 0, 0, 0)

    watching = _relation(gold, "mart_continue_watching")
    profiles = (
        duckdb.connect(str(gold.duckdb_path), read_only=True)
        .sql(f"select count(distinct profile_id) from {watching} where hash(profile_id) % 10 = 0")
        .fetchall()[0][0]
    )
    _change_gold(gold, f"delete from {watching} where hash(profile_id) % 10 = 0")
    removed = run()
    assert _totals(removed) == (0, profiles, 0, 0)
    assert _held(spec, sink) == _expected(spec, gold)


def test_change_aware_publishing_to_the_local_sink(gold: GoldReader, tmp_path: Path) -> None:
    spec = load_spec(SPEC_PATH)
    with (
        LocalSink(tmp_path / "local_cosmos.duckdb") as sink,
        PublishState.open(tmp_path / "state", sink.identity) as state,
    ):
        _check_change_aware_publishing(spec, gold, lambda: publish(spec, warehouse=gold, sink=sink, state=state), sink)


def test_change_aware_publishing_to_a_real_cosmos_server(
    gold: GoldReader, cosmos_server: CosmosServer, tmp_path: Path
) -> None:
    spec = load_spec(SPEC_PATH)
    database = cosmos_server.new_database_id("publish")
    spec = replace(spec, entries=tuple(replace(entry, database=database) for entry in spec.entries))
    sink = CosmosSink.from_settings(
        cosmos_server.endpoint, key=cosmos_server.key, connection_verify=False, create_containers=True
    )
    with sink, PublishState.open(tmp_path / "state", sink.identity) as state:
        _check_change_aware_publishing(spec, gold, lambda: publish(spec, warehouse=gold, sink=sink, state=state), sink)
        assert sink.client.get_database_client(database).get_container_client("top10-daily").read()["partitionKey"][
            "paths"
        ] == ["/countryCode", "/activityDate"]


class _DiesAfterSending:
    """A sink that sends its first batch and then dies before the publisher can record it: a kill at the worst moment."""

    def __init__(self, sink: LocalSink) -> None:
        self.sink = sink
        self.identity = sink.identity

    def prepare(self, target: ContainerTarget) -> None:
        self.sink.prepare(target)

    def upsert(self, target: ContainerTarget, documents: Sequence) -> list[Outcome]:
        self.sink.upsert(target, documents)
        raise KeyboardInterrupt

    def delete(self, target: ContainerTarget, keys: Sequence[DocumentKey]) -> list[Outcome]:
        self.sink.delete(target, keys)
        raise KeyboardInterrupt


def test_a_publish_killed_between_send_and_record_resumes_without_loss_or_leftovers(
    gold: GoldReader, tmp_path: Path
) -> None:
    spec = load_spec(SPEC_PATH)
    sink_path, state_dir = tmp_path / "local.duckdb", tmp_path / "state"
    with LocalSink(sink_path) as sink, PublishState.open(state_dir, sink.identity) as state:
        publish(spec, warehouse=gold, sink=sink, state=state)
    # Gold changes: a tenth of the profiles leave continue watching, every account's features change.
    watching = _relation(gold, "mart_continue_watching")
    removed = (
        duckdb.connect(str(gold.duckdb_path), read_only=True)
        .sql(f"select count(distinct profile_id) from {watching} where hash(profile_id) % 10 = 0")
        .fetchall()[0][0]
    )
    _change_gold(gold, f"delete from {watching} where hash(profile_id) % 10 = 0")
    _change_gold(gold, f"update {_relation(gold, 'ml_account_features')} set tenure_days = tenure_days + 1")
    with LocalSink(sink_path) as sink, PublishState.open(state_dir, sink.identity) as state:
        dying = _DiesAfterSending(sink)
        with pytest.raises(KeyboardInterrupt):
            publish(spec, warehouse=gold, sink=dying, state=state, models=["account_features"])
        with pytest.raises(KeyboardInterrupt):
            publish(spec, warehouse=gold, sink=dying, state=state, models=["continue_watching"])
        in_flight = [
            row
            for entry in spec.entries
            for row in state.manifest(entry.database, entry.container).values()
            if row.in_flight
        ]
        assert len(in_flight) == 500 + removed
    with LocalSink(sink_path) as sink, PublishState.open(state_dir, sink.identity) as state:
        resumed = publish(spec, warehouse=gold, sink=sink, state=state)
        assert resumed.ok
        assert sum(stats.resumed for stats in resumed.containers) == 500 + removed
        assert _held(spec, sink) == _expected(spec, gold)
        assert not state.interrupted_runs()
        assert _totals(publish(spec, warehouse=gold, sink=sink, state=state)) == (0, 0, 0, 0)


# --- the gate ---------------------------------------------------------------------------------------------------------


def _failed_build(gold: GoldReader, tmp_path: Path, failing_test_prefix: str) -> GoldReader:
    """The same warehouse with run results in which one test of a published model failed."""
    target = tmp_path / "target"
    target.mkdir()
    shutil.copyfile(gold.target_path / "manifest.json", target / "manifest.json")
    run_results = json.loads((gold.target_path / "run_results.json").read_text(encoding="utf-8"))
    failing = next(r for r in run_results["results"] if r["unique_id"].startswith(failing_test_prefix))
    failing.update(status="fail", failures=3, message="Got 3 results, configured to fail if != 0")
    (target / "run_results.json").write_text(json.dumps(run_results), encoding="utf-8")
    return GoldReader(gold.duckdb_path, target)


def test_the_gate_refuses_after_a_failed_test_and_leaves_the_sink_untouched(gold: GoldReader, tmp_path: Path) -> None:
    failed = _failed_build(gold, tmp_path, "test.flick.not_null_mart_top10_titles_daily_title_id")
    spec = load_spec(SPEC_PATH)
    with LocalSink(tmp_path / "local.duckdb") as sink, PublishState.open(tmp_path / "state", sink.identity) as state:
        with pytest.raises(GateRefused) as refusal:
            publish(spec, warehouse=failed, sink=sink, state=state, models=["app_home"])
        assert "test.flick.not_null_mart_top10_titles_daily_title_id" in str(refusal.value)
        assert "fail (Got 3 results" in str(refusal.value)
        assert sink._connection.sql("select count(*) from information_schema.tables").fetchall() == [(0,)]
        assert state.connection.execute("select count(*) from runs").fetchall() == [(0,)]
        # The failed test is not on the recommender's model, so that group still publishes.
        assert publish(spec, warehouse=failed, sink=sink, state=state, models=["recommender"]).ok


def test_the_gate_refuses_when_the_last_invocation_did_not_run_the_tests(gold: GoldReader, tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    shutil.copyfile(gold.target_path / "manifest.json", target / "manifest.json")
    run_results = json.loads((gold.target_path / "run_results.json").read_text(encoding="utf-8"))
    run_results["results"] = [r for r in run_results["results"] if r["unique_id"].startswith("model.")]
    (target / "run_results.json").write_text(json.dumps(run_results), encoding="utf-8")
    spec = load_spec(SPEC_PATH)
    with (
        LocalSink(tmp_path / "local.duckdb") as sink,
        PublishState.open(tmp_path / "state", sink.identity) as state,
        pytest.raises(GateRefused, match=r"unit_test.flick.mart_continue_watching.\w+: did not run"),
    ):
        publish(spec, warehouse=GoldReader(gold.duckdb_path, target), sink=sink, state=state)


# --- lake export and the command ------------------------------------------------------------------------------------


def test_lake_export_writes_readable_delta_tables_with_the_data_time(gold: GoldReader, tmp_path: Path) -> None:
    models = [entry.model for entry in load_spec(SPEC_PATH).entries]
    exported = export_to_lake(gold, models, tmp_path / "lake")
    for table in exported:
        delta = DeltaTable(str(tmp_path / "lake" / "gold" / table.model))
        # The same rows; Delta holds the warehouse's UTC timestamps as time-zone aware instants.
        expected = delta_compatible(gold.read(table.model))
        assert (
            delta.to_pyarrow_table()
            .sort_by([(c, "ascending") for c in expected.column_names[:2]])
            .equals(expected.sort_by([(c, "ascending") for c in expected.column_names[:2]]))
        )
        assert delta.history(1)[0]["flick.data_time"] == gold.data_time.isoformat()
    again = export_to_lake(gold, models[:1], tmp_path / "lake")
    assert again[0].version == 0 and not again[0].changed and again[0].rows == exported[0].rows


def _cli(gold: GoldReader, tmp_path: Path, *extra: str) -> list[str]:
    return [
        "publish",
        "--sink",
        "local",
        "--warehouse",
        str(gold.duckdb_path),
        "--dbt-target-dir",
        str(gold.target_path),
        "--lake",
        str(tmp_path / "lake"),
        "--state-dir",
        str(tmp_path / "state"),
        "--local-path",
        str(tmp_path / "local.duckdb"),
        "--quiet",
        *extra,
    ]


def test_publish_help_documents_every_option() -> None:
    result = CliRunner().invoke(main, ["publish", "--help"])
    assert result.exit_code == 0
    command = main.get_command(None, "publish")
    for option in command.params:
        assert option.help, f"--{option.name} has no help"
        assert option.opts[0] in result.output
    assert "Exit codes" in result.output


def test_the_command_publishes_to_the_local_sink_and_exports_to_the_lake(gold: GoldReader, tmp_path: Path) -> None:
    runner = CliRunner()
    dry = runner.invoke(main, _cli(gold, tmp_path, "--dry-run"))
    assert dry.exit_code == 0, dry.output
    assert "would publish" in dry.output and not (tmp_path / "lake" / "gold").exists()

    first = runner.invoke(main, _cli(gold, tmp_path))
    assert first.exit_code == 0, first.output
    assert "0 deleted, 0 unchanged, 0 failed, 0 invalid" in first.output
    assert (tmp_path / "lake" / "gold" / "mart_continue_watching" / "_delta_log").is_dir()
    with LocalSink(tmp_path / "local.duckdb") as sink:
        target = ContainerTarget.of(load_spec(SPEC_PATH).entry("account_features"))
        assert len(sink.read_all(target)) == gold.read("ml_account_features").num_rows

    again = runner.invoke(main, _cli(gold, tmp_path, "--models", "app_home", "--no-lake-export"))
    assert again.exit_code == 0, again.output
    assert "total: 0 written, 0 deleted" in again.output


def test_the_command_exits_3_when_the_gate_refuses(gold: GoldReader, tmp_path: Path) -> None:
    failed = _failed_build(gold, tmp_path, "test.flick.not_null_mart_continue_watching_profile_id")
    result = CliRunner().invoke(main, _cli(failed, tmp_path))
    assert result.exit_code == 3
    assert "refusing to publish" in result.output and not (tmp_path / "lake" / "gold").exists()


def test_the_command_rejects_an_unknown_entry_as_a_usage_error(gold: GoldReader, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, _cli(gold, tmp_path, "--models", "nope"))
    assert result.exit_code == 2
    assert "unknown publish entry or group: nope" in result.output
