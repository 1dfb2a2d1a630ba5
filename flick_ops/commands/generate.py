"""`flick-ops generate`: a realistic Bronze lake from all six sources, dirty rows included."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import click


@contextmanager
def progress_bars(label: str, length: int) -> Iterator:
    """The generator's progress (`flick_ops.generate.progress`) as click progress bars on stderr."""
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update


@click.command(epilog="Exit codes: 0 written, 1 the lake could not be written (permissions, disk), 2 usage error.")
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
    from flick_ops.generate.progress import silent
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
        summary = generate_lake(config, progress=silent if quiet else progress_bars, anomalies=planted)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--anomaly") from exc
    click.echo(summary.describe())
