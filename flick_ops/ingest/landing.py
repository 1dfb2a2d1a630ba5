"""Land micro-batches of stream events into Bronze, exactly once across crashes and restarts.

A batch goes to one JSON-lines file per UTC day of enqueued time, so Bronze's
``ingest_date`` partitions stay what the landing contract says they are::

    <lake>/bronze/playback/events/ingest_date=YYYY-MM-DD/part-<batch, 10 digits>.jsonl

Each file is written under a hidden temporary name in its folder, fsynced and
renamed; the checkpoint is saved only after every file of the batch is in
place. Batch numbers count up from the checkpoint, so files of a batch the
checkpoint does not hold are what a stopped run left: they are removed before
landing resumes and that batch is landed again, whatever sizes the new run's
batches have. Nothing is landed twice and nothing is skipped.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flick_ops.ingest.checkpoint import Checkpoint, CheckpointFile, write_atomically
from flick_ops.lake.contract import Entity, entity

MS_PER_DAY = 86_400_000
_EPOCH = date(1970, 1, 1)
_BATCH_FILE = re.compile(r"part-(\d{10})\.jsonl")
_UNFINISHED_FILE = re.compile(r"\.part-\d{10}\.jsonl\.tmp")


class StreamStopped(RuntimeError):
    """The stream failed part-way; every batch landed before stays landed and checkpointed."""


class ForeignFilesError(ValueError):
    """The lake's playback folder holds files this landing did not write; landing beside them would duplicate."""


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One event as the broker delivered it: its position in the stream, and the line Bronze lands for it."""

    partition: int
    sequence_number: int
    enqueued_ms: int  # when the broker accepted it, ms since the epoch (UTC); decides the ingest_date
    line: str  # one line of JSON (or of what the producer sent, when that was not JSON), without its line end

    @property
    def ingest_date(self) -> date:
        return _EPOCH + timedelta(days=self.enqueued_ms // MS_PER_DAY)


@dataclass(frozen=True)
class LandedBatch:
    batch: int
    events: int
    files: tuple[Path, ...]
    checkpoint: Checkpoint


def playback_events() -> Entity:
    """The landed entity the stream writes, from the landing contract (read when first needed)."""
    return entity("playback", "events")


def checkpoint_file(lake_root: Path) -> CheckpointFile:
    """Outside the folders Bronze reads, so the checkpoint is never taken for data."""
    events = playback_events()
    return CheckpointFile(Path(lake_root) / "_checkpoints" / f"{events.source}-{events.name}.json")


def batch_file(lake_root: Path, ingest_date: date, batch: int) -> Path:
    events = playback_events()
    return events.partition_dir(lake_root, ingest_date) / f"part-{batch:010d}.{events.extension}"


def micro_batches(
    events: Iterable[StreamEvent], *, batch_events: int | None = None, batch_seconds: int | None = None
) -> Generator[list[StreamEvent], None, None]:
    """Cut a stream in arrival order into batches of `batch_events` events or of `batch_seconds` of enqueued time.

    Time windows are aligned to the epoch, so with a window that divides a day
    no batch spans midnight and every batch is one file.
    """
    if (batch_events is None) == (batch_seconds is None):
        raise ValueError("give exactly one of batch_events and batch_seconds")
    if batch_events is not None:
        iterator = iter(events)
        while batch := list(itertools.islice(iterator, batch_events)):
            yield batch
        return
    window_ms = int(batch_seconds) * 1000
    for _, window in itertools.groupby(events, key=lambda event: event.enqueued_ms // window_ms):
        yield list(window)


class Lander:
    """Writes batches into one lake and moves the checkpoint after them."""

    def __init__(self, lake_root: Path, checkpoints: CheckpointFile) -> None:
        self._events_dir = Path(lake_root) / playback_events().lake_folder
        self._lake_root = Path(lake_root)
        self._checkpoints = checkpoints

    def refuse_foreign_files(self) -> None:
        """A lake whose playback came another way (the generator, a capture) would get every event twice."""
        foreign = [
            path
            for path in sorted(self._events_dir.glob("*/*"))
            if not (_BATCH_FILE.fullmatch(path.name) or _UNFINISHED_FILE.fullmatch(path.name))
        ]
        if foreign:
            raise ForeignFilesError(
                f"{self._events_dir} holds {len(foreign)} files not landed by flick-ops ingest "
                f"(first: {foreign[0].relative_to(self._events_dir)}); land into a lake without playback events"
            )

    def discard_unfinished(self, checkpoint: Checkpoint) -> list[Path]:
        """Remove what a stopped run left: temporary files, and files of batches after the checkpoint's."""
        removed = []
        for path in sorted(self._events_dir.glob("*/*")):
            landed = _BATCH_FILE.fullmatch(path.name)
            if _UNFINISHED_FILE.fullmatch(path.name) or (landed and int(landed.group(1)) > checkpoint.batch):
                path.unlink()
                removed.append(path)
                if not any(path.parent.iterdir()):
                    path.parent.rmdir()
        return removed

    def land(self, checkpoint: Checkpoint, events: Sequence[StreamEvent]) -> LandedBatch:
        batch = checkpoint.batch + 1
        by_day = itertools.groupby(sorted(events, key=lambda event: event.ingest_date), lambda event: event.ingest_date)
        files = tuple(self._write(batch, ingest_date, list(day_events)) for ingest_date, day_events in by_day)
        advanced = checkpoint.after_batch(batch, len(events), _last_sequence_numbers(events))
        self._checkpoints.save(advanced)
        return LandedBatch(batch, len(events), files, advanced)

    def _write(self, batch: int, ingest_date: date, events: list[StreamEvent]) -> Path:
        path = batch_file(self._lake_root, ingest_date, batch)
        write_atomically(path, "".join(f"{event.line}\n" for event in events))
        return path


def land_stream(
    batches: Iterable[Sequence[StreamEvent]],
    lander: Lander,
    checkpoint: Checkpoint,
    *,
    max_batches: int | None = None,
    on_landed: Callable[[LandedBatch], None] = lambda _: None,
) -> Checkpoint:
    """Land batches until the stream ends or `max_batches` are landed; returns the last checkpoint."""
    for events in itertools.islice(batches, max_batches):
        landed = lander.land(checkpoint, events)
        checkpoint = landed.checkpoint
        on_landed(landed)
    return checkpoint


def _last_sequence_numbers(events: Sequence[StreamEvent]) -> dict[int, int]:
    # A partition's events arrive in sequence order, so the last one seen is the furthest.
    return {event.partition: event.sequence_number for event in events}
