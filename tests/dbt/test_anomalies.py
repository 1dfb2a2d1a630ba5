"""Anomaly checks on generated histories: planted bad days are found, normal days are not.

Two 30-day lakes from the same seed (weekly rhythm, the default 1% dirty
rate): one as generated, one with a bad day of each kind planted in its last
week and a launch-day surge. Each is measured as `flick-ops run` measures
(the landed files, then the quarantines, built with the models and seeds
they read, without tests), and every day is judged against the days before it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from flick_ops.anomaly.baseline import BaselineSettings, Tolerance, band_for
from flick_ops.anomaly.checks import Finding, alerting, judge
from flick_ops.anomaly.config import AnomalyConfig, KnownEvent, load_config
from flick_ops.anomaly.measure import Observation, measure_landed, measure_quarantine
from flick_ops.cli import main
from flick_ops.dbt.runner import DbtWorkspace, run_dbt
from flick_ops.generate import generate_lake
from flick_ops.generate.anomalies import PlantedAnomaly
from flick_ops.generate.world import GeneratorConfig

PROJECT_ROOT = Path(__file__).resolve().parents[2]
START = date(2026, 10, 1)
LAKE = {"accounts": 300, "days": 30, "events_per_day": 1000, "seed": 11, "start_date": START}
# Planted bad day -> (subject, measure) it must be found by.
PLANTED = {
    "volume_drop@2026-10-23": ("playback.events", "rows"),
    "late_arrival@2026-10-24": ("reviews.scores", "arrival_hour"),
    "quarantine_spike@2026-10-25": ("reviews.scores", "quarantine_share"),
    "null_burst@2026-10-26": ("social.mentions", "null_share.sentiment_score"),
}
LAUNCH = "volume_surge@2026-10-28"
LAUNCH_DAY = date(2026, 10, 28)
QUARANTINES = (
    "+quarantine_app +quarantine_studio +quarantine_vendor +quarantine_social +quarantine_reviews +quarantine_playback"
    " +quarantine_files"  # files, not rows: built beside the row quarantines, and not measured as one
)


def _measured(folder: Path, anomalies: list[str]) -> list[Observation]:
    """Generate the lake, run the quarantine models on it, and measure it as `flick-ops run` does."""
    lake = folder / "lake"
    generate_lake(
        GeneratorConfig(lake_root=lake, **LAKE),
        anomalies=[PlantedAnomaly.parse(a) for a in anomalies],
    )
    landed = measure_landed(lake, {})
    workspace = DbtWorkspace.in_folder(folder, lake_root=lake)
    models_only = ["--exclude", "resource_type:test", "resource_type:unit_test"]
    built = run_dbt(["build", "--target", "duckdb", "--select", *QUARANTINES.split(), *models_only], workspace)
    assert built.succeeded, built.output[-3000:]
    rows = {(o.subject, o.day): o.value for o in landed if o.measure == "rows"}
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as con:
        return landed + measure_quarantine(con, rows, rows)


def _findings(observations: list[Observation], config: AnomalyConfig) -> list[Finding]:
    """Every day judged against the days before it, as daily runs would have judged them."""
    history: dict[tuple[str, str], dict[date, float]] = {}
    for o in observations:
        history.setdefault((o.subject, o.measure), {})[o.day] = o.value
    return alerting(judge(observations, history, config))


@pytest.fixture(scope="module")
def normal_lake(tmp_path_factory: pytest.TempPathFactory) -> list[Observation]:
    return _measured(tmp_path_factory.mktemp("anomaly_normal"), [])


@pytest.fixture(scope="module")
def planted_lake(tmp_path_factory: pytest.TempPathFactory) -> list[Observation]:
    return _measured(tmp_path_factory.mktemp("anomaly_planted"), [*PLANTED, LAUNCH])


@pytest.fixture(scope="module")
def config() -> AnomalyConfig:
    """The project's settings, with no known events (the tests say which days are known)."""
    return replace(load_config(PROJECT_ROOT / "deploy" / "anomalies.yml"), known_events=())


def test_thirty_normal_days_raise_no_alert(normal_lake: list[Observation], config: AnomalyConfig) -> None:
    playback = {o.day: o.value for o in normal_lake if (o.subject, o.measure) == ("playback.events", "rows")}
    assert len(playback) == 30 and max(playback.values()) > 1.5 * min(playback.values()), "no weekly rhythm to judge"
    judged_days = {o.day for o in normal_lake if o.day >= START + timedelta(days=7)}
    assert len(judged_days) == 23
    assert [f.describe(7) for f in _findings(normal_lake, config)] == []


@pytest.mark.parametrize("planted", sorted(PLANTED))
def test_each_planted_anomaly_is_found_on_its_day_by_its_measure(
    planted_lake: list[Observation], config: AnomalyConfig, planted: str
) -> None:
    subject, measure = PLANTED[planted]
    day = date.fromisoformat(planted.split("@")[1])
    found = [f for f in _findings(planted_lake, config) if f.day == day]
    assert (subject, measure) in {(f.subject, f.measure) for f in found}, [f.describe(7) for f in found]
    finding = next(f for f in found if (f.subject, f.measure) == (subject, measure))
    text = finding.describe(7)
    assert subject in text and measure in text and "in the run history" in text


def test_no_finding_falls_outside_the_planted_days(planted_lake: list[Observation], config: AnomalyConfig) -> None:
    planted_days = {date.fromisoformat(p.split("@")[1]) for p in [*PLANTED, LAUNCH]}
    stray = [f.describe(7) for f in _findings(planted_lake, config) if f.day not in planted_days]
    assert stray == []


def test_a_launch_day_listed_in_the_seed_does_not_alert(planted_lake: list[Observation], config: AnomalyConfig) -> None:
    on_launch = [f for f in _findings(planted_lake, config) if f.day == LAUNCH_DAY]
    assert ("playback.events", "rows") in {(f.subject, f.measure) for f in on_launch}, "the surge is unremarkable"

    launch = KnownEvent(LAUNCH_DAY, "playback", "launch", "season 2 of a Flick Original")
    with_seed = replace(config, known_events=(launch,))
    assert [f.describe(7) for f in _findings(planted_lake, with_seed) if f.day == LAUNCH_DAY] == []
    later = [f for f in _findings(planted_lake, with_seed) if f.day > LAUNCH_DAY]
    assert later == [], "the launch day must not be history for the days after it"


def test_the_project_seed_is_what_the_checks_read() -> None:
    events = load_config(PROJECT_ROOT / "deploy" / "anomalies.yml").known_events
    assert {event.kind for event in events} >= {"launch", "holiday"}
    assert all(event.source in {"*", "app", "studio", "vendor", "social", "reviews", "playback"} for event in events)


# The baseline itself, on synthetic series ------------------------------------------------------------------------


def _weekly(days: int, weekday_value: float, weekend_value: float) -> dict[date, float]:
    return {
        START + timedelta(days=i): weekend_value if (START + timedelta(days=i)).weekday() >= 5 else weekday_value
        for i in range(days)
    }


def test_a_saturday_is_judged_against_saturdays() -> None:
    series = _weekly(28, weekday_value=1000, weekend_value=2000)
    saturday = next(d for d in (START + timedelta(days=28 + i) for i in range(7)) if d.weekday() == 5)
    tolerance = Tolerance(mads=5, relative=0.2)
    band = band_for(series, saturday, tolerance, BaselineSettings())
    assert band is not None and band.basis == "same weekday" and band.contains(2000) and not band.contains(1000)
    monday = next(d for d in (START + timedelta(days=28 + i) for i in range(7)) if d.weekday() == 0)
    assert not band_for(series, monday, tolerance, BaselineSettings()).contains(2000)


def test_too_little_history_gives_no_band_but_fixed_bounds_still_hold() -> None:
    series = {START + timedelta(days=i): 0.01 for i in range(6)}
    day = START + timedelta(days=6)
    assert band_for(series, day, Tolerance(absolute=0.05), BaselineSettings(min_history=7)) is None
    spike = Observation("vendor.catalog", "quarantine_share", day, 1.0, of_rows=500)
    (finding,) = judge([spike], {("vendor.catalog", "quarantine_share"): series}, AnomalyConfig())
    assert finding.bound == 0.5 and finding.band is None
    assert "above the fixed bound 50.0%" in finding.describe(7) and "6 earlier day(s)" in finding.describe(7)


def test_generate_refuses_an_anomaly_it_cannot_plant(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["generate", "--lake", str(tmp_path), "--anomaly", "meteor@2026-10-02"])
    assert result.exit_code == 2 and "volume_drop" in result.output
    result = CliRunner().invoke(
        main, ["generate", "--lake", str(tmp_path), "--days", "2", "--quiet", "--anomaly", "volume_drop@2026-12-01"]
    )
    assert result.exit_code == 2 and "no playback.events files on 2026-12-01" in result.output
