"""Judge today's measurements against their history, and say what the run should do about it.

Observations are kept in the run history (`<run>/observations.jsonl`), so the
history of a measure is every run's observations, the latest value of a day
winning. A finding is a value outside its band, or above a fixed bound; its
severity comes from the source's (or the model's) setting: `warn` alerts,
`hold` keeps the consumers on their last good data, `stop` stops the run
before the build. A known event covering the day excuses it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flick_ops.anomaly.baseline import Band, band_for
from flick_ops.anomaly.config import HOLD, STOP, AnomalyConfig, KnownEvent
from flick_ops.anomaly.measure import Observation
from flick_ops.run.history import run_ids
from flick_ops.run.nodes import descendants

OBSERVATIONS = "observations.jsonl"
COUNTS = ("rows", "distinct_keys")
Series = Mapping[tuple[str, str], Mapping[date, float]]


@dataclass(frozen=True)
class Finding:
    observation: Observation
    severity: str
    band: Band | None
    bound: float | None  # the fixed upper bound it broke, if any
    history_days: int  # earlier days of history the measure has (whether or not enough for a band)
    excused_by: KnownEvent | None = None

    @property
    def subject(self) -> str:
        return self.observation.subject

    @property
    def measure(self) -> str:
        return self.observation.measure

    @property
    def day(self) -> date:
        return self.observation.day

    def describe(self, min_history: int) -> str:
        o = self.observation
        head = f"{o.subject} {o.measure} on {o.day}: {fmt(o.measure, o.value)}"
        if self.band is not None:
            why = (
                f"expected {fmt(o.measure, self.band.low)}..{fmt(o.measure, self.band.high)}, "
                f"{self.band.describe_history()} in the run history"
            )
        elif self.history_days < min_history:
            why = f"{self.history_days} earlier day(s) in the run history, {min_history} needed for a baseline"
        else:
            why = (
                f"{self.observation.of_rows} rows that day, too few for a baseline from the "
                f"{self.history_days} earlier day(s) in the run history"
            )
        if self.bound is not None:
            why = f"above the fixed bound {fmt(o.measure, self.bound)}; {why}"
        return f"{head} ({why}) [{self.severity}]"

    def as_json(self, min_history: int) -> dict:
        return {
            **self.observation.as_json(),
            "severity": self.severity,
            "low": self.band.low if self.band else None,
            "high": self.band.high if self.band else None,
            "median": self.band.median if self.band else None,
            "bound": self.bound,
            "excused_by": self.excused_by.description if self.excused_by else None,
            "text": self.describe(min_history),
        }


def fmt(measure: str, value: float) -> str:
    if measure.startswith(("quarantine_share", "null_share")):
        return f"{value:.1%}"
    if measure == "arrival_hour":
        minutes = round(value * 60)
        return f"{'-' if minutes < 0 else ''}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return f"{value:,.0f}"


def expected_band(o: Observation, series: Mapping[date, float], config: AnomalyConfig) -> Band | None:
    """The band an observation is judged against; None when its measure is not judged, the history is too short,
    or the day's rows (a share's) or the usual volume (a count's) are too few to tell an anomaly from noise."""
    family = o.measure.split(".", 1)[0]
    if family not in config.tolerances or (family.endswith("_share") and (o.of_rows or 0) < config.min_rows):
        return None
    tolerance = config.tolerances[family]
    band = band_for(series, o.day, tolerance, config.baseline, config.known_days(o.subject), o.of_rows)
    return None if band is not None and family in COUNTS and band.median < config.min_volume else band


def judge(observations: Iterable[Observation], history: Series, config: AnomalyConfig) -> list[Finding]:
    """Findings among `observations` (the days measured now), each against its own series' earlier days."""
    findings = []
    for o in observations:
        family = o.measure.split(".", 1)[0]
        if family not in config.tolerances:
            continue
        series = history.get((o.subject, o.measure), {})
        band = expected_band(o, series, config)
        bound = config.bounds.get(family)
        broke_bound = bound is not None and o.value > bound
        if not broke_bound and (band is None or band.contains(o.value)):
            continue
        findings.append(
            Finding(
                observation=o,
                severity=config.severity_of(o.subject),
                band=band,
                bound=bound if broke_bound else None,
                history_days=sum(1 for day in series if day < o.day),
                excused_by=config.known_event(o.subject, o.day),
            )
        )
    return findings


# History ---------------------------------------------------------------------------------------------------


def load_history(history_root: Path) -> dict[tuple[str, str], dict[date, float]]:
    """Every run's observations by (subject, measure) and day; a later run's value of a day wins."""
    series: dict[tuple[str, str], dict[date, float]] = {}
    for run_id in run_ids(history_root):
        for o in read_observations(Path(history_root) / run_id):
            series.setdefault((o.subject, o.measure), {})[o.day] = o.value
    return series


def read_observations(run_folder: Path) -> list[Observation]:
    path = Path(run_folder) / OBSERVATIONS
    if not path.exists():
        return []
    return [Observation.from_json(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines()]


def write_observations(run_folder: Path, observations: Sequence[Observation]) -> None:
    with (Path(run_folder) / OBSERVATIONS).open("a", encoding="utf-8") as out:
        for o in observations:
            out.write(json.dumps(o.as_json()) + "\n")


def flatten(series: Series) -> dict[tuple[str, str, date], float]:
    return {
        (subject, measure, day): value for (subject, measure), days in series.items() for day, value in days.items()
    }


# What the run does about them --------------------------------------------------------------------------------


def alerting(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.excused_by is None]


def stops(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in alerting(findings) if f.severity == STOP]


def held_models(findings: Iterable[Finding], manifest: Mapping, after_build: bool) -> dict[str, str]:
    """Models to keep on their last good data (model name -> why): the consumers of each held source, each
    held model. After the build a `stop` can no longer stop anything, so it holds every model."""
    project = manifest.get("metadata", {}).get("project_name", "flick")
    children = manifest.get("child_map", {})
    models = {uid.split(".")[-1] for uid in manifest.get("nodes", {}) if uid.startswith("model.")}
    held: dict[str, str] = {}
    for finding in alerting(findings):
        if finding.severity == STOP and after_build:
            reach = models
        elif finding.severity in (HOLD, STOP):
            source, _, name = finding.subject.partition(".")
            roots = (
                [f"model.{project}.{name}"]
                if source == "model"
                else [uid for uid in manifest.get("sources", {}) if uid.startswith(f"source.{project}.{source}.")]
            )
            reach = {uid.split(".")[-1] for uid in descendants(roots, children) if uid.startswith("model.")}
        else:
            continue
        for model in sorted(reach):
            held.setdefault(model, f"anomaly in {finding.subject} {finding.measure} on {finding.day}")
    return held
