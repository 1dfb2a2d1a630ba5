"""`flick-ops run` costs what landed, and gives what a full run with every test gives.

One lake, run day by day as production runs it: a first run on days 1-4 (some
of days 3-4's playback events held back on the device), a run with nothing
new, a run after day 5 lands (every source), and a run after the held-back
events land late (enqueued on day 6, client time days 3-4). Then a separate
warehouse is built from the same final lake by one `flick-ops run
--full-tests`. Every Gold relation and every quarantine must be the same,
row for row, apart from `_refreshed_at`.

The narrowed tests are checked on their own: a written row repeating a stored
key fails `unique`; a stored row the run did not write is not re-tested by a
row test, and is by a full test run.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from conftest import run_command_args

from flick_ops.cli import main
from flick_ops.dbt import artifacts
from flick_ops.dbt.runner import DbtWorkspace, run_dbt
from flick_ops.generate import generate_lake
from flick_ops.generate.world import GeneratorConfig
from flick_ops.run import scope as scope_module
from flick_ops.run.history import RunRecord, run_ids
from flick_ops.run.postmortem import build_postmortem, render_markdown
from flick_ops.run.scope import (
    EVERYTHING,
    LANDED,
    NOTHING,
    RunState,
    decide,
    last_build,
    last_clean_state,
    project_fingerprint,
    save_state,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
START = date(2026, 10, 1)
DAYS = 5
LATE_DAYS = (START + timedelta(days=2), START + timedelta(days=3))  # days 3 and 4
LATE_PER_MILLE = 40
LINEAGE_ONLY = {"_refreshed_at"}


@dataclass(frozen=True)
class Site:
    project: Path
    lake: Path
    warehouse: Path

    def run(self, as_of: date, *extra: str) -> tuple[int, str, RunRecord]:
        args = run_command_args(self.project, self.lake, self.warehouse, f"{as_of}T12:00", *extra)
        result = CliRunner().invoke(main, args, env={"FLICK_DUCKDB_PATH": str(self.warehouse / "flick.duckdb")})
        return result.exit_code, result.output, RunRecord.open(self.warehouse / "runs")


@dataclass(frozen=True)
class Runs:
    site: Site
    reference: Site
    outcomes: dict[str, tuple[int, str, RunRecord]]


def _held_back(line: str) -> bool:
    if not line.rstrip().endswith("}"):
        return False
    return int(hashlib.blake2b(line.encode(), digest_size=4).hexdigest(), 16) % 1000 < LATE_PER_MILLE


def _copy_days(generated: Path, lake: Path, days: set[date]) -> None:
    """Every source's files of these days into the lake; days 3-4's playback keeps its held-back lines out."""
    for path in sorted((generated / "bronze").rglob("ingest_date=*/*")):
        day = date.fromisoformat(path.parent.name.removeprefix("ingest_date="))
        if day not in days:
            continue
        target = lake / path.relative_to(generated)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.parts[-4:-2] == ("playback", "events") and day in LATE_DAYS:
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            target.write_text("".join(line for line in lines if not _held_back(line)), encoding="utf-8")
        else:
            shutil.copyfile(path, target)


def _land_late_events(generated: Path, lake: Path, enqueued: date) -> int:
    late = []
    for day in LATE_DAYS:
        for path in sorted((generated / "bronze/playback/events" / f"ingest_date={day}").glob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
                if _held_back(line):
                    event = json.loads(line)
                    event["enqueued_time"] = f"{enqueued}T00:30:00.000Z"
                    late.append(json.dumps(event, separators=(",", ":")) + "\n")
    target = lake / "bronze/playback/events" / f"ingest_date={enqueued}" / "part-00000.jsonl"
    target.parent.mkdir(parents=True)
    target.write_text("".join(late), encoding="utf-8")
    return len(late)


def _project_copy(destination: Path) -> Path:
    ignored = {".venv", "target", "logs", "lake", "warehouse", ".git", ".flick", "node_modules"}
    shutil.copytree(PROJECT_ROOT, destination, ignore=lambda _d, names: {n for n in names if n in ignored})
    return destination


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    folder = tmp_path_factory.mktemp("run_scope")
    generated = folder / "generated"
    config = GeneratorConfig(
        lake_root=generated, accounts=1000, days=DAYS, events_per_day=600, start_date=START, seed=5, dirty_rate=0.02
    )
    generate_lake(config)
    project = _project_copy(folder / "project")
    site = Site(project, folder / "lake", folder / "warehouse")
    day = [START + timedelta(days=offset) for offset in range(DAYS + 1)]
    outcomes = {}
    _copy_days(generated, site.lake, set(day[:4]))
    outcomes["first"] = site.run(day[3])
    outcomes["nothing new"] = site.run(day[3])
    _copy_days(generated, site.lake, {day[4]})
    outcomes["new day"] = site.run(day[4])
    assert _land_late_events(generated, site.lake, day[5]) > 10
    outcomes["late events"] = site.run(day[5])
    reference = Site(project, site.lake, folder / "reference")
    outcomes["full"] = reference.run(day[5], "--full-tests")
    return Runs(site, reference, outcomes)


def _compared(database: Path) -> list[str]:
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.sql(
            "select table_schema || '.' || table_name from information_schema.tables"
            " where table_schema = 'gold' or table_name like 'quarantine\\_%' escape '\\'"
        ).fetchall()
    return sorted(row[0] for row in rows)


def _differences(left: Path, right: Path, relation: str) -> tuple[int, int, int]:
    with duckdb.connect() as connection:
        connection.execute(f"attach '{left}' as scoped (read_only)")
        connection.execute(f"attach '{right}' as full_run (read_only)")
        schema, name = relation.split(".")
        columns = [
            row[0]
            for row in connection.execute(
                "select column_name from information_schema.columns where table_catalog = 'full_run'"
                " and table_schema = ? and table_name = ? order by ordinal_position",
                [schema, name],
            ).fetchall()
            if row[0] not in LINEAGE_ONLY
        ]
        listed = ", ".join(f'"{column}"' for column in columns)

        def only_in(a: str, b: str) -> int:
            query = f"select count(*) from (select {listed} from {a}.{relation} except all select {listed} from {b}.{relation})"
            return connection.sql(query).fetchall()[0][0]

        total = connection.sql(f"select count(*) from full_run.{relation}").fetchall()[0][0]
        return only_in("scoped", "full_run"), only_in("full_run", "scoped"), total


def test_every_run_exits_0_with_the_scope_it_should_have(runs: Runs) -> None:
    kinds = {name: record.summary().get("scope", {}).get("kind") for name, (_, _, record) in runs.outcomes.items()}
    for name, (exit_code, output, _) in runs.outcomes.items():
        assert exit_code == 0, f"{name}:\n{output}"
    assert kinds == {
        "first": "everything",
        "nothing new": "nothing",
        "new day": "landed",
        "late events": "landed",
        "full": "everything",
    }


def test_a_run_with_nothing_new_only_measures_freshness_and_says_so(runs: Runs) -> None:
    _, output, record = runs.outcomes["nothing new"]
    assert "nothing new landed since run" in output
    assert [step["step"] for step in record.steps()] == ["intake", "freshness"]
    assert record.attempts() == [] and "build" not in record.summary()
    assert "**Scope:** nothing: Gold is as that run published it" in render_markdown(build_postmortem(record))


def test_a_landed_run_builds_what_the_new_files_reach(runs: Runs) -> None:
    _, late_output, late = runs.outcomes["late events"]
    [attempt] = late.attempts()
    built = {r["unique_id"].split(".")[-1] for r in attempt["results"] if r["unique_id"].startswith("model.")}
    assert "playback_events" in built and "mart_continue_watching" in built
    # Only playback landed: the catalog and the customers are not rebuilt, and not held back either.
    assert "titles" not in built and "accounts" not in built, late_output
    assert late.summary()["publish"]["held_back"] == {}, late_output
    command = next(step["command"] for step in late.steps() if step["step"] == "build")
    assert "--select source:playback.events+ source:intake.landed_files+" in command


def test_a_landed_run_carries_the_unit_tests_of_the_same_project_from_the_last_build(runs: Runs) -> None:
    """Unit tests read fixtures, not the warehouse: with the project unchanged, the last build's passes hold, and
    the release rule reads them from the run's record as passed."""
    _, first_output, first = runs.outcomes["first"]
    unit_tests = {r["unique_id"] for r in first.attempts()[0]["results"] if r["unique_id"].startswith("unit_test.")}
    assert len(unit_tests) > 20, first_output
    for name in ("new day", "late events"):
        _, output, landed = runs.outcomes[name]
        assert "unit tests: all" in output, output
        ran = {r["unique_id"] for attempt in landed.attempts() for r in attempt["results"]}
        assert not ran & unit_tests, name
        build = landed.build()
        assert {test: build.status(test) for test in unit_tests} == dict.fromkeys(unit_tests, "pass"), name
    # A full test run runs them.
    _, _, full = runs.outcomes["full"]
    assert unit_tests <= {r["unique_id"] for r in full.attempts()[0]["results"]}


def test_a_landed_run_measures_freshness_from_the_intake_as_dbt_measures_it(runs: Runs) -> None:
    _, _, late = runs.outcomes["late events"]
    _, _, full = runs.outcomes["full"]
    [freshness] = [step for step in late.steps() if step["step"] == "freshness"]
    assert freshness["measured_by"] == "intake manifest"

    def newest(record: RunRecord) -> dict[str, str]:
        return {result["unique_id"]: result["max_loaded_at"] for result in record.freshness()["results"]}

    assert newest(late) == newest(full) and len(newest(full)) == 12


def test_runs_that_build_only_what_landed_end_with_the_gold_and_quarantine_of_a_full_run(runs: Runs) -> None:
    scoped, full = runs.site.warehouse / "flick.duckdb", runs.reference.warehouse / "flick.duckdb"
    relations = _compared(full)
    assert "gold.mart_continue_watching" in relations and "silver.quarantine_playback" in relations
    assert _compared(scoped) == relations
    different = {}
    for relation in relations:
        only_scoped, only_full, total = _differences(scoped, full, relation)
        if only_scoped or only_full:
            different[relation] = (only_scoped, only_full, total)
    assert different == {}


# The narrowed tests themselves ---------------------------------------------------------------------------------


@pytest.fixture
def scratch(runs: Runs, tmp_path: Path) -> DbtWorkspace:
    shutil.copyfile(runs.site.warehouse / "flick.duckdb", tmp_path / "flick.duckdb")
    return DbtWorkspace.in_folder(tmp_path, lake_root=runs.site.lake)


def _test_playback_events(workspace: DbtWorkspace, since: datetime | None) -> dict[str, str]:
    env = {"FLICK_TESTS_WRITTEN_SINCE": f"{since:%Y-%m-%d %H:%M:%S}"} if since else {}
    outcome = run_dbt(
        ["test", "--target", "duckdb", "--select", "playback_events,test_type:generic"], workspace, extra_env=env
    )
    assert outcome.run_results, outcome.output[-3000:]
    return {r["unique_id"].split(".")[2]: r["status"] for r in outcome.run_results["results"]}


def test_narrowed_tests_check_written_rows_and_new_keys_against_stored_ones(scratch: DbtWorkspace) -> None:
    """A written row repeating a stored key fails `unique`; a stored row the run did not write is re-tested
    only by a full test run."""
    now = datetime(2030, 1, 1)
    with duckdb.connect(str(scratch.duckdb_path)) as connection:
        connection.execute(
            "insert into silver.playback_events select * replace (cast(? as timestamp) as _refreshed_at)"
            " from silver.playback_events order by _refreshed_at limit 1",
            [now],
        )
        connection.execute(
            "update silver.playback_events set country = null"
            " where event_id = (select max(event_id) from silver.playback_events where _refreshed_at < ?)",
            [now],
        )
    narrowed = _test_playback_events(scratch, now - timedelta(minutes=1))
    assert narrowed["unique_playback_events_event_id"] == "fail"
    assert narrowed["not_null_playback_events_event_id"] == "pass"
    assert narrowed["not_null_playback_events_country"] == "pass"
    full = _test_playback_events(scratch, None)
    assert full["not_null_playback_events_country"] == "fail"


def _conservation_of_playback(workspace: DbtWorkspace, landed_from: dict[str, str] | None) -> str:
    env = {"FLICK_TESTS_LANDED_FROM": json.dumps(landed_from)} if landed_from is not None else {}
    outcome = run_dbt(
        ["test", "--target", "duckdb", "--select", "stg_playback__events,test_name:row_conservation"],
        workspace,
        extra_env=env,
    )
    assert outcome.run_results, outcome.output[-3000:]
    (result,) = outcome.run_results["results"]
    return result["status"]


def test_narrowed_row_conservation_balances_the_ingest_dates_from_the_earliest_that_landed(
    scratch: DbtWorkspace,
) -> None:
    """A row lost from an ingest date before the earliest one that landed is found by a full test run only; a
    row lost from a date the run rewrote is found by the narrowed test too."""
    old_day, landed_day = START, START + timedelta(days=DAYS - 1)
    landed = {"playback.events": f"{landed_day}", "app.accounts": f"{old_day}"}
    assert _conservation_of_playback(scratch, landed) == "pass"

    def lose_a_row(day: date) -> None:
        with duckdb.connect(str(scratch.duckdb_path)) as connection:
            connection.execute(
                "delete from silver.playback_events where event_id ="
                " (select min(event_id) from silver.playback_events where _ingest_date = ?)",
                [day],
            )

    lose_a_row(old_day)
    assert _conservation_of_playback(scratch, landed) == "pass"
    assert _conservation_of_playback(scratch, None) == "fail"
    lose_a_row(landed_day)
    assert _conservation_of_playback(scratch, landed) == "fail"
    # Nothing of the entity landed: the run wrote none of its dates, so none is balanced.
    assert _conservation_of_playback(scratch, {"app.accounts": f"{old_day}"}) == "pass"


# How the scope is decided (no dbt) ------------------------------------------------------------------------------


def _state(landed: dict[str, list[int]], project: str = "p1", warehouse: str | None = "w1") -> RunState:
    return RunState(
        project, warehouse, landed, {path: path.split("/")[1] + "." + path.split("/")[2] for path in landed}
    )


BEFORE = _state({"bronze/app/accounts/d=1/a.csv": [10, 1], "bronze/playback/events/d=1/p.jsonl": [20, 1]})


@pytest.mark.parametrize(
    ("now", "options", "kind", "entities"),
    [
        (BEFORE, {}, NOTHING, ()),
        (_state({**BEFORE.landed, "bronze/playback/events/d=2/p.jsonl": [5, 2]}), {}, LANDED, ("playback.events",)),
        # A file that changed in place or went away changes Bronze as much as a new one.
        (_state({**BEFORE.landed, "bronze/app/accounts/d=1/a.csv": [11, 3]}), {}, LANDED, ("app.accounts",)),
        (_state({"bronze/app/accounts/d=1/a.csv": [10, 1]}), {}, LANDED, ("playback.events",)),
        (_state(BEFORE.landed, project="p2"), {}, EVERYTHING, ()),
        (_state(BEFORE.landed, warehouse="w2"), {}, EVERYTHING, ()),
        (_state(BEFORE.landed, warehouse=None), {}, EVERYTHING, ()),
        (BEFORE, {"full_tests": True}, EVERYTHING, ()),
        (BEFORE, {"select": ["+mart_a"]}, EVERYTHING, ()),
    ],
)
def test_the_scope_follows_what_changed_since_the_last_clean_run(now, options, kind, entities) -> None:
    scope = decide(now, ("run-1", BEFORE), **{"full_tests": False, "select": [], **options})
    assert (scope.kind, scope.entities) == (kind, entities)


def test_a_landed_scope_names_the_earliest_ingest_date_each_entity_got_a_file_for() -> None:
    before = _state({"bronze/playback/events/ingest_date=2026-10-03/p.jsonl": [5, 1]})
    now = _state(
        {
            "bronze/playback/events/ingest_date=2026-10-05/p.jsonl": [5, 2],
            "bronze/playback/events/ingest_date=2026-10-04/p.jsonl": [5, 2],
            "bronze/app/accounts/ingest_date=2026-10-05/a.csv": [5, 2],
        }
    )
    scope = decide(now, ("run-1", before), full_tests=False, select=[])
    # The removed file of 2026-10-03 changes that date's balance as much as a new one.
    assert scope.landed_from == {"app.accounts": "2026-10-05", "playback.events": "2026-10-03"}
    assert json.loads(scope.tests_env(datetime(2030, 1, 1))["FLICK_TESTS_LANDED_FROM"]) == scope.landed_from
    assert decide(now, None, full_tests=False, select=[]).tests_env(datetime(2030, 1, 1)) == {}


def test_an_upgrade_of_dbt_or_an_engine_changes_the_project_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "a.sql").write_text("select 1", encoding="utf-8")
    before = project_fingerprint(tmp_path, ["duckdb"], "salt")
    assert project_fingerprint(tmp_path, ["duckdb"], "salt") == before
    real_version = scope_module.metadata.version
    monkeypatch.setattr(
        scope_module.metadata, "version", lambda name: "99.0" if name == "duckdb" else real_version(name)
    )
    assert project_fingerprint(tmp_path, ["duckdb"], "salt") != before


def test_without_a_clean_run_before_everything_is_built() -> None:
    assert decide(BEFORE, None, full_tests=False, select=[]).kind == EVERYTHING


def test_a_failed_run_after_the_clean_one_makes_the_next_run_build_everything(tmp_path: Path) -> None:
    clean = RunRecord.create(tmp_path)
    save_state(clean, BEFORE)
    clean.write_summary({"build": {}, "exit_code": 0})
    assert last_clean_state(tmp_path, "99999999")[0] == clean.run_id
    failed = RunRecord(tmp_path / (clean.run_id + "x"))
    failed.folder.mkdir()
    failed.write_summary({"build": {}, "exit_code": 1})
    assert last_clean_state(tmp_path, "99999999") is None


def test_the_last_build_is_found_past_runs_that_built_nothing(tmp_path: Path) -> None:
    built = RunRecord.create(tmp_path)
    attempt = built.folder / artifacts.attempt_folder(1)
    attempt.mkdir(parents=True)
    (attempt / artifacts.RUN_RESULTS).write_text(json.dumps({"results": []}), encoding="utf-8")
    nothing_new = RunRecord.create(tmp_path)
    nothing_new.write_summary({"scope": {"kind": NOTHING, "since_run": built.run_id}})
    again = RunRecord.create(tmp_path)
    again.write_summary({"scope": {"kind": NOTHING, "since_run": nothing_new.run_id}})

    assert last_build(tmp_path, again.run_id).run_id == built.run_id
    assert last_build(tmp_path, built.run_id).run_id == built.run_id
    assert last_build(tmp_path, None) is None
    looped = RunRecord.create(tmp_path)
    looped.write_summary({"scope": {"kind": NOTHING, "since_run": looped.run_id}})
    assert last_build(tmp_path, looped.run_id) is None


def test_runs_started_in_the_same_second_sort_in_the_order_they_started(tmp_path: Path) -> None:
    started = [RunRecord.create(tmp_path).run_id for _ in range(6)]
    assert run_ids(tmp_path) == started
