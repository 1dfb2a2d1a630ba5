"""Silver playback on a real generated lake: every planted dirty row ends where
the rules say, nothing is lost (`row_conservation`), and the conservation test
fails when a Silver row goes missing.

One small lake per module, built once (`dbt build` of everything upstream,
then `dbt test` of the playback models). The generator's manifest says how
many dirty rows of each kind it planted; the quarantine must hold exactly
those, with documented knock-on effects:

* Orphans: the generator plants events pointing at ids that were never
  issued. Events can also point at an account, profile or title whose own
  landed rows were all broken (and quarantined by its source's Silver model,
  or unreadable); those events are `orphan_reference` too, because Silver
  keeps its foreign keys whole. They are told apart by whether the
  generator's world (rebuilt from the same config) issued the id.
* Re-deliveries: a re-delivered event whose reference is missing from Silver
  fails `orphan_reference` (a higher-priority rule) in every copy, so it is
  counted there rather than as `duplicate`; a late event with such a
  reference is quarantined as `orphan_reference` (still marked late).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from workspaces import copy_of

from flick_ops.dbt.runner import DbtOutcome, DbtWorkspace, run_dbt
from flick_ops.generate import generate_lake
from flick_ops.generate.entities import build_world
from flick_ops.generate.summary import MANIFEST_NAME
from flick_ops.generate.world import GeneratorConfig

LAKE_OPTIONS = {"accounts": 200, "days": 4, "events_per_day": 3000, "dirty_rate": 0.02}
PLAYBACK_MODELS = (
    "stg_playback__event_ids",
    "int_playback_events_checked",
    "int_playback_event_deliveries",
    "int_playback_events_validated",
    "playback_events",
    "quarantine_playback",
    "playback_sessions",
)
CONSERVATION_TEST = "stg_playback__events,test_name:row_conservation"
# Upstream models (seeds, Bronze, accounts, profiles, titles) are built without
# their own tests, which other suites own; then every test of the playback
# models runs, unit tests and row_conservation included.
BUILD_UPSTREAM_ARGS = [
    "build",
    "--target",
    "duckdb",
    "--select",
    "+playback_sessions",
    "+quarantine_playback",
    "--exclude-resource-type",
    "test",
    "--exclude-resource-type",
    "unit_test",
]
# `buildable`: tests of the playback models whose other parents are upstream
# (relationships to accounts, profiles, titles), not Gold tests that read them.
TEST_PLAYBACK_ARGS = [
    "test",
    "--target",
    "duckdb",
    "--select",
    *PLAYBACK_MODELS,
    CONSERVATION_TEST,
    "--indirect-selection",
    "buildable",
]
LINE_FAULTS = ("malformed", "missing_required", "bad_type", "invalid_enum", "future_timestamp")

# Orphan events split by whether an id they reference was never issued by
# the simulated world (planted) or was issued but is missing from Silver.
ORPHANS_BY_ORIGIN = """
select
    events._bronze_row_id,
    case
        when events.account_id not in (select account_id from issued_accounts)
            or events.profile_id not in (select profile_id from issued_profiles)
            or events.title_id not in (select title_id from issued_titles)
            then 'never_issued'
        else 'issued'
    end as origin,
    case
        when events.account_id not in (select account_id from silver.accounts)
            or events.profile_id not in (select profile_id from silver.profiles)
            or events.title_id not in (select title_id from silver.titles)
            then 1
        else 0
    end as is_missing_from_silver
from silver.int_playback_events_validated as events
where events.quarantine_reason = 'orphan_reference'
"""


@dataclass(frozen=True)
class PlaybackBuild:
    workspace: DbtWorkspace
    build_outcome: DbtOutcome
    test_outcome: DbtOutcome
    planted: dict[str, int]
    issued_ids: dict[str, pa.Table]

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.workspace.duckdb_path), read_only=True) as con:
            for name, table in self.issued_ids.items():
                con.register(name, table)
            return con.sql(sql).fetchall()

    def scalar(self, sql: str) -> int:
        return self.query(sql)[0][0]


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> PlaybackBuild:
    folder = tmp_path_factory.mktemp("silver_playback")
    config = GeneratorConfig(lake_root=folder / "lake", **LAKE_OPTIONS)
    generate_lake(config)
    workspace = DbtWorkspace.in_folder(folder, lake_root=config.lake_root)
    build_outcome = run_dbt(BUILD_UPSTREAM_ARGS, workspace)
    test_outcome = run_dbt(TEST_PLAYBACK_ARGS, workspace)
    return PlaybackBuild(
        workspace, build_outcome, test_outcome, _planted_playback_faults(config.lake_root), _issued_ids(config)
    )


def _issued_ids(config: GeneratorConfig) -> dict[str, pa.Table]:
    """Every account, profile and title id the generator's world issued (the world is fixed by the config)."""
    world = build_world(config)
    return {
        "issued_accounts": pa.table({"account_id": world.accounts.account_id.tolist()}),
        "issued_profiles": pa.table({"profile_id": world.profiles.profile_id.tolist()}),
        "issued_titles": pa.table({"title_id": world.titles.title_id.tolist()}),
    }


def _planted_playback_faults(lake: Path) -> dict[str, int]:
    manifest = json.loads((lake / MANIFEST_NAME).read_text(encoding="utf-8"))
    (events,) = [e for e in manifest["entities"] if (e["source"], e["entity"]) == ("playback", "events")]
    return events["dirty"]


def _reason_count(build: PlaybackBuild, reason: str) -> int:
    return build.scalar(f"select count(*) from silver.quarantine_playback where quarantine_reason = '{reason}'")


def test_playback_slice_builds_and_passes_its_tests_with_row_conservation(build: PlaybackBuild) -> None:
    assert build.build_outcome.succeeded, build.build_outcome.output[-5000:]
    assert build.test_outcome.succeeded, build.test_outcome.output[-5000:]
    results = build.test_outcome.run_results["results"]
    assert build.test_outcome.failures() == []
    assert any(r["unique_id"].startswith("unit_test.flick.playback_sessions.") for r in results)
    assert any(r["unique_id"].startswith("test.flick.relationships_playback_events_account_id") for r in results)
    conservation = [r for r in results if r["unique_id"].startswith("test.flick.row_conservation_stg_playback__events")]
    assert [r["status"] for r in conservation] == ["pass"], "row_conservation must be declared on stg_playback__events"


@pytest.mark.parametrize("reason", LINE_FAULTS)
def test_each_planted_line_fault_is_quarantined_under_its_reason(build: PlaybackBuild, reason: str) -> None:
    planted = build.planted.get(reason, 0)
    assert planted > 0, f"the lake should plant {reason} rows for this test to mean anything"
    assert _reason_count(build, reason) == planted


def test_planted_orphans_are_exactly_the_events_with_never_issued_ids(build: PlaybackBuild) -> None:
    by_origin = dict(build.query(f"select origin, count(*) from ({ORPHANS_BY_ORIGIN}) group by origin"))
    assert by_origin.get("never_issued", 0) == build.planted["orphan_reference"]


def test_every_orphan_points_at_an_id_missing_from_silver(build: PlaybackBuild) -> None:
    not_missing = build.scalar(f"select count(*) from ({ORPHANS_BY_ORIGIN}) where is_missing_from_silver = 0")
    assert not_missing == 0


def test_each_redelivery_is_quarantined_once_and_the_earliest_copy_kept(build: PlaybackBuild) -> None:
    duplicates = _reason_count(build, "duplicate")
    orphaned_redeliveries = build.scalar(
        "select coalesce(sum(copies - 1), 0) from ("
        " select event_id, count(*) as copies from silver.int_playback_events_validated"
        " where quarantine_reason = 'orphan_reference' group by event_id)"
    )
    assert duplicates > 0
    assert duplicates + orphaned_redeliveries == build.planted["duplicate"]
    later_than_kept = build.scalar(
        "select count(*) from silver.int_playback_events_validated as redelivered"
        " inner join silver.playback_events as kept on redelivered.event_id = kept.event_id"
        " where redelivered.quarantine_reason = 'duplicate' and redelivered.enqueued_time < kept.enqueued_time"
    )
    assert later_than_kept == 0


def test_late_events_are_kept_and_marked(build: PlaybackBuild) -> None:
    planted = build.planted["late"]
    assert planted > 0
    assert build.scalar("select count(*) from silver.int_playback_events_validated where is_late = 1") == planted
    late_orphans = build.scalar(
        "select count(*) from silver.int_playback_events_validated where is_late = 1 and quarantine_reason = 'orphan_reference'"
    )
    late_other = build.scalar(
        "select count(*) from silver.int_playback_events_validated"
        " where is_late = 1 and quarantine_reason is not null and quarantine_reason <> 'orphan_reference'"
    )
    assert late_other == 0
    assert build.scalar("select count(*) from silver.playback_events where is_late = 1") == planted - late_orphans
    assert build.scalar("select min(lateness_hours) from silver.playback_events where is_late = 1") >= 24


def test_sessions_account_for_every_clean_event(build: PlaybackBuild) -> None:
    events = build.scalar("select count(*) from silver.playback_events")
    assert events > 0
    assert build.scalar("select sum(event_count) from silver.playback_sessions") == events
    assert build.scalar("select count(*) from silver.playback_sessions where watch_time_ms > 0") > 0


def _conservation_test_after_deleting(
    build: PlaybackBuild, scratch_folder: Path, table: str, row_ids: str
) -> DbtOutcome:
    """row_conservation run on a copy of the warehouse from which one row of `table` was deleted."""
    scratch = copy_of(build.workspace, scratch_folder)
    with duckdb.connect(str(scratch.duckdb_path)) as con:
        con.execute(f"delete from {table} where _bronze_row_id = (select min(_bronze_row_id) from {row_ids})")
    return run_dbt(["test", "--target", "duckdb", "--select", CONSERVATION_TEST], scratch)


def test_row_conservation_fails_when_a_silver_row_is_deleted(
    build: PlaybackBuild, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outcome = _conservation_test_after_deleting(
        build, tmp_path_factory.mktemp("conservation_scratch"), "silver.playback_events", "silver.playback_events"
    )

    results = outcome.run_results["results"]
    declared = any(r["unique_id"].startswith("test.flick.row_conservation") for r in results)
    assert declared, "row_conservation must be declared on stg_playback__events"
    assert not outcome.succeeded
    # One ingest date out of balance, and the deleted row placed nowhere.
    assert [(r["status"], r["failures"]) for r in results] == [("fail", 2)]


def test_row_conservation_fails_when_the_checked_events_lose_a_landed_row(
    build: PlaybackBuild, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The rows are followed from the checked table, so it must hold every landed line: one gone fails the test
    (its file out of balance with the landed lines, its date and the row placed but never landed)."""
    outcome = _conservation_test_after_deleting(
        build,
        tmp_path_factory.mktemp("checked_scratch"),
        "silver.int_playback_events_checked",
        "silver.quarantine_playback",
    )

    assert not outcome.succeeded
    results = outcome.run_results["results"]
    assert [(r["status"], r["failures"]) for r in results] == [("fail", 3)], outcome.output[-3000:]


def test_the_playback_bronze_views_are_read_by_no_test_but_row_conservation(build: PlaybackBuild) -> None:
    """Each test of a Bronze view over the stream parses every landed line again, so the
    column tests sit on the checked events, the table holding every landed line once."""
    manifest = json.loads((Path(build.workspace.target_path) / "manifest.json").read_text(encoding="utf-8"))
    tests = [node for node in manifest["nodes"].values() if node["resource_type"] == "test"]

    def tests_of(model: str) -> set[str]:
        return {
            f"{node['test_metadata']['name']}:{node.get('column_name') or ''}"
            for node in tests
            if node.get("attached_node") == f"model.flick.{model}" and node.get("test_metadata")
        }

    assert tests_of("stg_playback__events") == {"row_conservation:"}
    assert tests_of("stg_playback__event_ids") == set()
    assert {
        "accepted_values:event_type",
        "accepted_values:device",
        "accepted_values:cdn",
        "not_null:_source_file",
        "not_null:_ingest_date",
        "not_null:_loaded_at",
        "not_null:_raw_payload",
        "unique:_bronze_row_id",
        "not_null:_bronze_row_id",
    } <= tests_of("int_playback_events_checked")
