"""`flick-ops report`: the run history as a static HTML page with charts (opens offline, from disk)."""

from __future__ import annotations

from pathlib import Path

import click

from flick_ops.commands.options import history_option, reported_project_option


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for report.html, plotly.js and the runs' post-mortems. Default: <project>/warehouse/report.",
)
@history_option
@click.option(
    "--anomalies",
    "anomaly_config",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Anomaly check settings the bands are drawn with. Default: <project>/deploy/anomalies.yml.",
)
@reported_project_option
def report(out_dir: Path | None, history_root: Path | None, anomaly_config: Path | None, project_dir: Path) -> None:
    """Write the run-history report: volume and quarantine share per source with the expected band,
    run duration per step, and the last runs with status, root cause and post-mortem links."""
    from flick_ops.anomaly.config import AnomalyConfigError, load_config
    from flick_ops.report import build_report, write_report
    from flick_ops.run.history import run_ids

    history_root = history_root or project_dir / "warehouse" / "runs"
    out_dir = out_dir or project_dir / "warehouse" / "report"
    if not run_ids(history_root):
        raise click.ClickException(f"no pipeline runs recorded in {history_root}: run `flick-ops run` first")
    try:
        config = load_config(anomaly_config or project_dir / "deploy" / "anomalies.yml")
    except AnomalyConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    built = build_report(history_root, config, out_dir)
    page = write_report(built, out_dir)
    click.echo(f"{len(built.runs)} run(s), {len(built.charts)} chart(s): {page}")
