"""Options that several commands declare alike (the commands reading the run history)."""

from __future__ import annotations

from pathlib import Path

import click

from flick_ops.dbt.runner import PROJECT_ROOT

history_option = click.option(
    "--history",
    "history_root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Run history folder written by `flick-ops run`. Default: <project>/warehouse/runs.",
)

reported_project_option = click.option(
    "--project-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=PROJECT_ROOT,
    show_default=True,
    help="The dbt project whose runs to report on.",
)
