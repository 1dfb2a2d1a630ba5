"""The anomaly checks' settings (deploy/anomalies.yml) and the known-events seed (seeds/known_events.csv)."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import yaml

from flick_ops.anomaly.baseline import BaselineSettings, Tolerance

WARN, HOLD, STOP = "warn", "hold", "stop"
SEVERITIES = (WARN, HOLD, STOP)
ANY_SOURCE = "*"

# The band around the median per kind of measure (the part of a measure's name before the first dot).
DEFAULT_TOLERANCES: Mapping[str, Tolerance] = {
    "rows": Tolerance(mads=5.0, relative=0.4, counting_noise=True, max_relative=0.5),
    "row_bytes": Tolerance(mads=5.0, relative=0.25),
    "distinct_keys": Tolerance(mads=5.0, relative=0.4, counting_noise=True, max_relative=0.5),
    "arrival_hour": Tolerance(mads=5.0, absolute=1.0),
    "null_share": Tolerance(mads=5.0, absolute=0.05, counting_noise=True),
    # Ten points: orphaned children follow their quarantined parents, so a day's share moves with a few accounts.
    "quarantine_share": Tolerance(mads=5.0, absolute=0.1, counting_noise=True),
}


class AnomalyConfigError(ValueError):
    """deploy/anomalies.yml or the known-events seed is invalid."""


@dataclass(frozen=True)
class KnownEvent:
    day: date
    source: str  # a landed source (`playback`), or `*` for every source and model
    kind: str
    description: str

    def covers(self, subject: str) -> bool:
        return self.source == ANY_SOURCE or subject.split(".", 1)[0] == self.source


@dataclass(frozen=True)
class AnomalyConfig:
    baseline: BaselineSettings = field(default_factory=BaselineSettings)
    tolerances: Mapping[str, Tolerance] = field(default_factory=lambda: dict(DEFAULT_TOLERANCES))
    # Upper bounds judged from the first day, history or not (a batch 100% quarantined needs no baseline).
    bounds: Mapping[str, float] = field(default_factory=lambda: {"quarantine_share": 0.5, "null_share": 0.5})
    # A share of fewer rows moves a point or more per row: not judged against a band (fixed bounds still hold).
    min_rows: int = 100
    # A volume whose median is below this is mostly counting noise: not judged against a band.
    min_volume: int = 20
    default_severity: str = WARN
    source_severity: Mapping[str, str] = field(default_factory=dict)
    model_severity: str = HOLD
    models: tuple[str, ...] = ()  # models whose row count is judged after the build
    accepted: tuple[str, ...] = ()  # sources, entities or models whose anomalies are alerted but never hold or stop
    known_events: tuple[KnownEvent, ...] = ()

    def severity_of(self, subject: str) -> str:
        source, _, rest = subject.partition(".")
        if source == "model":
            name = rest
            severity = self.model_severity
        else:
            name = subject
            severity = self.source_severity.get(source, self.default_severity)
        return WARN if {subject, name, source} & set(self.accepted) else severity

    def known_event(self, subject: str, day: date) -> KnownEvent | None:
        return next((e for e in self.known_events if e.day == day and e.covers(subject)), None)

    def known_days(self, subject: str) -> frozenset[date]:
        return frozenset(e.day for e in self.known_events if e.covers(subject))

    def with_accepted(self, names: tuple[str, ...]) -> AnomalyConfig:
        return replace(self, accepted=(*self.accepted, *names))


def load_config(path: Path, known_events_path: Path | None = None) -> AnomalyConfig:
    """Read deploy/anomalies.yml (every key optional) and the known-events seed it names.

    `known_events` in the file is relative to the project (the folder above deploy/).
    """
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) if Path(path).exists() else {}
    raw = raw or {}
    baseline = raw.get("baseline", {})
    severity = raw.get("severity", {})
    sources = severity.get("sources", {}) or {}
    settings = {"default": severity.get("default", WARN), "models": severity.get("models", HOLD), **sources}
    for name, value in settings.items():
        if value not in SEVERITIES:
            raise AnomalyConfigError(f"{path}: severity.{name}: {value!r} is not one of {', '.join(SEVERITIES)}")
    events_path = known_events_path or Path(path).parent.parent / raw.get("known_events", "seeds/known_events.csv")
    return AnomalyConfig(
        baseline=BaselineSettings(
            window_days=int(baseline.get("window_days", 28)),
            min_history=int(baseline.get("min_history", 7)),
            same_weekday_min=int(baseline.get("same_weekday_min", 2)),
        ),
        tolerances=_tolerances(path, raw.get("tolerances") or {}),
        bounds={**AnomalyConfig().bounds, **(raw.get("bounds") or {})},
        min_rows=int(raw.get("min_rows", 100)),
        min_volume=int(raw.get("min_volume", 20)),
        default_severity=severity.get("default", WARN),
        source_severity=dict(sources),
        model_severity=severity.get("models", HOLD),
        models=tuple(raw.get("models") or ()),
        accepted=tuple(raw.get("accept") or ()),
        known_events=load_known_events(events_path),
    )


def _tolerances(path: Path, overrides: Mapping[str, Mapping]) -> dict[str, Tolerance]:
    """The default tolerances, with the file's changes per kind of measure (`quarantine_share: {absolute: 0.1}`)."""
    tolerances = dict(DEFAULT_TOLERANCES)
    for family, changes in overrides.items():
        if family not in tolerances:
            raise AnomalyConfigError(f"{path}: tolerances.{family}: no such measure; one of {', '.join(tolerances)}")
        try:
            tolerances[family] = replace(tolerances[family], **changes)
        except TypeError as exc:
            raise AnomalyConfigError(f"{path}: tolerances.{family}: {exc}") from exc
    return tolerances


def load_known_events(path: Path) -> tuple[KnownEvent, ...]:
    if not Path(path).exists():
        return ()
    with open(path, encoding="utf-8", newline="") as handle:
        try:
            return tuple(
                KnownEvent(
                    date.fromisoformat(row["event_date"]), row["source"] or ANY_SOURCE, row["kind"], row["description"]
                )
                for row in csv.DictReader(handle)
            )
        except (KeyError, ValueError) as exc:
            raise AnomalyConfigError(f"{path}: {exc}") from exc
