"""`flick-ops report` as someone opens it: the page from disk in headless Chromium (Debian's), charts drawn.

The run history is synthetic but measured for real: a generated 28-day lake
with a volume drop planted, measured as `flick-ops run` measures it and
judged by the anomaly checks, split over three recorded runs (one failed).
No dbt: quarantine shares are written beside the landed measures. Saves
test-artifacts/report.png for a person to look at.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_docs_site import ARTIFACTS, PAGE_TIMEOUT_MS, browser  # noqa: F401 (the Chromium fixture)

from flick_ops.anomaly.checks import judge, write_observations
from flick_ops.anomaly.config import AnomalyConfig
from flick_ops.anomaly.measure import Observation, measure_landed
from flick_ops.cli import main
from flick_ops.generate import generate_lake
from flick_ops.generate.anomalies import PlantedAnomaly
from flick_ops.generate.world import GeneratorConfig

START = date(2026, 10, 1)
DROP_DAY = date(2026, 10, 23)
RUNS = (  # run id, last ingest date it measured, status, exit code, root causes
    ("20261015T060000Z-0a01", date(2026, 10, 14), "succeeded", 0, []),
    ("20261024T060000Z-0a02", date(2026, 10, 23), "succeeded", 0, []),
    ("20261029T060000Z-0a03", date(2026, 10, 28), "failed", 1, ["model.flick.mart_top10_titles_daily"]),
)


def _quarantine_shares(landed: list[Observation]) -> list[Observation]:
    """One share a day per entity: 1-3% by the day, 40% for reviews on one day."""
    return [
        Observation(
            o.subject,
            "quarantine_share",
            o.day,
            0.4 if (o.subject, o.day.day) == ("reviews.scores", 20) else 0.01 + o.day.day % 3 / 100,
            int(o.value),
        )
        for o in landed
        if o.measure == "rows"
    ]


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    lake = folder / "lake"
    config = GeneratorConfig(lake_root=lake, accounts=300, days=28, events_per_day=1000, seed=11, start_date=START)
    generate_lake(config, anomalies=[PlantedAnomaly.parse(f"volume_drop@{DROP_DAY}")])
    observations = measure_landed(lake, {})
    observations += _quarantine_shares(observations)
    history = folder / "runs"
    measured_to = START - timedelta(days=1)
    seen: dict[tuple[str, str], dict[date, float]] = {}
    for run_id, last_day, status, exit_code, root_causes in RUNS:
        run = [o for o in observations if measured_to < o.day <= last_day]
        for o in run:
            seen.setdefault((o.subject, o.measure), {})[o.day] = o.value
        findings = judge(run, seen, AnomalyConfig())
        _record_run(history / run_id, run, findings, status, exit_code, root_causes)
        measured_to = last_day
    out = folder / "report"
    result = CliRunner().invoke(main, ["report", "--history", str(history), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out / "report.html"


def _record_run(folder: Path, observations, findings, status: str, exit_code: int, root_causes: list[str]) -> None:
    folder.mkdir(parents=True)
    started = datetime.strptime(folder.name[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    clock, steps = started, []
    for step, seconds in (
        ("freshness", 9),
        ("anomalies", 3),
        ("build", 95 + 30 * exit_code),
        ("anomalies", 2),
        ("publish", 14),
    ):
        steps.append(
            {
                "step": step,
                "outcome": "done",
                "started_at": clock.isoformat(),
                "finished_at": (clock + timedelta(seconds=seconds)).isoformat(),
            }
        )
        clock += timedelta(seconds=seconds)
    (folder / "steps.jsonl").write_text("".join(json.dumps(s) + "\n" for s in steps))
    write_observations(folder, observations)
    summary = {
        "run_id": folder.name,
        "started_at": started.isoformat(),
        "finished_at": clock.isoformat(),
        "status": status,
        "exit_code": exit_code,
        "build": {"root_causes": root_causes, "casualties": []},
        "anomalies": {"landed": {"findings": [f.as_json(7) for f in findings]}},
    }
    (folder / "run.json").write_text(json.dumps(summary))


def test_the_report_draws_its_charts_offline_from_disk(browser, report_page: Path) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(report_page.as_uri(), wait_until="load")
    page.wait_for_selector("#chart-playback-events-rows .main-svg")

    assert all(url.startswith("file://") for url in requested), requested
    charts = page.eval_on_selector_all("div.chart", "nodes => nodes.map(n => n.querySelectorAll('.main-svg').length)")
    assert len(charts) >= 1 + 2 * 11 and all(count > 0 for count in charts), charts
    # Playback volume: the band (filled area), the series, and the planted drop marked as an anomaly.
    traces = page.eval_on_selector_all("#chart-playback-events-rows .scatterlayer .trace", "t => t.length")
    assert traces == 4
    marked = page.eval_on_selector_all(
        "#chart-playback-events-rows .scatterlayer .trace:last-child .point", "p => p.length"
    )
    assert marked == 1
    assert page.eval_on_selector_all("#chart-playback-events-rows .scatterlayer .js-fill", "f => f.length") >= 1
    assert page.eval_on_selector_all("#chart-durations .barlayer .point", "p => p.length") >= 3 * 4

    body = page.inner_text("body")
    assert "mart_top10_titles_daily" in body and "failed" in body
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=False)
    page.locator("#chart-playback-events-rows").screenshot(path=str(ARTIFACTS / "report_playback_rows.png"))

    page.click("text=post-mortem >> nth=0")
    page.wait_for_selector("h1:has-text('Post-mortem')")
    assert "20261029T060000Z-0a03" in page.inner_text("h1")
    page.close()


def test_report_without_runs_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", "--history", str(tmp_path / "none"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "no pipeline runs recorded" in result.output
