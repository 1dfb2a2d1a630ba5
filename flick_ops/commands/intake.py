"""`flick-ops intake`: check what has landed in the lake; read each file into the intake zone or quarantine it."""

from __future__ import annotations

import os
from pathlib import Path

import click


@click.command()
@click.option(
    "--lake",
    "lake_root",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: Path(os.environ.get("FLICK_LAKE_ROOT", "lake")),
    show_default="FLICK_LAKE_ROOT, else lake",
    help="The lake whose bronze/ folder to check.",
)
@click.option("--all", "show_all", is_flag=True, help="List every landed file, not only the quarantined and odd ones.")
def intake(lake_root: Path, show_all: bool) -> None:
    """Read every landed file into the intake zone (<lake>/_intake/), or quarantine it as a file with a reason.

    Bronze reads only what the intake has checked, so one odd file costs that
    file, never the warehouse. Each file is checked once (a changed one again);
    dbt on DuckDB and `flick-ops run` run this first on their own. Exit 0 even
    when files are quarantined: they are listed here, in the manifest
    (<lake>/_intake/landed_files.parquet) and in Silver's `quarantine_files`.
    """
    from flick_ops.lake.intake import run_intake

    if not (lake_root / "bronze").is_dir():
        raise click.UsageError(f"no lake at {lake_root}: nothing has landed under {lake_root / 'bronze'}")
    report = run_intake(lake_root, progress=lambda line: click.echo(f"  {line}", err=True))
    click.echo(report.describe())
    for landed in report.files if show_all else report.noteworthy:
        click.echo(f"  {landed.describe()}")
