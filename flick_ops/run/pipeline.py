"""The pipeline: fresh sources, then `dbt build` with retries, then publish and share what passed.

One run, in order:

0. **Intake.** Every file landed in the lake is read into the intake zone or
   quarantined as a file, with its reason (`flick_ops.lake.intake`); a
   quarantined file, a row the intake flagged or a column the contract does
   not know is alerted as a warning naming the file, and the run goes on
   with everything else.
1. **Freshness and landing.** `dbt source freshness` measures every source the
   selection reads; a source past its error threshold, or empty, stops the run
   before any model builds (exit 3). Warnings go on and are alerted. Then the
   anomaly checks judge what landed against its history (`flick_ops.anomaly`):
   a `stop` finding stops the run the same way; a `hold` finding keeps the
   source's consumers from publishing.
2. **Build.** `dbt build`; when a failure is transient (see `retry`), wait with
   exponential backoff and jitter and run `dbt retry`, which re-runs only the
   nodes that failed or were skipped. A deterministic failure is not a reason
   to retry. A build that failed keeps its failures; nodes downstream of them
   were skipped by dbt.
3. **Publish and share, degraded.** Only publish-spec entries whose model
   built and passed its tests in this run, and that no anomaly holds (the
   quarantine shares and watched models' row counts are judged after the
   build), are published (a spec group goes
   out whole or not at all); the Cosmos documents and lake exports of the
   others are left exactly as the last good run left them.
4. **Alert and record.** Failures, warnings and stale sources go to the
   webhook and the alert log; the run's artifacts and step log go to the run
   history, from which `flick-ops postmortem` reports.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from flick_ops.dbt import artifacts
from flick_ops.dbt.artifacts import ArtifactsError
from flick_ops.dbt.runner import DbtOutcome, DbtWorkspace, NodeEvent, run_dbt
from flick_ops.lake.intake import IntakeReport, run_intake
from flick_ops.release import ShareRequest, SinkSettings
from flick_ops.run import alerts
from flick_ops.run import scope as scope_module
from flick_ops.run.freshness import FreshnessReport, judge, measured_by_intake
from flick_ops.run.history import RunRecord
from flick_ops.run.nodes import FAILED, Diagnosis, NodeOutcome, compiled_sql_path, diagnose, merge_attempts
from flick_ops.run.retry import RetryPolicy, classify
from flick_ops.run.scope import EVERYTHING, LANDED, NOTHING, RunState, Scope
from flick_ops.salt import email_hash_salt

if TYPE_CHECKING:  # the publish package (and its Azure SDK) is imported only when a run publishes
    from flick_ops.anomaly.config import AnomalyConfig
    from flick_ops.anomaly.gate import AnomalyRun, Verdict

EXIT_OK = 0
EXIT_BUILD_FAILED = 1
EXIT_STOPPED_BY_SOURCES = 3
EXIT_PUBLISH_FAILED = 4
DBT_GLOBAL_FLAGS = ("--quiet", "--no-use-colors")
_BUILT_RESOURCES = ("model.", "snapshot.", "seed.")

Echo = Callable[[str], None]


@dataclass(frozen=True)
class PublishSettings:
    """Where Gold goes: the sink (opened by `flick_ops.release.open_sink`), its state and the lake's gold zone."""

    spec_path: Path
    state_dir: Path
    sink: SinkSettings
    lake_root: Path | None  # Delta exports to <lake_root>/gold/<model>/; None for no export

    @property
    def destination(self) -> str:
        """Where the sink publishes (endpoint or local file): a new one means publishing anew."""
        return self.sink.destination


@dataclass(frozen=True)
class PipelineSettings:
    workspace: DbtWorkspace
    history_root: Path
    alert_log: Path
    target: str = "duckdb"
    select: tuple[str, ...] = ()
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    as_of: datetime | None = None
    webhook_url: str | None = None
    publish: PublishSettings | None = None
    share: ShareRequest | None = None  # Data Share from the spec: applied with AZURE_SUBSCRIPTION_ID, else a dry run
    extra_env: Mapping[str, str] | None = None
    sleep: Callable[[float], None] = time.sleep
    anomalies: AnomalyConfig | None = None  # None: no anomaly checks
    full_tests: bool = False  # build everything with every test, whatever landed


@dataclass(frozen=True)
class PublishOutcome:
    published: tuple[str, ...] = ()  # spec entries sent
    held_back: Mapping[str, str] = field(default_factory=dict)  # spec entry -> why it was not sent
    exported: tuple[str, ...] = ()  # models written to the lake's gold zone
    data_time: Mapping[str, str] = field(default_factory=dict)  # model -> newest load of the sources it reads
    error: str | None = None
    affected_exposures: tuple[str, ...] = ()  # consumers of entries held back by a failure


@dataclass(frozen=True)
class PipelineResult:
    run_id: str
    exit_code: int
    status: str
    retries: int
    diagnosis: Diagnosis | None
    publish: PublishOutcome | None
    summary: dict


def run_pipeline(settings: PipelineSettings, echo: Echo = print) -> PipelineResult:
    record = RunRecord.create(settings.history_root)
    started = datetime.now(UTC)
    echo(f"run {record.run_id}: target {settings.target}, selection {' '.join(settings.select) or 'everything'}")
    summary: dict = {
        "run_id": record.run_id,
        "started_at": started.isoformat(timespec="seconds"),
        "target": settings.target,
        "select": list(settings.select),
        "as_of": settings.as_of.isoformat() if settings.as_of else None,
        "lake_root": str(settings.workspace.lake_root),
    }

    intake = _take_in(settings, record, echo)
    summary["intake"] = _intake_summary(intake)
    state, scope = _scope(settings, record, intake, echo)
    summary["scope"] = {"kind": scope.kind, "reason": scope.reason, "since_run": scope.since_run}

    freshness = (
        _remeasure(settings, record, scope, echo)
        if scope.kind == NOTHING
        else _measure_by_intake(settings, record, scope, intake, echo)
        if scope.kind == LANDED
        else None
    )
    freshness = freshness or _check_sources(settings, record, echo)
    summary["freshness"] = _freshness_summary(freshness)
    if freshness is None or freshness.blocking:
        return _stop_for_sources(settings, record, summary, freshness, echo)
    if scope.kind == NOTHING:
        return _nothing_new(settings, record, summary, state, freshness, echo)
    anomalies = _anomaly_run(settings, record, echo)
    landed = _check_landed(settings, anomalies, summary)
    if landed is not None and landed.stop:
        return _stop_for_anomalies(record, summary, echo)

    attempts = _build_with_retries(settings, record, scope, echo)
    outcomes = merge_attempts([attempt.run_results for attempt in attempts if attempt.run_results])
    manifest = record.manifest()
    diagnosis = diagnose(outcomes, manifest)
    _keep_failed_sql(record, diagnosis, manifest, Path(settings.workspace.target_path))
    crashed = attempts[-1].crashed
    summary["build"] = _build_summary(attempts, outcomes, diagnosis, crashed)
    _echo_build(summary["build"], diagnosis, echo)

    held = _check_outputs(settings, anomalies, landed, manifest, summary) if landed is not None and not crashed else {}
    publish = None
    if settings.publish and not crashed:
        publish = _publish(
            settings.publish, settings.workspace, record, outcomes, diagnosis, freshness, held, scope, echo
        )
        summary["publish"] = _publish_summary(publish)
    if settings.share and publish and not publish.error:
        summary["share"] = _share_or_skip(settings, record, diagnosis, scope, echo)

    exit_code = (
        EXIT_BUILD_FAILED
        if crashed or not diagnosis.clean
        else EXIT_PUBLISH_FAILED
        if (publish and publish.error) or summary.get("share", {}).get("error")
        else EXIT_OK
    )
    status = {EXIT_OK: "succeeded", EXIT_BUILD_FAILED: "failed", EXIT_PUBLISH_FAILED: "publish failed"}[exit_code]
    summary.update(status=status, exit_code=exit_code, finished_at=datetime.now(UTC).isoformat(timespec="seconds"))
    _alert_after_build(settings, record, summary, freshness, diagnosis, attempts, publish, echo)
    if exit_code == EXIT_OK and state is not None and not (publish and publish.held_back):
        # A clean run the next one may build on; one that held something back leaves it to be published anew.
        scope_module.save_state(record, replace(state, warehouse=_warehouse_identity(settings)))
    record.write_summary(summary)
    echo(f"run {record.run_id} {status} (exit {exit_code}); post-mortem: flick-ops postmortem {record.run_id}")
    return PipelineResult(record.run_id, exit_code, status, len(attempts) - 1, diagnosis, publish, summary)


# 0. Intake ---------------------------------------------------------------------------------------------------


def _take_in(settings: PipelineSettings, record: RunRecord, echo: Echo) -> IntakeReport | None:
    """Check what landed; None when there is no local lake (the platform's intake job owns a cloud lake)."""
    lake_root = Path(settings.workspace.lake_root)
    if not (lake_root / "bronze").is_dir():
        return None
    started = datetime.now(UTC)
    report = run_intake(lake_root, progress=None)
    outcome = "warn" if report.quarantined or report.drifted or report.flagged else "pass"
    record.log_step("intake", outcome, started, **_intake_summary(report))
    echo(f"intake: {report.describe()}")
    for landed in report.noteworthy:
        echo(f"  {landed.describe()}")
    return report


def _intake_summary(report: IntakeReport | None) -> dict:
    if report is None:
        return {"ran": False}
    return {
        "ran": True,
        "files": len(report.files),
        "checked": report.checked,
        "quarantined": [landed.describe() for landed in report.quarantined],
        "drifted": [landed.describe() for landed in report.drifted],
        "flagged": [landed.describe() for landed in report.flagged if not landed.unknown_columns],
    }


def _scope(
    settings: PipelineSettings, record: RunRecord, intake: IntakeReport | None, echo: Echo
) -> tuple[RunState | None, Scope]:
    """What this run builds (see `flick_ops.run.scope`); the state is None when there is no local lake."""
    if intake is None:
        return None, Scope(EVERYTHING, "no local lake to compare with")
    project_dir = Path(settings.workspace.project_dir)
    landed, entities = scope_module.landed_state(intake.files)
    published_to = settings.publish.destination if settings.publish else "not published"
    fingerprint = scope_module.project_fingerprint(
        project_dir,
        [settings.target, *settings.select, published_to, str(Path(settings.workspace.lake_root).resolve())],
        email_hash_salt(project_dir),
    )
    state = RunState(fingerprint, _warehouse_identity(settings), landed, entities)
    previous = scope_module.last_clean_state(settings.history_root, record.run_id)
    scope = scope_module.decide(state, previous, full_tests=settings.full_tests, select=settings.select)
    echo(f"scope: {scope.describe()}")
    return state, scope


def _warehouse_identity(settings: PipelineSettings) -> str | None:
    return (
        scope_module.warehouse_identity(Path(settings.workspace.duckdb_path)) if settings.target == "duckdb" else None
    )


def _remeasure(settings: PipelineSettings, record: RunRecord, scope: Scope, echo: Echo) -> FreshnessReport | None:
    """Freshness when nothing landed: the clean run's measurements (the newest load of each source cannot have
    moved without a file landing), judged as of now. None when that run kept none: dbt measures again."""
    earlier = RunRecord(Path(settings.history_root) / scope.since_run).freshness()
    if earlier is None:
        return None
    return _judge_kept(settings, record, earlier, f"run {scope.since_run} (nothing landed since)", echo)


def _judge_kept(
    settings: PipelineSettings, record: RunRecord, measured: dict, measured_by: str, echo: Echo
) -> FreshnessReport:
    """Judge measurements taken without dbt, keep them as the run's freshness/sources.json, log and show them."""
    started = datetime.now(UTC)
    report = judge(measured, settings.as_of or started)
    (record.folder / "freshness").mkdir(exist_ok=True)
    (record.folder / "freshness" / "sources.json").write_text(json.dumps(measured), encoding="utf-8")
    record.log_step(
        "freshness", _freshness_outcome(report), started, measured_by=measured_by, **_freshness_summary(report)
    )
    _echo_freshness(report, echo)
    return report


def _measure_by_intake(
    settings: PipelineSettings, record: RunRecord, scope: Scope, intake: IntakeReport | None, echo: Echo
) -> FreshnessReport | None:
    """Freshness from the intake's count of every landed file, with the clean run's source definitions (the
    project has not changed since); None when a source measures something the intake does not know."""
    sources = RunRecord(Path(settings.history_root) / scope.since_run).manifest().get("sources")
    started = datetime.now(UTC)
    measured = measured_by_intake(intake.files, sources, started) if intake is not None and sources else None
    if measured is None:
        return None
    return _judge_kept(settings, record, measured, "intake manifest", echo)


def _nothing_new(
    settings: PipelineSettings,
    record: RunRecord,
    summary: dict,
    state: RunState | None,
    freshness: FreshnessReport,
    echo: Echo,
) -> PipelineResult:
    """Stop after freshness: nothing landed, so the clean run's Gold is current and already published."""
    status = "nothing new"
    summary.update(status=status, exit_code=EXIT_OK, finished_at=datetime.now(UTC).isoformat(timespec="seconds"))
    if state is not None:
        scope_module.save_state(record, state)
        # The next run compares with this one: it keeps the graph it stands on.
        record.keep(
            Path(settings.history_root) / summary["scope"]["since_run"] / artifacts.MANIFEST, artifacts.MANIFEST
        )
    if freshness.warnings:
        warnings = tuple(f"stale source (warn): {check.describe()}" for check in freshness.warnings)
        summary_line = f"nothing new landed since run {summary['scope']['since_run']}; built nothing."
        alert = alerts.Alert(alerts.WARNING, record.run_id, settings.target, summary_line, details=warnings)
        _send(
            settings, record, replace(alert, postmortem_hint=f"Post-mortem: flick-ops postmortem {record.run_id}"), echo
        )
    record.write_summary(summary)
    echo(f"run {record.run_id}: nothing new landed; built nothing, published nothing (exit {EXIT_OK})")
    return PipelineResult(record.run_id, EXIT_OK, status, 0, None, None, summary)


# 1. Freshness -------------------------------------------------------------------------------------------------


def _check_sources(settings: PipelineSettings, record: RunRecord, echo: Echo) -> FreshnessReport | None:
    """Measure and judge the selection's sources, retrying a transient failure to measure; None if unmeasurable."""
    # Every source upstream of the selection, whether or not the selector itself asked for parents.
    upstream = [selector if selector.startswith("+") else f"+{selector}" for selector in settings.select]
    args = [*DBT_GLOBAL_FLAGS, "source", "freshness", "--target", settings.target]
    args += ["--select", *upstream] if upstream else []
    for attempt in range(1, settings.retry.max_retries + 2):
        started = datetime.now(UTC)
        invocation = _invoke(args, settings)
        record.keep(Path(settings.workspace.target_path) / "sources.json", "freshness/sources.json")
        if invocation.sources is not None:
            query_errors = {n.unique_id: n.message for n in invocation.nodes if n.status == "runtime error"}
            report = judge(invocation.sources, settings.as_of, query_errors)
            record.log_step(
                "freshness", _freshness_outcome(report), started, attempt=attempt, **_freshness_summary(report)
            )
            _echo_freshness(report, echo)
            return report
        transient = classify(invocation.output).transient
        record.log_step("freshness", "crashed", started, attempt=attempt, error=invocation.output[-4000:])
        echo(f"freshness: dbt could not measure the sources:\n{_indent(invocation.output[-2000:])}")
        if not transient or attempt > settings.retry.max_retries:
            return None
        _wait(settings, attempt, echo)
    return None


def _freshness_outcome(report: FreshnessReport) -> str:
    return "stale" if report.blocking else "warn" if report.warnings else "pass"


def _echo_freshness(report: FreshnessReport, echo: Echo) -> None:
    echo(
        f"freshness as of {report.as_of:%Y-%m-%d %H:%M} UTC: {len(report.checks)} sources, "
        f"{len(report.warnings)} warn, {len(report.blocking)} stale or empty"
    )
    for check in (*report.blocking, *report.warnings):
        echo(f"  {check.verdict:<6} {check.describe()}")


def _freshness_summary(report: FreshnessReport | None) -> dict:
    if report is None:
        return {"measured": False}
    return {
        "measured": True,
        "as_of": report.as_of.isoformat(timespec="seconds"),
        "sources": len(report.checks),
        "warn": [check.describe() for check in report.warnings],
        "blocking": [check.describe() for check in report.blocking],
    }


def _stop_for_sources(
    settings: PipelineSettings, record: RunRecord, summary: dict, freshness: FreshnessReport | None, echo: Echo
) -> PipelineResult:
    if freshness is None:
        problems = ["dbt could not measure source freshness (see the run's steps log for dbt's error)"]
        status, headline = "stopped: source freshness could not be measured", "dbt could not measure the sources"
    else:
        problems = [check.describe() for check in freshness.blocking]
        status, headline = "stopped: stale or empty sources", f"{len(problems)} source(s) stale or empty"
    summary.update(
        status=status, exit_code=EXIT_STOPPED_BY_SOURCES, finished_at=datetime.now(UTC).isoformat(timespec="seconds")
    )
    _send(
        settings,
        record,
        alerts.Alert(
            kind=alerts.STALE_SOURCE,
            run_id=record.run_id,
            target=settings.target,
            summary=f"{headline}: nothing was built or published.",
            details=tuple(problems),
            postmortem_hint=f"Post-mortem: flick-ops postmortem {record.run_id}",
        ),
        echo,
    )
    record.write_summary(summary)
    echo(f"run {record.run_id} {status} (exit {EXIT_STOPPED_BY_SOURCES})")
    return PipelineResult(record.run_id, EXIT_STOPPED_BY_SOURCES, status, 0, None, None, summary)


def _anomaly_run(settings: PipelineSettings, record: RunRecord, echo: Echo) -> AnomalyRun | None:
    if settings.anomalies is None:
        return None
    from flick_ops.anomaly.gate import AnomalyRun  # the anomaly checks read the run history: imported after it

    send = partial(_send, settings, record, echo=echo)
    return AnomalyRun(settings.anomalies, settings.history_root, record.folder, settings.target, send, echo)


def _check_landed(settings: PipelineSettings, run: AnomalyRun | None, summary: dict) -> Verdict | None:
    """Judge what landed; None when the checks are off. The graph comes from the freshness invocation."""
    if run is None:
        return None
    manifest = artifacts.read_manifest(settings.workspace.target_path)
    started = datetime.now(UTC)
    from flick_ops.anomaly.gate import check_landed

    try:
        verdict = check_landed(run, Path(settings.workspace.lake_root), manifest)
    except Exception as exc:  # a broken check must not stop the data it watches: say so, and build
        return _anomalies_failed(run, summary, "landed", started, exc)
    summary["anomalies"] = {"landed": verdict.summary(run.config.baseline.min_history)}
    RunRecord(run.run_folder).log_step("anomalies", "stop" if verdict.stop else "judged", started, phase="landed")
    return verdict


def _check_outputs(
    settings: PipelineSettings, run: AnomalyRun | None, landed: Verdict, manifest: Mapping, summary: dict
) -> dict[str, str]:
    """Judge the build's quarantines and watched models (DuckDB only); the models to hold back and why."""
    held = dict(landed.held)
    if run is None or settings.target != "duckdb":
        return held
    started = datetime.now(UTC)
    built = summary["build"]["models_built"]
    day = (settings.as_of or started).date()
    from flick_ops.anomaly.gate import check_outputs

    try:
        verdict = check_outputs(run, Path(settings.workspace.duckdb_path), landed, manifest, built, day)
    except Exception as exc:  # as before the build: publish on what the other gates say
        _anomalies_failed(run, summary, "outputs", started, exc)
        return held
    summary["anomalies"]["outputs"] = verdict.summary(run.config.baseline.min_history)
    RunRecord(run.run_folder).log_step("anomalies", "judged", started, phase="outputs", held_models=len(verdict.held))
    return {**held, **verdict.held}


def _anomalies_failed(run: AnomalyRun, summary: dict, phase: str, started: datetime, exc: Exception) -> None:
    run.echo(f"anomalies ({phase}): the checks failed and judged nothing: {exc}")
    summary.setdefault("anomalies", {})[phase] = {"error": str(exc)}
    RunRecord(run.run_folder).log_step("anomalies", "failed", started, phase=phase, error=str(exc))


def _stop_for_anomalies(record: RunRecord, summary: dict, echo: Echo) -> PipelineResult:
    status = "stopped: anomalous sources"
    summary.update(
        status=status, exit_code=EXIT_STOPPED_BY_SOURCES, finished_at=datetime.now(UTC).isoformat(timespec="seconds")
    )
    record.write_summary(summary)
    echo(f"run {record.run_id} {status} (exit {EXIT_STOPPED_BY_SOURCES})")
    return PipelineResult(record.run_id, EXIT_STOPPED_BY_SOURCES, status, 0, None, None, summary)


# 2. Build -----------------------------------------------------------------------------------------------------


def _unit_tests_to_carry(settings: PipelineSettings, scope: Scope) -> list[dict]:
    """The unit-test results of the last build before this run, when it passed every unit test of the project
    (runs that built nothing are passed over); empty otherwise, and the unit tests run."""
    record = scope_module.last_build(settings.history_root, scope.since_run)
    if record is None:
        return []
    try:
        build = record.build()
    except ArtifactsError:
        return []
    unit_tests = set(build.manifest.get("unit_tests", {}))
    passed = [r for r in build.run_results.get("results", []) if r["unique_id"] in unit_tests]
    if unit_tests and len(passed) == len(unit_tests) and all(r.get("status") == "pass" for r in passed):
        return passed
    return []


def _build_with_retries(settings: PipelineSettings, record: RunRecord, scope: Scope, echo: Echo) -> list[DbtOutcome]:
    """`dbt build` of the run's scope, then `dbt retry` after each transient failure, up to the policy's retries.

    A landed run builds what the new files reach and tests the rows written since the build started (across
    its retries). Its unit tests are carried from the last build when that build passed every one: the
    project is the same (the scope compares it), and a unit test reads fixtures, not the warehouse.
    """
    build_args = [*DBT_GLOBAL_FLAGS, "build", "--target", settings.target, *_selection(settings)]
    env = dict(settings.extra_env or {})
    if scope.kind == LANDED:
        build_args += ["--select", *scope.selectors]
        carried = _unit_tests_to_carry(settings, scope)
        if carried:
            build_args += ["--exclude", "test_type:unit"]
            artifacts.keep_carried(record.folder, carried, scope.since_run)
            echo(f"unit tests: all {len(carried)} passed in the last build, of this same project; not run again")
    env.update(scope.tests_env(since=datetime.now(UTC)))
    attempts: list[DbtOutcome] = []
    args = build_args
    while True:
        number = len(attempts) + 1
        started = datetime.now(UTC)
        echo(f"build attempt {number}: dbt {' '.join(args[len(DBT_GLOBAL_FLAGS) :])}")
        invocation = _invoke(args, settings, on_node=_node_printer(echo), env=env)
        attempts.append(invocation)
        target_path = Path(settings.workspace.target_path)
        record.keep(target_path / artifacts.RUN_RESULTS, f"{artifacts.attempt_folder(number)}/{artifacts.RUN_RESULTS}")
        record.keep(target_path / artifacts.MANIFEST, artifacts.MANIFEST)
        transient, deterministic = _failures_by_kind(invocation)
        record.log_step(
            "build" if number == 1 else "retry",
            "succeeded" if invocation.succeeded else "crashed" if invocation.crashed else "failed",
            started,
            attempt=number,
            command=" ".join(args[len(DBT_GLOBAL_FLAGS) :]),
            transient_failures=transient,
            deterministic_failures=deterministic,
            error=invocation.output[-4000:] if invocation.crashed else None,
        )
        if invocation.succeeded or not transient or number > settings.retry.max_retries:
            return attempts
        echo(f"  transient failure ({', '.join(transient)}): retrying what failed and what depends on it")
        _wait(settings, number, echo)
        # `dbt retry` needs the previous run_results; a crash before any node ran leaves none, so build again.
        args = [*DBT_GLOBAL_FLAGS, "retry"] if invocation.run_results else build_args


def _keep_failed_sql(record: RunRecord, diagnosis: Diagnosis, manifest: Mapping, target_path: Path) -> None:
    """Copy the compiled SQL of each root cause into the run's folder: the next dbt run overwrites target/."""
    for outcome in diagnosis.root_causes:
        path = compiled_sql_path(outcome.unique_id, manifest, target_path)
        if path is not None:
            record.keep(path, f"compiled/{outcome.unique_id}.sql")


def _failures_by_kind(invocation: DbtOutcome) -> tuple[list[str], list[str]]:
    """Names of the transiently and deterministically failed nodes ("dbt" when dbt itself failed)."""
    if invocation.crashed:
        return (["dbt"], []) if classify(invocation.output).transient else ([], ["dbt"])
    transient, deterministic = [], []
    for result in (invocation.run_results or {}).get("results", []):
        if result["status"] in FAILED:
            kind = (
                transient
                if result["status"] == "error" and classify(result.get("message")).transient
                else deterministic
            )
            kind.append(result["unique_id"])
    return transient, deterministic


def _node_printer(echo: Echo) -> Callable[[NodeEvent], None]:
    """Built nodes as they finish; tests only when they do not pass (a build runs hundreds of them)."""

    def show(event: NodeEvent) -> None:
        is_built = event.unique_id.startswith(_BUILT_RESOURCES)
        if is_built or event.status not in ("pass", "success", "no-op"):
            name = event.unique_id.split(".", 2)[-1]
            echo(f"  {event.status:<8} {name} ({event.execution_time:.1f}s)")

    return show


def _build_summary(
    attempts: list[DbtOutcome], outcomes: Mapping[str, NodeOutcome], diagnosis: Diagnosis, crashed: bool
) -> dict:
    counts: dict[str, int] = {}
    for outcome in outcomes.values():
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return {
        "attempts": len(attempts),
        "retries": len(attempts) - 1,
        "crashed": crashed,
        "nodes": counts,
        "models_built": sorted(
            o.name for o in outcomes.values() if o.unique_id.startswith(_BUILT_RESOURCES) and o.status == "success"
        ),
        "root_causes": [o.unique_id for o in diagnosis.root_causes],
        "casualties": [o.unique_id for o in diagnosis.casualties],
        "affected_exposures": list(diagnosis.affected_exposures),
        "crash_output": attempts[-1].output[-4000:] if crashed else None,
    }


def _echo_build(build: dict, diagnosis: Diagnosis, echo: Echo) -> None:
    nodes = ", ".join(f"{count} {status}" for status, count in sorted(build["nodes"].items()))
    echo(f"build: {len(build['models_built'])} models built; nodes: {nodes or 'none'}; retries: {build['retries']}")
    if build["crashed"]:
        echo(f"  dbt failed before finishing:\n{_indent(build['crash_output'] or '')}")
    for outcome in diagnosis.root_causes:
        echo(f"  root cause: {outcome.unique_id} ({outcome.status}): {_first_line(outcome.message)}")
    if diagnosis.casualties:
        echo(f"  {len(diagnosis.casualties)} node(s) skipped or failed because of an upstream failure")
    if diagnosis.affected_exposures:
        echo(f"  consumers affected: {', '.join(diagnosis.affected_exposures)}")


# 3. Publish and share -----------------------------------------------------------------------------------------


def _publish(
    settings: PublishSettings,
    workspace: DbtWorkspace,
    record: RunRecord,
    outcomes: Mapping[str, NodeOutcome],
    diagnosis: Diagnosis,
    freshness: FreshnessReport,
    anomaly_holds: Mapping[str, str],
    scope: Scope,
    echo: Echo,
) -> PublishOutcome:
    from flick_ops.publish import GoldReader, PublishOptions, SpecError, load_spec
    from flick_ops.publish.reader import WarehouseError
    from flick_ops.publish.sinks import SinkError
    from flick_ops.release import Release, held_back, lake_only_fit, publish_release

    started = datetime.now(UTC)
    # The run's record of its build (each node's last attempt), not target/: after a retry, target/ holds only
    # the retry's nodes.
    try:
        build = record.build()
        spec = load_spec(settings.spec_path)
    except (ArtifactsError, SpecError) as exc:
        return _publish_failed(record, started, str(exc), echo)
    manifest = build.manifest
    project = manifest["metadata"]["project_name"]
    # A landed run rebuilt only what the new files reach; the rest is as the last clean run published it.
    unchanged = frozenset(
        {
            model
            for model in {entry.model for entry in spec.entries} | set(spec.lake_only)
            if f"model.{project}.{model}" not in outcomes
        }
        if scope.kind == LANDED
        else set()
    )
    if unchanged:
        echo(
            f"publish: unchanged since run {scope.since_run} (no new data reaches them): {', '.join(sorted(unchanged))}"
        )
    held, failing = held_back(
        spec, build, unpublishable=diagnosis.unpublishable_models, holds=anomaly_holds, unchanged=unchanged
    )
    for model, reason in lake_only_fit(spec, build, unchanged).items():
        if reason is not None:
            held[f"lake_export.{model}"] = reason
    for name, reason in held.items():
        echo(f"publish: holding back {name}: {reason}")
    chosen = tuple(entry for entry in spec.entries if entry.name not in held and entry.model not in unchanged)
    lake_only = [model for model in spec.lake_only if model not in unchanged and f"lake_export.{model}" not in held]
    affected = _exposures_of([entry.model for entry in spec.entries if entry.name in failing], project, manifest)
    if not chosen and not lake_only:
        record.log_step("publish", "nothing to publish", started, held_back=held)
        return PublishOutcome(held_back=held, affected_exposures=affected)
    models = [entry.model for entry in chosen]
    release = Release(spec, chosen, tuple(dict.fromkeys(models + lake_only)))
    reader = GoldReader(Path(workspace.duckdb_path), record.folder)
    try:
        done = publish_release(release, reader, settings.sink, settings.state_dir, PublishOptions(), settings.lake_root)
    except (SinkError, WarehouseError) as exc:
        return _publish_failed(record, started, str(exc), echo, held)
    if done.report is not None:
        echo(done.report.describe())
    if done.export_error:
        return _publish_failed(record, started, done.export_error, echo, held)
    for table in done.exported:
        echo(table.describe())
    report = done.report
    error = (
        f"{report.failed:,} documents failed and {report.invalid:,} rows were invalid"
        if report is not None and not report.ok
        else None
    )
    outcome = PublishOutcome(
        published=tuple(entry.name for entry in chosen),
        held_back=held,
        exported=tuple(table.model for table in done.exported),
        data_time=_data_time(models + lake_only, project, manifest, freshness),
        error=error,
        affected_exposures=affected,
    )
    record.log_step("publish", "failed" if error else "published", started, **_publish_summary(outcome))
    return outcome


def _exposures_of(models: Sequence[str], project: str, manifest: Mapping) -> tuple[str, ...]:
    """The exposures (consumers) that read any of the models."""
    children, exposures = manifest.get("child_map", {}), manifest.get("exposures", {})
    return tuple(
        sorted(
            {child for model in models for child in children.get(f"model.{project}.{model}", []) if child in exposures}
        )
    )


def _data_time(models: Sequence[str], project: str, manifest: Mapping, freshness: FreshnessReport) -> dict[str, str]:
    """Per model, the oldest of the newest loads of the sources it reads: its data is complete up to then."""
    parents = manifest.get("parent_map", {})
    newest = freshness.newest_loads
    times = {}
    for model in models:
        seen, frontier = set(), [f"model.{project}.{model}"]
        while frontier:
            for parent in parents.get(frontier.pop(), []):
                if parent not in seen:
                    seen.add(parent)
                    frontier.append(parent)
        loads = [newest[uid] for uid in seen if uid in newest]
        if loads:
            times[model] = min(loads).isoformat()
    return times


def _publish_failed(
    record: RunRecord, started: datetime, error: str, echo: Echo, held_back: Mapping[str, str] | None = None
) -> PublishOutcome:
    echo(f"publish failed: {error}")
    record.log_step("publish", "failed", started, error=error)
    return PublishOutcome(held_back=dict(held_back or {}), error=error)


def _publish_summary(outcome: PublishOutcome) -> dict:
    return {
        "published": list(outcome.published),
        "held_back": dict(outcome.held_back),
        "exported": list(outcome.exported),
        "data_time": dict(outcome.data_time),
        "error": outcome.error,
        "affected_exposures": list(outcome.affected_exposures),
    }


def _share_or_skip(
    settings: PipelineSettings, record: RunRecord, diagnosis: Diagnosis, scope: Scope, echo: Echo
) -> dict:
    """Update the shares after a clean build of the whole project; otherwise leave them as they are.

    Data Share snapshots the lake's gold zone on its own schedule, and the exports of held-back models are
    the last good ones, so recipients keep receiving consistent data while a build is broken.
    """
    reason = (
        "the build did not pass"
        if not diagnosis.clean
        else "a selected run (--select) does not rebuild every shared data set"
        if settings.select
        else "a landed run changes no share: the shares follow the publish spec, and a changed spec builds everything"
        if scope.kind == LANDED
        else None
    )
    if reason is None:
        return _share(settings, record, echo)
    detail = f"skipped: {reason}; the shares were left as they were"
    echo(f"share: {detail}")
    record.log_step("share", "skipped", datetime.now(UTC), detail=detail)
    return {"detail": detail, "error": None}


def _share(settings: PipelineSettings, record: RunRecord, echo: Echo) -> dict:
    started = datetime.now(UTC)
    try:
        detail = _update_shares(settings.share, record, echo)
    except Exception as exc:  # a share failure must not hide the build's and publish's results
        record.log_step("share", "failed", started, error=str(exc))
        echo(f"share failed: {exc}")
        return {"error": str(exc)}
    record.log_step("share", "done", started, detail=detail)
    return {"detail": detail, "error": None}


def _update_shares(request: ShareRequest, record: RunRecord, echo: Echo) -> str:
    """Data Share from the spec, checked against this run's build: applied with AZURE_SUBSCRIPTION_ID set,
    else planned as a dry run."""
    from flick_ops.release import apply_shares, checked_shares, share_plan
    from flick_ops.share.client import AzureSettings, create_data_share_client

    spec = checked_shares(request, record.build)
    azure = AzureSettings.from_environment()
    if azure is None:
        # The plan's headline per share, not every call body: `flick-ops share` shows those.
        for line in share_plan(request, spec, None, None).describe().splitlines():
            if not line.startswith(" "):
                echo(f"share: {line}")
        return "dry run (no AZURE_SUBSCRIPTION_ID): nothing was changed"
    client = create_data_share_client(azure)
    done = apply_shares(request, client, share_plan(request, spec, client, azure.subscription_id))
    return f"applied {len(done)} Data Share call(s)"


# 4. Alerts and helpers ----------------------------------------------------------------------------------------


def _alert_after_build(
    settings: PipelineSettings,
    record: RunRecord,
    summary: dict,
    freshness: FreshnessReport,
    diagnosis: Diagnosis,
    attempts: list[DbtOutcome],
    publish: PublishOutcome | None,
    echo: Echo,
) -> None:
    retries = len(attempts) - 1
    intake = summary.get("intake", {})
    warnings = tuple(
        f"landed file {line}" for key in ("quarantined", "drifted", "flagged") for line in intake.get(key, [])
    )
    warnings += tuple(f"stale source (warn): {check.describe()}" for check in freshness.warnings)
    if retries:
        warnings += (f"transient failures: the build needed {retries} retr{'y' if retries == 1 else 'ies'}",)
    failed = summary["exit_code"] != EXIT_OK
    if not failed and not warnings:
        return
    crash = summary["build"]["crash_output"]
    nodes = tuple(alerts.FailedNode(o.unique_id, o.message) for o in diagnosis.root_causes)
    if crash:
        nodes += (alerts.FailedNode("dbt", crash),)
    not_published = tuple(
        f"not published: {name} ({why})" for name, why in (publish.held_back if publish else {}).items()
    )
    problems = tuple(p for p in (publish.error if publish else None, summary.get("share", {}).get("error")) if p)
    _send(
        settings,
        record,
        alerts.Alert(
            kind=alerts.FAILURE if failed else alerts.WARNING,
            run_id=record.run_id,
            target=settings.target,
            summary=(
                f"{len(diagnosis.root_causes)} node(s) failed, {len(diagnosis.casualties)} skipped or failed "
                f"because of them; {retries} retr{'y' if retries == 1 else 'ies'} attempted."
            ),
            failed_nodes=nodes,
            affected_exposures=tuple(
                sorted({*diagnosis.affected_exposures, *(publish.affected_exposures if publish else ())})
            ),
            details=problems + warnings + not_published,
            postmortem_hint=f"Post-mortem: flick-ops postmortem {record.run_id}",
        ),
        echo,
    )


def _send(settings: PipelineSettings, record: RunRecord, alert: alerts.Alert, echo: Echo) -> None:
    started = datetime.now(UTC)
    delivery = alerts.send_alert(alert, log_path=settings.alert_log, webhook_url=settings.webhook_url)
    record.log_step(
        "alert",
        "delivered" if delivery.delivered else "logged only",
        started,
        kind=alert.kind,
        delivery=delivery.detail,
    )
    echo(f"alert ({alert.kind}): {delivery.detail}; logged to {settings.alert_log}")


def _invoke(
    args: list[str],
    settings: PipelineSettings,
    on_node: Callable[[NodeEvent], None] | None = None,
    env: Mapping[str, str] | None = None,
) -> DbtOutcome:
    return run_dbt(args, settings.workspace, on_node=on_node, extra_env=settings.extra_env if env is None else env)


def _selection(settings: PipelineSettings) -> list[str]:
    # Cautious: a test runs only when every model it reads is in the selection, so a relationships test
    # to a model outside `--select +mart_x` does not fail for want of that model.
    return ["--select", *settings.select, "--indirect-selection", "cautious"] if settings.select else []


def _wait(settings: PipelineSettings, retry_number: int, echo: Echo) -> None:
    delay = settings.retry.delay(retry_number)
    echo(f"  waiting {delay:.1f} s before retry {retry_number} of {settings.retry.max_retries}")
    settings.sleep(delay)


def _first_line(text: str) -> str:
    return " ".join(text.split())[:240]


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.strip().splitlines())
