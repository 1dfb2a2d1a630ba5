"""`flick-ops ingest`: land the playback stream into Bronze in checkpointed micro-batches."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click

from flick_ops.ingest.checkpoint import Checkpoint, CheckpointBusy, CheckpointError
from flick_ops.ingest.landing import ForeignFilesError, LandedBatch, StreamEvent, StreamStopped

DEFAULT_BATCH_SECONDS = 300
PROGRESS_EVERY_SECONDS = 1.0


class IngestFailed(click.ClickException):
    exit_code = 1


@dataclass(frozen=True)
class _Stream:
    name: str  # what the checkpoint is a position in
    # Raises CheckpointError when the checkpoint is not a position in this stream.
    batches_after: Callable[[Checkpoint], Generator[list[StreamEvent], None, None]]


@click.command()
@click.option(
    "--lake",
    "lake_root",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Lake to land into. Batches go to bronze/playback/events/ingest_date=YYYY-MM-DD/part-<batch>.jsonl, "
    "the checkpoint to _checkpoints/playback-events.json.",
)
@click.option(
    "--source",
    type=click.Choice(["replay", "eventhub"]),
    default="replay",
    show_default=True,
    help="replay: a generated lake's playback events in arrival order (needs --replay-from). "
    "eventhub: the hub named by FLICK_EVENTHUB_CONNECTION_STRING, or FLICK_EVENTHUB_NAMESPACE and "
    "FLICK_EVENTHUB_NAME with DefaultAzureCredential; FLICK_EVENTHUB_CONSUMER_GROUP (default $Default).",
)
@click.option(
    "--replay-from",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Generated lake whose playback events to replay (flick-ops generate --lake ...).",
)
@click.option(
    "--batch-seconds",
    type=click.IntRange(min=1),
    help="Cut a batch every this many seconds: of enqueued time (replay; windows start at midnight UTC) "
    f"or of wall time (eventhub).  [default: {DEFAULT_BATCH_SECONDS}]",
)
@click.option(
    "--batch-events",
    type=click.IntRange(min=1),
    help="Cut a batch every this many events instead (eventhub: or after "
    f"{DEFAULT_BATCH_SECONDS} s of wall time, whichever is first).",
)
@click.option("--max-batches", type=click.IntRange(min=1), help="Stop after landing this many batches.")
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]),
    help="Stop before the first event at or after this UTC time: enqueued time (replay) or wall time (eventhub). "
    "Without it (or --max-batches), a replay stops at its end and eventhub runs until stopped.",
)
@click.option("--quiet", is_flag=True, help="No progress lines on stderr.")
def ingest(
    lake_root: Path,
    source: str,
    replay_from: Path | None,
    batch_seconds: int | None,
    batch_events: int | None,
    max_batches: int | None,
    until: datetime | None,
    quiet: bool,
) -> None:
    """Land the playback stream into Bronze in micro-batches, resuming where the last run stopped.

    Each batch is written to one file per UTC day of enqueued time (temporary
    file, fsync, rename); only then does the checkpoint move. A run stopped at
    any point (Ctrl+C, kill -9, a crash) loses and repeats nothing when started
    again: files of a batch the checkpoint does not hold are removed and that
    batch is landed again. Exit codes: 0 landed; 1 failed (the hub, the disk,
    or another run holds the checkpoint); 2 usage error or an unusable checkpoint.
    """
    if batch_seconds is not None and batch_events is not None:
        raise click.UsageError("give --batch-seconds or --batch-events, not both")
    if (source == "replay") != (replay_from is not None):
        raise click.UsageError("--source replay needs --replay-from, and only it takes one")
    if replay_from is not None and replay_from.resolve() == lake_root.resolve():
        raise click.BadParameter("a lake cannot be replayed into itself", param_hint="--replay-from")
    until_utc = until.replace(tzinfo=UTC) if until else None
    if source == "replay":
        stream = _replay_stream(replay_from, batch_seconds, batch_events, until_utc)
    else:
        stream = _eventhub_stream(batch_seconds, batch_events, until_utc)
    before, after, checkpoint_path = _land(lake_root, stream, max_batches, quiet)
    click.echo(
        f"landed {after.events - before.events:,} events in {after.batch - before.batch} batches "
        f"from {stream.name}; {after.events:,} events in {after.batch + 1} batches so far ({checkpoint_path})"
    )


def _land(
    lake_root: Path, stream: _Stream, max_batches: int | None, quiet: bool
) -> tuple[Checkpoint, Checkpoint, Path]:
    """The checkpoints before and after landing, and where it is kept."""
    from flick_ops.ingest.landing import Lander, checkpoint_file, land_stream

    checkpoints = checkpoint_file(lake_root)
    lander = Lander(lake_root, checkpoints)
    try:
        lander.refuse_foreign_files()
        with checkpoints.exclusive():
            checkpoint = checkpoints.load(stream.name)
            # Closed on the way out, not when collected: closing a hub's stream closes its connection.
            with closing(stream.batches_after(checkpoint)) as batches:
                for path in lander.discard_unfinished(checkpoint):
                    click.echo(f"removed {path}: its batch was not checkpointed, so it is landed again", err=True)
                final = land_stream(batches, lander, checkpoint, max_batches=max_batches, on_landed=_Progress(quiet))
    except (CheckpointError, ForeignFilesError) as exc:
        raise click.UsageError(str(exc)) from exc
    except (CheckpointBusy, StreamStopped, OSError) as exc:
        raise IngestFailed(str(exc)) from exc
    return checkpoint, final, checkpoints.path


def _replay_stream(
    replay_from: Path | None, batch_seconds: int | None, batch_events: int | None, until: datetime | None
) -> _Stream:
    from flick_ops.ingest.landing import micro_batches
    from flick_ops.ingest.replay import ReplayError, ReplaySource

    try:
        replay = ReplaySource(replay_from)
    except ReplayError as exc:
        raise click.BadParameter(str(exc), param_hint="--replay-from") from exc
    until_ms = int(until.timestamp() * 1000) if until else None
    if batch_events is None:
        batch_seconds = batch_seconds or DEFAULT_BATCH_SECONDS

    def replayed(checkpoint: Checkpoint) -> Generator[list[StreamEvent], None, None]:
        events = replay.resume(checkpoint, until_ms)
        return micro_batches(events, batch_events=batch_events, batch_seconds=batch_seconds)

    return _Stream(replay.name, replayed)


def _eventhub_stream(batch_seconds: int | None, batch_events: int | None, until: datetime | None) -> _Stream:
    try:
        from flick_ops.ingest.eventhub import (
            EventHubConfigError,
            EventHubSettings,
            consumer_client,
            received_batches,
        )
    except ImportError as exc:
        raise click.UsageError(f"--source eventhub needs the azure extra (pip install -e '.[azure]'): {exc}") from exc
    try:
        settings = EventHubSettings.from_environment()
    except EventHubConfigError as exc:
        raise click.UsageError(str(exc)) from exc

    def received(checkpoint: Checkpoint) -> Generator[list[StreamEvent], None, None]:
        return received_batches(
            consumer_client(settings),
            checkpoint,
            batch_events=batch_events,
            batch_seconds=batch_seconds or DEFAULT_BATCH_SECONDS,
            until=until,
        )

    return _Stream(settings.source_name, received)


class _Progress:
    """One line per landed batch, at most once a second: a replay lands thousands of batches a minute."""

    def __init__(self, quiet: bool) -> None:
        self._quiet = quiet
        self._shown_at: float | None = None

    def __call__(self, landed: LandedBatch) -> None:
        now = time.monotonic()
        if self._quiet or (self._shown_at is not None and now - self._shown_at < PROGRESS_EVERY_SECONDS):
            return
        self._shown_at = now
        days = ", ".join(path.parent.name for path in landed.files)
        click.echo(
            f"batch {landed.batch}: {landed.events:,} events into {days} ({landed.checkpoint.events:,} so far)",
            err=True,
        )
