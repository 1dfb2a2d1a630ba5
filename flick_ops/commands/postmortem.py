"""`flick-ops postmortem`: the report of a pipeline run (the latest by default), as Markdown and HTML."""

from __future__ import annotations

from pathlib import Path

import click

from flick_ops.commands.options import history_option, reported_project_option


@click.command()
@click.argument("run_id", required=False)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write postmortem-<run>.md and .html into. Default: the run's history folder.",
)
@click.option("--list", "list_runs", is_flag=True, help="List the recorded runs, newest last, and exit.")
@history_option
@reported_project_option
def postmortem(
    run_id: str | None, out_dir: Path | None, list_runs: bool, history_root: Path | None, project_dir: Path
) -> None:
    """Write the post-mortem of a pipeline run: timeline, root cause, affected consumers, retries, publishing."""
    from flick_ops.run.history import RunRecord, UnknownRun, run_ids
    from flick_ops.run.postmortem import build_postmortem, write_postmortem

    history_root = history_root or project_dir / "warehouse" / "runs"
    if list_runs:
        for known in run_ids(history_root):
            summary = RunRecord(history_root / known).summary()
            click.echo(f"{known}  {summary.get('status', 'unfinished'):<32} {' '.join(summary.get('select') or [])}")
        return
    try:
        record = RunRecord.open(history_root, run_id)
    except UnknownRun as exc:
        raise click.ClickException(str(exc)) from exc
    markdown, page = write_postmortem(record, out_dir)
    report = build_postmortem(record)
    click.echo(f"run {record.run_id}: {report.summary.get('status', 'unfinished')}")
    for outcome in report.diagnosis.root_causes:
        click.echo(f"  root cause: {outcome.unique_id} ({outcome.status})")
    click.echo(f"post-mortem: {markdown}\n             {page}")
