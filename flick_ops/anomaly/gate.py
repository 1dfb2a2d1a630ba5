"""The two places `flick-ops run` asks about anomalies: what landed (before the build) and what it made (after).

Before the build, every landed day not measured yet is measured from the lake
and judged: a `stop` finding stops the run as a stale source does, a `hold`
finding keeps its source's consumers on their last good data. After the
build, the quarantine shares of those days and the row counts of the watched
models are judged the same way; what they hold goes to the publish gate.
Each phase with findings sends one alert (webhook and alert log) naming the
subject, the measure, the value, the expected band and the history behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import duckdb

from flick_ops.anomaly.checks import (
    Finding,
    Series,
    alerting,
    flatten,
    held_models,
    judge,
    load_history,
    read_observations,
    stops,
    write_observations,
)
from flick_ops.anomaly.config import HOLD, STOP, AnomalyConfig
from flick_ops.anomaly.measure import Observation, measure_landed, measure_model_rows, measure_quarantine
from flick_ops.run import alerts
from flick_ops.run.history import RunRecord, run_ids

Echo = Callable[[str], None]
Send = Callable[[alerts.Alert], None]


@dataclass(frozen=True)
class AnomalyRun:
    """One pipeline run's view of the anomaly checks."""

    config: AnomalyConfig
    history_root: Path
    run_folder: Path
    target: str
    send: Send
    echo: Echo

    @property
    def run_id(self) -> str:
        return self.run_folder.name


@dataclass(frozen=True)
class Verdict:
    phase: str  # "landed" or "outputs"
    observations: tuple[Observation, ...]
    findings: tuple[Finding, ...]
    held: Mapping[str, str] = field(default_factory=dict)  # model -> why it is held back

    @property
    def stop(self) -> bool:
        return bool(stops(self.findings))

    def summary(self, min_history: int) -> dict:
        return {
            "measured": len(self.observations),
            "findings": [finding.as_json(min_history) for finding in self.findings],
            "held_models": len(self.held),
        }


def check_landed(run: AnomalyRun, lake_root: Path, manifest: Mapping) -> Verdict:
    """Measure the days that landed since the last measurement and judge them against the history."""
    history = load_history(run.history_root)
    observations = measure_landed(lake_root, flatten(history))
    write_observations(run.run_folder, observations)
    findings = judge(observations, _with(history, observations), run.config)
    return _settle(run, "landed", observations, findings, manifest, after_build=False)


def check_outputs(
    run: AnomalyRun,
    duckdb_path: Path,
    landed: Verdict,
    manifest: Mapping,
    built_models: Collection[str],
    day: date,
) -> Verdict:
    """Quarantine shares of the days measured before the build, and row counts of the watched models built."""
    history = load_history(run.history_root)
    landed_rows = {
        (subject, d): v for (subject, measure), days in history.items() if measure == "rows" for d, v in days.items()
    }
    new_days = {(o.subject, o.day) for o in landed.observations if o.measure == "rows"}
    relations = {
        node["name"]: f'"{node["schema"]}"."{node.get("alias") or node["name"]}"'
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") == "model" and node["name"] in set(run.config.models) & set(built_models)
    }
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        observations = measure_quarantine(con, landed_rows, new_days, built_models)
        observations += measure_model_rows(con, relations, day)
    write_observations(run.run_folder, observations)
    findings = judge(observations, _with(history, observations), run.config)
    verdict = _settle(run, "outputs", observations, findings, manifest, after_build=True)
    standing = held_models(_standing(run, [*landed.observations, *observations]), manifest, after_build=True)
    for model, why in standing.items():
        run.echo(f"  still held: {model}: {why}")
    return replace(
        verdict, held={**{m: f"{why} (found by an earlier run)" for m, why in standing.items()}, **verdict.held}
    )


def _standing(run: AnomalyRun, measured_now: list[Observation]) -> list[Finding]:
    """Hold and stop findings of earlier runs that no later measurement has cleared and nobody has accepted.

    A day that was held stays held (its rows are still in the warehouse) until its files change and it measures
    normal, or it is accepted (`--accept-anomaly`, `accept:`) or listed as a known event.
    """
    standing: dict[tuple[str, str, str], dict] = {}
    for run_id in run_ids(run.history_root):
        if run_id == run.run_id:
            break
        folder = Path(run.history_root) / run_id
        found = {
            (f["subject"], f["measure"], f["day"]): f
            for phase in (RunRecord(folder).summary().get("anomalies") or {}).values()
            for f in phase.get("findings", [])
        }
        for o in read_observations(folder):
            standing.pop((o.subject, o.measure, o.day.isoformat()), None)  # measured again: judged again
        standing.update({key: f for key, f in found.items() if f["severity"] in (HOLD, STOP) and not f["excused_by"]})
    for o in measured_now:
        standing.pop((o.subject, o.measure, o.day.isoformat()), None)
    findings = []
    for f in standing.values():
        observation = Observation.from_json(f)
        severity = run.config.severity_of(observation.subject)
        if severity in (HOLD, STOP) and run.config.known_event(observation.subject, observation.day) is None:
            findings.append(Finding(observation, severity, None, None, 0))
    return findings


def _with(history: Series, observations: list[Observation]) -> Series:
    """The history and this run's measurements: a first run on a lake of many days judges each day by the earlier
    ones (a day is only ever judged against the days before it)."""
    merged = {key: dict(days) for key, days in history.items()}
    for o in observations:
        merged.setdefault((o.subject, o.measure), {})[o.day] = o.value
    return merged


def _settle(
    run: AnomalyRun,
    phase: str,
    observations: list[Observation],
    findings: list[Finding],
    manifest: Mapping,
    after_build: bool,
) -> Verdict:
    held = held_models(findings, manifest, after_build=after_build)
    verdict = Verdict(phase, tuple(observations), tuple(findings), held)
    min_history = run.config.baseline.min_history
    days = sorted({o.day for o in observations})
    span = f"{days[0]}..{days[-1]}" if days else "nothing new"
    run.echo(f"anomalies ({phase}): {len(observations)} measurements ({span}), {len(alerting(findings))} anomalous")
    for finding in findings:
        excuse = f" (known event: {finding.excused_by.description})" if finding.excused_by else ""
        run.echo(f"  {finding.describe(min_history)}{excuse}")
    if alerting(findings):
        run.send(_alert(run, verdict, manifest))
    return verdict


def _alert(run: AnomalyRun, verdict: Verdict, manifest: Mapping) -> alerts.Alert:
    findings = alerting(verdict.findings)
    min_history = run.config.baseline.min_history
    what = "what landed" if verdict.phase == "landed" else "the build's outputs"
    action = (
        "the run stops before the build"
        if verdict.stop and verdict.phase == "landed"
        else f"{len(verdict.held)} model(s) held back from publishing"
        if verdict.held
        else "alert only (severity warn)"
    )
    consumers = sorted(
        exposure["name"]
        for exposure in manifest.get("exposures", {}).values()
        if set(_exposure_models(exposure)) & set(verdict.held)
    )
    return alerts.Alert(
        kind=alerts.ANOMALY,
        run_id=run.run_id,
        target=run.target,
        summary=f"{len(findings)} anomal{'y' if len(findings) == 1 else 'ies'} in {what}: {action}.",
        affected_exposures=tuple(consumers),
        details=tuple(finding.describe(min_history) for finding in findings),
        postmortem_hint=f"Post-mortem: flick-ops postmortem {run.run_id}; history: flick-ops report",
    )


def _exposure_models(exposure: Mapping) -> list[str]:
    return [uid.split(".")[-1] for uid in exposure.get("depends_on", {}).get("nodes", [])]
