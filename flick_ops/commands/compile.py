"""`flick-ops compile`: the SQL dbt would send to Synapse or Databricks, written without a connection."""

from __future__ import annotations

from pathlib import Path

import click

from flick_ops.compile.harness import DEFAULT_TIMEOUT_SECONDS, TARGETS, OfflineCompileError, compile_offline
from flick_ops.dbt.runner import PROJECT_ROOT

EXIT_COMPILE_FAILED = 1
EXIT_CHECKS_FAILED = 3
# dbt-synapse loads pyodbc, which needs unixODBC's library even to compile offline.
ODBC_LIBRARY = "libodbc.so.2"
ODBC_INSTALL = "sudo apt-get install libodbc2 (Debian/Ubuntu; `make odbc` does it)"


class CompileFailed(click.ClickException):
    exit_code = EXIT_COMPILE_FAILED


@click.command(
    epilog=(
        "Writes <out>/fresh/<node>.sql (first build: nothing exists yet), <out>/existing/<node>.sql "
        "(every relation exists: incremental and snapshot merge paths) and <out>/index.json. "
        "Exit codes: 0 done, 1 dbt failed or timed out, 2 usage error, 3 dialect checks found problems."
    )
)
@click.option("--target", type=click.Choice(TARGETS), required=True, help="Engine to compile for.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write into.  [default: target_offline/<target>/]",
)
@click.option(
    "--timeout",
    "timeout_seconds",
    type=click.FloatRange(min=1),
    default=DEFAULT_TIMEOUT_SECONDS,
    show_default=True,
    help="Seconds before the offline dbt runs are stopped.",
)
@click.option(
    "--select", "-s", multiple=True, help="dbt node selection (repeatable); default every model and snapshot."
)
@click.option(
    "--extra-models",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help=(
        "A folder of scratch models (e.g. tests/synapse_corpus/traps) planted as models/<folder name> in a "
        "copy of the project; without --select only they are compiled."
    ),
)
@click.option(
    "--check/--no-check", default=True, show_default=True, help="Run the dialect checks on what was compiled."
)
def compile(
    target: str,
    out_dir: Path | None,
    timeout_seconds: float,
    select: tuple[str, ...],
    extra_models: Path | None,
    check: bool,
) -> None:
    """Compile every model and snapshot for Synapse or Databricks offline, as the adapter would run them.

    dbt runs with the real adapter, whose connection records each statement
    instead of sending it (CTAS with distribution and index on Synapse,
    `create or replace table ... using delta cluster by` on Databricks,
    incremental and snapshot merges). No network is touched and no
    credentials are read.
    """
    from flick_ops.dbt.runner import DbtWorkspace
    from flick_ops.dbt.selection import require_matches
    from flick_ops.errors import require_library

    if target == "synapse":
        require_library("dbt-synapse (pyodbc)", ODBC_LIBRARY, ODBC_INSTALL)
    require_matches(select, DbtWorkspace.default())
    out_dir = out_dir or PROJECT_ROOT / "target_offline" / target
    try:
        compilation = compile_offline(
            target,
            out_dir,
            select=select,
            extra_models=extra_models,
            timeout_seconds=timeout_seconds,
            progress=click.echo,
        )
    except OfflineCompileError as exc:
        raise CompileFailed(str(exc)) from exc
    if not check:
        return
    from flick_ops.compile.dialects import check_compilation

    click.echo(f"{target}: dialect checks on {len(compilation.statements)} statements")
    findings = check_compilation(compilation)
    for finding in findings:
        click.echo(str(finding), err=True)
    if findings:
        click.echo(f"{target}: {len(findings)} dialect problems", err=True)
        raise click.exceptions.Exit(EXIT_CHECKS_FAILED)
    click.echo(
        f"{target}: every statement parses; no T-SQL traps; nothing a dedicated SQL pool rejects"
        if target == "synapse"
        else f"{target}: every statement parses"
    )
