"""The `flick-ops` command line: a thin click layer over the job modules."""

from __future__ import annotations

import sys
import threading
import traceback
from datetime import UTC, datetime
from pathlib import Path

import click

from flick_ops import __version__
from flick_ops.commands.compile import compile as compile_command
from flick_ops.commands.ingest import ingest
from flick_ops.commands.intake import intake
from flick_ops.commands.parity import parity
from flick_ops.commands.postmortem import postmortem
from flick_ops.commands.publish import publish
from flick_ops.commands.report import report
from flick_ops.commands.run import run
from flick_ops.commands.share import share
from flick_ops.errors import EXIT_FAILED, describe_expected


class _OneLineErrors(click.Group):
    """Report usage errors on one line (`flick-ops: error: ...`) with exit code 2, expected failures in one or two
    lines with their exit code (the traceback only with --verbose), and always leave through sys.exit, so that
    `python -m flick_ops.cli` exits as the console script does."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        arguments = list(sys.argv[1:] if args is None else args)
        try:
            result = super().main(args=arguments, prog_name=prog_name, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
            sys.exit(0)
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx else "flick-ops"
            click.echo(f"{command}: error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"flick-ops: error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("flick-ops: aborted", err=True)
            sys.exit(130)
        except Exception as exc:
            message = describe_expected(exc)
            if message is None:
                raise
            if _VERBOSE_FLAG in arguments:
                traceback.print_exception(exc)
            click.echo(f"flick-ops: error: {message}", err=True)
            sys.exit(getattr(exc, "exit_code", EXIT_FAILED))
        sys.exit(result if isinstance(result, int) else 0)


_VERBOSE_FLAG = "--verbose"


@click.group(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="flick-ops")
@click.option(
    _VERBOSE_FLAG, is_flag=True, help="On an expected failure, show the traceback too, not only its one or two lines."
)
def main(verbose: bool) -> None:
    """Operate Flick's analytics warehouse.

    The dbt project holds the Bronze, Silver and Gold logic; these commands
    make the lake it reads and move its results to where consumers need them.
    """


@main.command(epilog="Exit codes: 0 written, 1 the lake could not be written (permissions, disk), 2 usage error.")
@click.option(
    "--lake",
    "lake_root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("lake"),
    show_default=True,
    help="Folder to write the lake into (mirrors the ADLS Gen2 containers). Its bronze/ folder is replaced.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=42,
    show_default=True,
    help="Random seed; the same seed and options give a byte-identical lake.",
)
@click.option(
    "--accounts", type=click.IntRange(min=10), default=1000, show_default=True, help="Number of subscriber accounts."
)
@click.option(
    "--days",
    type=click.IntRange(min=1, max=3660),
    default=14,
    show_default=True,
    help="Number of days of data, ending on --start-date + days - 1.",
)
@click.option(
    "--events-per-day",
    type=click.IntRange(min=100),
    default=10_000,
    show_default=True,
    help="Average playback events per day (the daily and weekly rhythm moves each day around it).",
)
@click.option(
    "--start-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default="2026-10-01",
    show_default=True,
    help="First day of the simulated window (YYYY-MM-DD).",
)
@click.option(
    "--dirty-rate",
    type=click.FloatRange(min=0.0, max=0.5),
    default=0.01,
    show_default=True,
    help="Share of landed rows that go wrong the way real feeds do (malformed, missing, mistyped, duplicated, late, ...). 0 for a clean lake.",
)
@click.option(
    "--not-after",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"]),
    default=None,
    help="Capture moment (UTC): nothing stamped later lands. Default: now, so a window that ends today ends at "
    "the moment the lake is generated.",
)
@click.option(
    "--anomaly",
    "anomalies",
    multiple=True,
    metavar="KIND[:SOURCE.ENTITY[.FIELD]]@DATE",
    help="Plant a bad day (repeatable): volume_drop (40%% of playback.events land), volume_surge (2.5 times, as "
    "on a launch), late_arrival (reviews.scores "
    "8 h late), quarantine_spike (every reviews.scores row unparsable), null_burst (social.mentions "
    "sentiment_score all null); another entity or field after a colon.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def generate(
    lake_root: Path,
    seed: int,
    accounts: int,
    days: int,
    events_per_day: int,
    start_date: datetime,
    dirty_rate: float,
    not_after: datetime | None,
    anomalies: tuple[str, ...],
    quiet: bool,
) -> None:
    """Write a realistic Bronze lake from all six of Flick's sources.

    Sources: app (accounts, profiles, subscription events, ratings, watchlist
    adds), studio (originals), vendor (catalog CSV, license windows), social
    (mentions), reviews (external scores) and playback (Event Hubs telemetry).
    A summary of what was written, dirty rows included, goes to
    <lake>/_generation_manifest.json.
    """
    from flick_ops.errors import OperatorError
    from flick_ops.generate import generate_lake
    from flick_ops.generate.anomalies import PlantedAnomaly
    from flick_ops.generate.world import GeneratorConfig

    try:
        planted = [PlantedAnomaly.parse(text) for text in anomalies]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--anomaly") from exc
    try:
        lake_root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OperatorError(
            f"cannot create the lake folder {lake_root}: {exc.strerror}\nchoose a folder you can write to with --lake"
        ) from exc
    config = GeneratorConfig(
        lake_root=lake_root,
        seed=seed,
        accounts=accounts,
        days=days,
        events_per_day=events_per_day,
        start_date=start_date.date(),
        dirty_rate=dirty_rate,
        not_after=not_after.replace(tzinfo=UTC) if not_after else datetime.now(UTC),
    )
    try:
        summary = generate_lake(config, show_progress=not quiet, anomalies=planted)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--anomaly") from exc
    click.echo(summary.describe())


@main.command()
@click.option("--target", default="duckdb", show_default=True, help="dbt target whose warehouse the site describes.")
@click.option("--serve/--no-serve", default=True, show_default=True, help="Serve the site after building it.")
@click.option(
    "--port",
    type=click.IntRange(min=0, max=65535),
    default=8080,
    show_default=True,
    help="Port on 127.0.0.1 to serve on (0 picks a free one).",
)
def docs(target: str, serve: bool, port: int) -> None:
    """Build the dbt docs site (models, columns, KPI definitions, lineage) and serve it.

    The warehouse must be built first (`make demo`). The site lands in
    target/docs/ (index.html with manifest.json and catalog.json) and as one
    self-contained page, target/docs/static_index.html; the build's own
    artifacts in target/ are left as they are.
    """
    from flick_ops.dbt.runner import DbtWorkspace
    from flick_ops.docs import DocsBuildError, generate_docs, serving

    try:
        site = generate_docs(DbtWorkspace.default(), target=target)
    except DocsBuildError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"docs site: {site.index}\nsingle page: {site.static_page}")
    if not serve:
        return
    with serving(site, port=port) as url:
        click.echo(f"serving {url} (Ctrl+C to stop)")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            click.echo("stopped")


main.add_command(publish)
main.add_command(share)
main.add_command(run)
main.add_command(postmortem)
main.add_command(report)
main.add_command(compile_command)
main.add_command(parity)
main.add_command(ingest)
main.add_command(intake)

if __name__ == "__main__":
    sys.exit(main())
