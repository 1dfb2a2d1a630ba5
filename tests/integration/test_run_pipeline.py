"""`flick-ops run` fails well: each failure kind is caused for real, on a small lake, in a scratch copy of the project.

A baseline run publishes two spec entries (continue_watching, account_features)
to a local sink and the lake's gold zone. Each failure run starts from a copy
of that baseline (warehouse, sink, publish state, lake) and must leave what the
baseline published for the failed model untouched, alert a local webhook, and
leave a post-mortem naming the root cause. About 3.5 minutes in all on 2 cores:
the baseline build ~60 s, each failure run 20-55 s.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from conftest import run_command_args

from flick_ops.cli import main
from flick_ops.generate import generate_lake
from flick_ops.generate.world import GeneratorConfig
from flick_ops.run.history import RunRecord
from flick_ops.run.postmortem import build_postmortem, write_postmortem
from flick_ops.run.retry import RetryPolicy, classify

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Lake days 2026-10-01..03; freshness judged at noon on the last day: fresh, but profiles and studio
# originals (landed on day one only) are past their 36 h warning.
AS_OF = "2026-10-03T12:00"
BASELINE_SELECTION = "+mart_continue_watching +ml_account_features"
# Failure runs rebuild only the published models and the models their tests read; the rest is in the copy.
NARROW_SELECTION = "mart_continue_watching ml_account_features fct_playback_sessions dim_accounts dim_titles plans"
CONTINUE_WATCHING = "model.flick.mart_continue_watching"
CONTINUE_WATCHING_UNIT_TEST = (
    "unit_test.flick.mart_continue_watching.continue_watching_keeps_unfinished_titles_newest_first"
)
CONTINUE_WATCHING_EXPOSURE = "exposure.flick.app_continue_watching_row"


# Local webhook receiver -------------------------------------------------------------------------------------


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict]]]:
    with webhook_receiver() as receiver:
        yield receiver


@contextmanager
def webhook_receiver() -> Iterator[tuple[str, list[dict]]]:
    """A threaded HTTP server on 127.0.0.1 recording the JSON body of every POST."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"1")

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", received
    finally:
        server.shutdown()


# Scratch layouts ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """One run's world: a project copy, its lake, and the warehouse folder (warehouse, sink, state, history)."""

    project: Path
    lake: Path
    warehouse: Path

    def run(self, selection: str, *extra: str, webhook_url: str | None = None) -> tuple[int, str]:
        args = run_command_args(self.project, self.lake, self.warehouse, AS_OF, "--select", selection, *extra)
        if webhook_url:
            args += ["--webhook-url", webhook_url]
        result = CliRunner().invoke(main, args, env={"FLICK_DUCKDB_PATH": str(self.warehouse / "flick.duckdb")})
        return result.exit_code, result.output

    def last_run(self) -> RunRecord:
        return RunRecord.open(self.warehouse / "runs")

    def alert_log(self) -> list[dict]:
        return [json.loads(line) for line in (self.warehouse / "alerts.jsonl").read_text().splitlines()]


def _copy_project(destination: Path, planted: dict[str, str] | None = None) -> Path:
    ignored = {".venv", "target", "logs", "lake", "warehouse", ".git", ".flick"}
    shutil.copytree(PROJECT_ROOT, destination, ignore=lambda _d, names: {n for n in names if n in ignored})
    for relative_path, text in (planted or {}).items():
        (destination / relative_path).parent.mkdir(parents=True, exist_ok=True)
        (destination / relative_path).write_text(text, encoding="utf-8")
    return destination


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Site:
    folder = tmp_path_factory.mktemp("run_baseline")
    lake = folder / "lake"
    generate_lake(
        GeneratorConfig(lake_root=lake, accounts=200, days=3, events_per_day=300, start_date=date(2026, 10, 1), seed=7),
    )
    site = Site(_copy_project(folder / "project"), lake, folder / "warehouse")
    exit_code, output = site.run(BASELINE_SELECTION)
    assert exit_code == 0, output
    assert set(site.last_run().summary()["publish"]["published"]) == {"continue_watching", "account_features"}, output
    return site


def _scratch(baseline: Site, folder: Path, planted: dict[str, str] | None = None) -> Site:
    """A copy of the baseline's lake and warehouse (published outputs included) and a project copy with plants."""
    shutil.copytree(baseline.lake, folder / "lake")
    shutil.copytree(baseline.warehouse, folder / "warehouse", ignore=shutil.ignore_patterns("runs", "alerts.jsonl"))
    return Site(_copy_project(folder / "project", planted), folder / "lake", folder / "warehouse")


def _continue_watching_outputs(site: Site) -> dict:
    """What consumers of continue_watching see: its documents in the local sink and its Delta export's files."""
    with duckdb.connect(str(site.warehouse / "local_cosmos.duckdb"), read_only=True) as sink:
        tables = sink.execute(
            "select table_schema, table_name from information_schema.tables where table_name like '%continue%'"
        ).fetchall()
        documents = {
            f"{schema}.{table}": sorted(map(str, sink.execute(f'select * from "{schema}"."{table}"').fetchall()))
            for schema, table in tables
        }
    export = site.lake / "gold" / "mart_continue_watching"
    files = {
        str(p.relative_to(export)): hashlib.sha256(p.read_bytes()).hexdigest() for p in export.rglob("*") if p.is_file()
    }
    assert documents and any(documents.values()) and files, "the baseline should have published continue_watching"
    return {"documents": documents, "export": files}


def _delta_versions(site: Site, model: str) -> int:
    return len(list((site.lake / "gold" / model / "_delta_log").glob("*.json")))


def _model_source(planted_change: tuple[str, str]) -> str:
    original = (PROJECT_ROOT / "models/gold/app/mart_continue_watching.sql").read_text(encoding="utf-8")
    old, new = planted_change
    assert old in original
    return original.replace(old, new)


# The failure matrix --------------------------------------------------------------------------------------------


def test_a_stale_and_an_empty_source_stop_the_run_before_any_model_builds(baseline, tmp_path, webhook) -> None:
    url, received = webhook
    site = _scratch(baseline, tmp_path)
    shutil.rmtree(site.lake / "bronze" / "reviews" / "scores")  # the reviews feed never landed
    before = _continue_watching_outputs(site)

    # The whole project (an empty selection): every source is measured, and the run stops before building.
    exit_code, output = site.run("", "--as-of", "2026-10-09", webhook_url=url)

    assert exit_code == 3, output
    record = site.last_run()
    assert record.attempts() == []  # no dbt build ran
    blocking = record.summary()["freshness"]["blocking"]
    assert any(problem.startswith("playback.events:") for problem in blocking), blocking
    assert "reviews.scores: empty, nothing has landed" in blocking
    assert [alert["kind"] for alert in site.alert_log()] == ["stale_source"]
    assert len(received) == 1 and "playback.events" in received[0]["text"] and "reviews.scores" in received[0]["text"]
    assert received[0]["@type"] == "MessageCard" and received[0]["blocks"]
    assert _continue_watching_outputs(site) == before
    markdown, _page = write_postmortem(record)
    assert "stale or empty source: playback.events" in markdown.read_text()


def test_a_sql_error_is_not_retried_and_only_its_consumers_keep_the_last_good_data(baseline, tmp_path, webhook) -> None:
    url, received = webhook
    broken = _model_source(("where watch_time_ms > 0", "where watch_time_ms_typo > 0"))
    site = _scratch(baseline, tmp_path, {"models/gold/app/mart_continue_watching.sql": broken})
    before = _continue_watching_outputs(site)
    features_versions = _delta_versions(site, "ml_account_features")

    exit_code, output = site.run(NARROW_SELECTION, "--retry-wait", "0", webhook_url=url)

    assert exit_code == 1, output
    record = site.last_run()
    summary = record.summary()
    assert summary["build"]["retries"] == 0 and len(record.attempts()) == 1
    # dbt runs a model's unit tests before the model: the broken SQL fails there first, and the model is skipped.
    report = build_postmortem(record)
    [root_cause] = report.diagnosis.root_causes
    assert root_cause.unique_id == CONTINUE_WATCHING_UNIT_TEST and "watch_time_ms_typo" in root_cause.message
    casualties = {o.unique_id: o.status for o in report.diagnosis.casualties}
    assert casualties[CONTINUE_WATCHING] == "skipped" and set(casualties.values()) == {"skipped"}
    assert CONTINUE_WATCHING_EXPOSURE in report.diagnosis.affected_exposures
    # Degraded, not down: the failed model's consumers keep the baseline's data; what passed is still published.
    assert _continue_watching_outputs(site) == before
    assert summary["publish"]["published"] == ["account_features"]
    assert "continue_watching" in summary["publish"]["held_back"]
    assert _delta_versions(site, "ml_account_features") == features_versions  # rebuilt unchanged: no new Delta version
    assert summary["publish"]["data_time"]["ml_account_features"].startswith("2026-10-0")
    [alert] = received
    assert CONTINUE_WATCHING_UNIT_TEST in alert["text"] and "watch_time_ms_typo" in alert["text"]
    assert CONTINUE_WATCHING_EXPOSURE in alert["text"]
    assert site.alert_log()[-1]["delivered"] is True
    markdown, page = write_postmortem(record)
    assert f"### `{CONTINUE_WATCHING_UNIT_TEST}` (error, attempt 1)" in markdown.read_text()
    kept_sql = record.folder / "compiled" / f"{CONTINUE_WATCHING_UNIT_TEST}.sql"
    assert f"Compiled SQL: `{kept_sql}`" in markdown.read_text() and "watch_time_ms_typo" in kept_sql.read_text()
    assert "<script" not in page.read_text() and "http" not in page.read_text().split("<body>")[0]


def test_a_failing_data_test_holds_back_the_model_it_tests(baseline, tmp_path, webhook) -> None:
    url, received = webhook
    failing_test = "select profile_id from {{ ref('mart_continue_watching') }}\n"
    site = _scratch(
        baseline, tmp_path, {"tests/data_tests/gold/assert_planted_continue_watching_is_empty.sql": failing_test}
    )
    before = _continue_watching_outputs(site)

    exit_code, output = site.run(NARROW_SELECTION, "--retry-wait", "0", webhook_url=url)

    assert exit_code == 1, output
    record = site.last_run()
    assert record.summary()["build"]["retries"] == 0
    report = build_postmortem(record)
    assert [o.unique_id for o in report.diagnosis.root_causes] == [
        "test.flick.assert_planted_continue_watching_is_empty"
    ]
    assert report.diagnosis.root_causes[0].status == "fail"
    assert CONTINUE_WATCHING_EXPOSURE in report.diagnosis.affected_exposures
    assert _continue_watching_outputs(site) == before
    assert record.summary()["publish"]["published"] == ["account_features"]
    [alert] = received
    assert "assert_planted_continue_watching_is_empty" in alert["text"] and CONTINUE_WATCHING_EXPOSURE in alert["text"]


def test_a_group_held_back_by_a_failure_lists_every_members_consumers_as_affected(baseline, tmp_path) -> None:
    """app_home goes out whole: a failing test on the Top 10 mart holds back continue_watching too."""
    failing_test = "select title_id from {{ ref('mart_top10_titles_daily') }}\n"
    site = _scratch(baseline, tmp_path, {"tests/data_tests/gold/assert_planted_top10_is_empty.sql": failing_test})
    before = _continue_watching_outputs(site)

    exit_code, output = site.run(f"{NARROW_SELECTION} mart_top10_titles_daily", "--retry-wait", "0")

    assert exit_code == 1, output
    record = site.last_run()
    held_back = record.summary()["publish"]["held_back"]
    assert "group app_home goes out whole" in held_back["continue_watching"], held_back
    assert _continue_watching_outputs(site) == before
    markdown, page = write_postmortem(record)
    affected = markdown.read_text().split("## Consumers affected")[1].split("##")[0]
    assert f"`{CONTINUE_WATCHING_EXPOSURE}`" in affected and "`exposure.flick.app_top10_row`" in affected
    assert CONTINUE_WATCHING_EXPOSURE in page.read_text()
    [alert] = site.alert_log()
    assert CONTINUE_WATCHING_EXPOSURE in alert["affected_exposures"]


def test_a_transient_lock_error_is_retried_and_the_retry_rebuilds_only_what_failed(baseline, tmp_path, webhook) -> None:
    """Another process holds a DuckDB file the model's pre-hook attaches, until the first attempt has failed."""
    url, received = webhook
    side_database = tmp_path / "side.duckdb"
    duckdb.connect(str(side_database)).close()
    hook = f'{{{{ config(pre_hook=["attach \'{side_database}\' as lock_probe", "detach lock_probe"]) }}}}\n'
    site = _scratch(baseline, tmp_path, {"models/gold/app/mart_continue_watching.sql": hook + _model_source(("", ""))})
    locked = tmp_path / "locked"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, glob, pathlib, sys, time\n"
            "connection = duckdb.connect(sys.argv[1]); pathlib.Path(sys.argv[2]).touch()\n"
            "deadline = time.time() + 600\n"
            "while not glob.glob(sys.argv[3]) and time.time() < deadline: time.sleep(0.05)\n"
            "connection.close()\n",
            str(side_database),
            str(locked),
            str(site.warehouse / "runs" / "*" / "attempt-1" / "run_results.json"),
        ]
    )
    try:
        while not locked.exists():
            assert holder.poll() is None, "the lock holder died"
        exit_code, output = site.run(NARROW_SELECTION, "--retry-wait", "2", webhook_url=url)
    finally:
        holder.kill()
        holder.wait()

    assert exit_code == 0, output
    record = site.last_run()
    first, second = record.attempts()
    assert record.summary()["build"]["retries"] == 1
    [failed] = [r for r in first["results"] if r["status"] == "error"]
    assert failed["unique_id"] == CONTINUE_WATCHING and "Could not set lock on file" in failed["message"]
    retried = {r["unique_id"]: r["status"] for r in second["results"]}
    assert retried[CONTINUE_WATCHING] == "success"
    assert set(retried) == {r["unique_id"] for r in first["results"] if r["status"] in ("error", "skipped")}
    assert len(retried) < len(first["results"])
    assert record.summary()["publish"]["published"] == ["continue_watching", "account_features"]
    report = build_postmortem(record)
    assert report.diagnosis.root_causes == () and report.retries == 1
    [alert] = received  # a warning: it recovered, but someone should know it needed to
    assert "needed 1 retry" in alert["text"]


# Classification and backoff (no dbt) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        'IO Error: Could not set lock on file "/w/flick.duckdb": Conflicting lock is held in python3 (PID 42)',
        "('08S01', '[08S01] [Microsoft][ODBC Driver 18 for SQL Server]Communication link failure (0)')",
        "Database 'flick_dw' on server 'flick-synapse' is not currently available. Please retry later. (40613)",
        "Transaction (Process ID 61) was deadlocked on lock resources with another process and has been "
        "chosen as the deadlock victim. Rerun the transaction. (1205)",
        "[TEMPORARILY_UNAVAILABLE] The SQL warehouse is starting.",
        "HTTP 429 Too Many Requests",
        "Query timed out after 300 seconds",
    ],
)
def test_known_transient_errors_are_retried(message: str) -> None:
    assert classify(message).transient


@pytest.mark.parametrize(
    "message",
    [
        'Binder Error: Referenced column "watch_time_ms_typo" not found in FROM clause!',
        "Got 5 results, configured to fail if != 0",
        'IO Error: No files found that match the pattern "lake/bronze/reviews/scores/*/*.csv"',
        "",
    ],
)
def test_sql_errors_failed_tests_and_missing_files_are_not_retried(message: str) -> None:
    assert not classify(message).transient


def test_backoff_doubles_up_to_the_cap_and_jitters_within_the_upper_half() -> None:
    policy = RetryPolicy(max_retries=5, base_seconds=10, cap_seconds=60, rng=random.Random(1))
    delays = [[policy.delay(n) for _ in range(200)] for n in (1, 2, 3, 4)]
    for ceiling, samples in zip((10, 20, 40, 60), delays, strict=True):
        assert ceiling / 2 <= min(samples) and max(samples) <= ceiling
        assert max(samples) - min(samples) > ceiling / 4  # jittered, not fixed
