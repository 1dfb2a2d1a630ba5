"""`flick-ops publish`: Gold marts to Cosmos DB (or the local sink) and to the lake's gold zone as Delta."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import click

from flick_ops.dbt.runner import PROJECT_ROOT, DbtWorkspace

EXIT_FAILURES = 1
EXIT_REFUSED = 3


class PublishFailed(click.ClickException):
    exit_code = EXIT_FAILURES


class PublishRefused(click.ClickException):
    exit_code = EXIT_REFUSED


class _Defaults:
    """Defaults from the demo layout and the environment, shown in --help."""

    workspace = DbtWorkspace.default()
    spec = PROJECT_ROOT / "deploy" / "publish.yml"
    state_dir = PROJECT_ROOT / "warehouse" / "publish_state"
    local_sink = PROJECT_ROOT / "warehouse" / "local_cosmos.duckdb"
    history = PROJECT_ROOT / "warehouse" / "runs"


@click.command(
    epilog=(
        "Exit codes: 0 published, 1 some documents failed, rows were invalid or the sink could not be reached, "
        "2 usage or spec error, 3 refused by the release rule (nothing sent or written)."
    )
)
@click.option(
    "--spec",
    "spec_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=_Defaults.spec,
    show_default=True,
    help="Publish spec (YAML): entries, containers, ids, partition keys, shapes, TTLs, groups.",
)
@click.option(
    "--models",
    "-m",
    "models",
    multiple=True,
    metavar="NAME[,NAME]",
    help="Spec entries or groups to publish (repeat or comma-separate). Default: every entry.",
)
@click.option(
    "--sink",
    type=click.Choice(["local", "cosmos"]),
    default=None,
    help="Where documents go. Default: cosmos when FLICK_COSMOS_ENDPOINT is set, else the local embedded sink.",
)
@click.option(
    "--endpoint",
    envvar="FLICK_COSMOS_ENDPOINT",
    metavar="URL",
    help="Cosmos DB account endpoint [env FLICK_COSMOS_ENDPOINT]. The key comes from env FLICK_COSMOS_KEY; without one, DefaultAzureCredential (managed identity, az login, ...) is used.",
)
@click.option(
    "--create-containers",
    is_flag=True,
    help="Create missing Cosmos databases and containers (with the spec's partition keys and TTL) instead of refusing.",
)
@click.option(
    "--max-concurrency",
    type=click.IntRange(1, 256),
    default=16,
    show_default=True,
    help="Cosmos requests in flight at once.",
)
@click.option(
    "--max-ru-per-second",
    type=click.FloatRange(min=1, min_open=False),
    default=None,
    help="Cap on request units per second spent by this publish, to leave throughput for live traffic. Default: no cap (429s are still honoured).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 100_000),
    default=500,
    show_default=True,
    help="Documents recorded in flight, sent and settled together.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Plan only: report what would be written and deleted; send and record nothing, export nothing.",
)
@click.option(
    "--force-full",
    is_flag=True,
    help="Rewrite every document whether it changed or not (e.g. after the container was edited by hand).",
)
@click.option(
    "--no-lake-export", is_flag=True, help="Skip writing the published models to <lake>/gold/<model>/ as Delta tables."
)
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=_Defaults.state_dir,
    show_default=True,
    help="Where the publish state (what each sink holds) is kept: one SQLite file per sink target.",
)
@click.option(
    "--local-path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=_Defaults.local_sink,
    show_default=True,
    help="The local sink's DuckDB file (with --sink local).",
)
@click.option(
    "--warehouse",
    "duckdb_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=_Defaults.workspace.duckdb_path,
    show_default=True,
    help="The DuckDB warehouse to read Gold from [env FLICK_DUCKDB_PATH].",
)
@click.option(
    "--dbt-target-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder with the manifest.json and run_results.json of the build being released. Default: the last "
    "`dbt build`: the newest of the run history's (warehouse/runs) and target/'s when dbt's last command there was a build.",
)
@click.option(
    "--lake",
    "lake_root",
    type=click.Path(file_okay=False, path_type=Path),
    default=_Defaults.workspace.lake_root,
    show_default=True,
    help="Lake root; Delta exports go to its gold/ zone [env FLICK_LAKE_ROOT].",
)
@click.option(
    "--insecure-local-tls",
    is_flag=True,
    help="Skip TLS certificate checks; allowed only for a loopback endpoint (the local Cosmos test server's certificate is self-signed).",
)
@click.option(
    "--report-json",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the report as JSON to this file.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def publish(
    spec_path: Path,
    models: Sequence[str],
    sink: str | None,
    endpoint: str | None,
    create_containers: bool,
    max_concurrency: int,
    max_ru_per_second: float | None,
    batch_size: int,
    dry_run: bool,
    force_full: bool,
    no_lake_export: bool,
    state_dir: Path,
    local_path: Path,
    duckdb_path: Path,
    dbt_target_dir: Path | None,
    lake_root: Path,
    insecure_local_tls: bool,
    report_json: Path | None,
    quiet: bool,
) -> None:
    """Publish Gold marts to Cosmos DB, sending only what changed, and export them to the lake as Delta.

    Only models that may leave the warehouse are published or exported:
    contract-enforced Gold, built and tested green by the last dbt build, no
    column tagged pii; anything else refuses the whole publish before a write. Each run compares Gold with what the sink was last sent: new and
    changed documents are written, vanished ones deleted, unchanged ones not
    sent. Invalid rows (bad ids, oversize documents) are reported, not sent.
    An interrupted publish is resumed by running the command again.
    """
    from flick_ops.dbt.artifacts import ArtifactsError, release_artifacts
    from flick_ops.dbt.release_rule import ReleaseRefused
    from flick_ops.publish import GoldReader, PublishOptions, SpecError, load_spec
    from flick_ops.publish.reader import WarehouseError
    from flick_ops.publish.sinks import SinkError
    from flick_ops.release import Release, ReleaseUsageError, SinkSettings, publish_release

    names = [name.strip() for value in models for name in value.split(",") if name.strip()]
    if models and not names:
        raise click.UsageError(f"--models {' '.join(repr(value) for value in models)} names no entry or group")
    try:
        release = Release.select(load_spec(spec_path), names, lake_export=not (dry_run or no_lake_export))
    except SpecError as exc:
        raise click.UsageError(str(exc)) from exc
    try:
        build = release_artifacts(dbt_target_dir, _Defaults.workspace.target_path, _Defaults.history)
        # One check of everything that would leave, before any sink is opened or any file written.
        release.check(build)
    except ArtifactsError as exc:
        raise PublishRefused(f"refusing to publish: {exc}") from exc
    except ReleaseRefused as exc:
        raise PublishRefused(str(exc)) from exc

    sink_settings = SinkSettings(
        local_path, sink, endpoint, insecure_local_tls, max_concurrency, max_ru_per_second, create_containers
    )
    options = PublishOptions(dry_run=dry_run, force_full=force_full, batch_size=batch_size)
    try:
        with _ProgressBar(enabled=not quiet) as progress:
            outcome = publish_release(
                release, GoldReader(duckdb_path, build.folder), sink_settings, state_dir, options, lake_root,
                progress=progress.advance, plans_ready=progress.start,
            )  # fmt: skip
    except ReleaseUsageError as exc:
        raise click.UsageError(str(exc)) from exc
    except SpecError as exc:
        raise click.UsageError(str(exc)) from exc
    except (SinkError, WarehouseError) as exc:
        raise PublishFailed(str(exc)) from exc
    report = outcome.report
    if report is not None:
        click.echo(report.describe())
        if report_json:
            report_json.parent.mkdir(parents=True, exist_ok=True)
            report_json.write_text(json.dumps(report.as_dict(), indent=2, default=str), encoding="utf-8")
    for table in outcome.exported:
        click.echo(table.describe())
    if outcome.export_error:
        raise PublishFailed(f"lake export: {outcome.export_error}")
    if report is not None and not report.ok:
        raise PublishFailed(f"{report.failed:,} documents failed and {report.invalid:,} rows were invalid (see above)")


class _ProgressBar:
    """A click progress bar sized once the plan is known; silent when disabled."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._bar = None

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._bar is not None:
            self._bar.render_finish()

    def start(self, plans: Sequence) -> None:
        total = sum(plan.operations for plan in plans)
        if self.enabled and total:
            self._bar = click.progressbar(length=total, label="publishing", file=click.get_text_stream("stderr"))
            self._bar.render_progress()

    def advance(self, done: int) -> None:
        if self._bar is not None:
            self._bar.update(done)
