"""Where a stream's landing got to: the last batch landed and, per partition, the last event in it.

The checkpoint is saved only after a batch's files are in place, so it never
runs ahead of the lake; a crash in between makes the next run land that batch
again under the same file names (see ``landing.py``). It is replaced
atomically (temporary file, fsync, rename), so a crash never leaves half of one.

On disk (``<lake>/_checkpoints/playback-events.json``)::

    {"version": 1, "source": "replay:/data/lake", "batch": 41, "events": 20950,
     "last_sequence_numbers": {"0": 2617, "1": 2580, ...}}
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NO_BATCH = -1
FORMAT_VERSION = 1


class CheckpointError(ValueError):
    """The checkpoint cannot be used: unreadable, another stream's, or not where its stream is."""


class CheckpointBusy(RuntimeError):
    """Another run holds the checkpoint."""


@dataclass(frozen=True)
class Checkpoint:
    source: str  # the stream this is a position in; another stream's checkpoint must not be resumed
    batch: int = NO_BATCH  # last batch landed; batches count from 0
    events: int = 0  # events landed so far, over all batches
    last_sequence_numbers: Mapping[int, int] = field(default_factory=dict)  # partition -> last event landed

    def after_batch(self, batch: int, events: int, last_sequence_numbers: Mapping[int, int]) -> Checkpoint:
        return Checkpoint(
            self.source, batch, self.events + events, {**self.last_sequence_numbers, **last_sequence_numbers}
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "source": self.source,
            "batch": self.batch,
            "events": self.events,
            "last_sequence_numbers": {str(p): n for p, n in sorted(self.last_sequence_numbers.items())},
        }

    @classmethod
    def from_json(cls, data: object) -> Checkpoint:
        """Raises CheckpointError naming the first thing wrong, so a hand-edited file is easy to fix."""
        if not isinstance(data, dict):
            raise CheckpointError("it is not a JSON object")
        if data.get("version") != FORMAT_VERSION:
            raise CheckpointError(f"its version is {data.get('version')!r}, not {FORMAT_VERSION}")
        source, batch, events = data.get("source"), data.get("batch"), data.get("events")
        positions = data.get("last_sequence_numbers")
        if not isinstance(source, str) or not source:
            raise CheckpointError("its source is missing")
        if not _is_count(batch, minimum=NO_BATCH) or not _is_count(events, minimum=0):
            raise CheckpointError("its batch and events must be whole numbers")
        if not isinstance(positions, dict) or not all(
            key.isdigit() and _is_count(value, minimum=0) for key, value in positions.items()
        ):
            raise CheckpointError("its last_sequence_numbers must map partition numbers to sequence numbers")
        if (batch == NO_BATCH) != (events == 0) or (events == 0) != (not positions):
            raise CheckpointError(f"it says {batch + 1} batches hold {events} events from {len(positions)} partitions")
        return cls(source, batch, events, {int(key): value for key, value in positions.items()})


@dataclass(frozen=True)
class CheckpointFile:
    path: Path

    def load(self, source: str) -> Checkpoint:
        """The stored checkpoint of `source`, or a fresh one when none was stored yet."""
        if not self.path.exists():
            return Checkpoint(source=source)
        try:
            checkpoint = Checkpoint.from_json(json.loads(self.path.read_text(encoding="utf-8")))
        except (ValueError, UnicodeDecodeError) as exc:
            raise CheckpointError(f"{self.path} is not a usable checkpoint: {_first_line(exc)}") from exc
        if checkpoint.source != source:
            raise CheckpointError(
                f"{self.path} is the position in {checkpoint.source}, not in {source}; "
                "land each stream into its own lake, or move the checkpoint away to land this one from the start"
            )
        return checkpoint

    def save(self, checkpoint: Checkpoint) -> None:
        write_atomically(self.path, json.dumps(checkpoint.to_json(), indent=2) + "\n")

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the checkpoint for one run: two runs landing one stream would both land every batch."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # The lock is on a file of its own: the checkpoint itself is replaced, which would drop a lock on it.
        with open(self.path.with_suffix(".lock"), "w", encoding="utf-8") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise CheckpointBusy(f"another run is landing with {self.path}") from exc
            yield


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` so that a reader (or a crash) sees the old file or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_path(path)
    with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _fsync_directory(path.parent)


def temporary_path(path: Path) -> Path:
    """Hidden and not ending in the data's extension, so no reader's glob picks up a file being written."""
    return path.with_name(f".{path.name}.tmp")


def _fsync_directory(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk.
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _is_count(value: object, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
