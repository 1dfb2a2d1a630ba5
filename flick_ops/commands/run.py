"""`flick-ops run`: the whole flow, failing well (freshness, dbt build with retries, publish and share what passed)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import click

from flick_ops.dbt.runner import PROJECT_ROOT, DbtWorkspace


def _in_warehouse(project_dir: Path, name: str) -> Path:
    return Path(project_dir) / "warehouse" / name


@click.command(
    epilog=(
        "Exit codes: 0 built and published (warnings allowed), or nothing new landed since a clean run; 1 the build failed (what passed was still published); "
        "2 usage error (a selector that matches no node, no e-mail hash salt); 3 stopped before building: a source "
        "is stale, empty or could not be measured, or an anomaly with severity stop; "
        "4 built, but publishing or sharing failed."
    )
)
@click.option(
    "--project-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=PROJECT_ROOT,
    show_default=True,
    help="The dbt project; the warehouse, target/, run history and alert log live in it unless set otherwise.",
)
@click.option("--target", default="duckdb", show_default=True, help="dbt target (profiles.yml output).")
@click.option(
    "--select",
    "-s",
    "select",
    multiple=True,
    metavar="SELECTOR",
    help='dbt node selection, as for dbt (repeat, or quote several: "+mart_a +mart_b"). Default: the whole project.',
)
@click.option(
    "--max-retries",
    type=click.IntRange(0, 10),
    default=2,
    show_default=True,
    help="Retries of a transient failure (lost connection, lock, throttling, deadlock, time-out).",
)
@click.option(
    "--retry-wait",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    help="Base of the exponential backoff in seconds: retry n waits between half and all of wait * 2**(n-1).",
)
@click.option(
    "--webhook-url",
    envvar="FLICK_ALERT_WEBHOOK_URL",
    metavar="URL",
    help="Teams or Slack incoming webhook for alerts [env FLICK_ALERT_WEBHOOK_URL]. Alerts always go to the alert log.",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]),
    default=None,
    help="Judge source freshness as of this UTC time instead of now (replays, back-fills, the sample lake).",
)
@click.option(
    "--lake",
    "lake_root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Lake root: Bronze is read from it and published Gold exported to its gold/ zone. Default: env FLICK_LAKE_ROOT, else <project>/lake.",
)
@click.option("--skip-publish", is_flag=True, help="Build only: publish nothing (and so share nothing).")
@click.option("--skip-share", is_flag=True, help="Publish, but do not update Azure Data Share.")
@click.option(
    "--history",
    "history_root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Run history folder (one subfolder per run; `flick-ops postmortem` reads it). Default: <project>/warehouse/runs.",
)
@click.option(
    "--alert-log",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Local alert log (JSON lines); every alert is appended, delivered or not. Default: <project>/warehouse/alerts.jsonl.",
)
@click.option(
    "--local-sink",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The local Cosmos stand-in, used unless FLICK_COSMOS_ENDPOINT is set. Default: <project>/warehouse/local_cosmos.duckdb.",
)
@click.option(
    "--publish-state",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Publish state folder (what each sink was last sent). Default: <project>/warehouse/publish_state.",
)
@click.option(
    "--anomalies",
    "anomaly_config",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Anomaly check settings (severity per source, baselines, watched models). Default: <project>/deploy/anomalies.yml.",
)
@click.option("--skip-anomaly-checks", is_flag=True, help="Judge nothing against the run history.")
@click.option(
    "--full-tests",
    is_flag=True,
    help="Build everything and run every test over every row, whatever landed. By default a run after a clean "
    "one builds only what newly landed files reach and tests the rows it wrote, and with nothing new only "
    "measures freshness; a first run, or one after a project change or a failed run, is full anyway.",
)
@click.option(
    "--accept-anomaly",
    "accepted",
    multiple=True,
    metavar="NAME",
    help="A source (vendor), entity (vendor.catalog) or model whose anomalies are alerted but neither hold nor stop (repeatable).",
)
def run(
    project_dir: Path,
    target: str,
    select: tuple[str, ...],
    max_retries: int,
    retry_wait: float,
    webhook_url: str | None,
    as_of: datetime | None,
    lake_root: Path | None,
    skip_publish: bool,
    skip_share: bool,
    history_root: Path | None,
    alert_log: Path | None,
    local_sink: Path | None,
    publish_state: Path | None,
    anomaly_config: Path | None,
    skip_anomaly_checks: bool,
    accepted: tuple[str, ...],
    full_tests: bool,
) -> None:
    """Run the pipeline: fresh sources, dbt build with retries, then publish and share what passed.

    A run costs what landed: after a clean run it builds only what the newly
    landed files reach and tests the rows it wrote (a new key is still
    checked against every stored one); with nothing new it only measures
    freshness and says so. The first run, a changed project, a warehouse
    changed by hand or a failed last run build everything with every test,
    as does --full-tests.

    Stale or empty sources stop the run before any model builds; what landed,
    the quarantines and the watched models are judged against the run history
    (deploy/anomalies.yml says per source whether an anomaly warns, holds its
    consumers back from publishing, or stops the run). Transient
    failures are retried with backoff (dbt retry: only what failed and what
    depends on it); SQL errors and failed tests are not. A failed model keeps
    its consumers on the last good data: only models that built and passed
    their tests are published. Failures and warnings are alerted; every run
    is kept in the history for `flick-ops postmortem`.
    """
    from flick_ops.anomaly.config import AnomalyConfigError, load_config
    from flick_ops.dbt.selection import require_matches
    from flick_ops.release import ShareRequest, SinkSettings
    from flick_ops.run import PipelineSettings, PublishSettings, run_pipeline
    from flick_ops.run.retry import RetryPolicy
    from flick_ops.salt import require_salt

    require_salt(project_dir)
    anomalies = None
    if not skip_anomaly_checks:
        try:
            anomalies = load_config(anomaly_config or project_dir / "deploy" / "anomalies.yml").with_accepted(accepted)
        except AnomalyConfigError as exc:
            raise click.UsageError(str(exc)) from exc

    workspace = DbtWorkspace.default(project_dir)
    if lake_root is not None:
        workspace = replace(workspace, lake_root=lake_root)
    selectors = tuple(token for value in select for token in value.split())
    require_matches(selectors, workspace, target)
    publish = None
    if not skip_publish:
        publish = PublishSettings(
            spec_path=project_dir / "deploy" / "publish.yml",
            state_dir=publish_state or _in_warehouse(project_dir, "publish_state"),
            sink=SinkSettings.from_environment(local_sink or _in_warehouse(project_dir, "local_cosmos.duckdb")),
            lake_root=workspace.lake_root,
        )
    share = ShareRequest(
        spec_path=project_dir / "deploy" / "shares.yml",
        publish_spec_path=project_dir / "deploy" / "publish.yml",
        ledger_path=_in_warehouse(project_dir, "share_ledger.duckdb"),
        today=datetime.now(UTC).date(),
    )
    settings = PipelineSettings(
        workspace=workspace,
        history_root=history_root or _in_warehouse(project_dir, "runs"),
        alert_log=alert_log or _in_warehouse(project_dir, "alerts.jsonl"),
        target=target,
        select=selectors,
        retry=RetryPolicy(max_retries=max_retries, base_seconds=retry_wait, rng=random.Random()),
        as_of=as_of.replace(tzinfo=UTC) if as_of else None,
        webhook_url=webhook_url or None,
        publish=publish,
        share=None if skip_share or skip_publish else share,
        anomalies=anomalies,
        full_tests=full_tests,
    )
    result = run_pipeline(settings, echo=click.echo)
    raise SystemExit(result.exit_code)
