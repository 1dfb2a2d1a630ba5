"""A local stand-in for the Event Hubs stream: a generated lake's playback events, replayed in arrival order.

The generator lands playback as Event Hubs capture does: one file per UTC day
of enqueued time, lines in arrival order. Replaying those lines in that order,
file after file, is the stream as a consumer would have received it, and each
line is landed as it is, dirty or not.

The partition and the enqueued time come from each body. A body without a
valid partition (an event truncated in flight, say) is replayed on partition 0;
one without an enqueued time on its file's day gets the time of the line before
it (or its file's midnight), so it still arrives in its place and on its day.
Sequence numbers are the replay's own: a counter per partition from 0.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flick_ops.ingest.checkpoint import Checkpoint, CheckpointError
from flick_ops.ingest.landing import MS_PER_DAY, StreamEvent, playback_events

PARTITIONS = 8  # the contract's partitions 0-7
FALLBACK_PARTITION = 0
_ENQUEUED_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ReplayError(ValueError):
    """The lake to replay has no playback events to replay."""


class ReplaySource:
    def __init__(self, lake_root: Path) -> None:
        self.lake_root = Path(lake_root).resolve()
        events = playback_events()
        events_dir = self.lake_root / events.lake_folder
        self._files = sorted(events_dir.glob(f"ingest_date=*/*.{events.extension}"))
        if not self._files:
            raise ReplayError(f"{self.lake_root} holds no playback events ({events_dir}/ingest_date=*/)")

    @property
    def name(self) -> str:
        return f"replay:{self.lake_root}"

    def resume(self, checkpoint: Checkpoint, until_ms: int | None = None) -> Iterator[StreamEvent]:
        """The events after the checkpoint, in arrival order, up to the first enqueued at `until_ms`.

        The landed events are skipped before this returns, and must end where the
        checkpoint says each partition ended: a checkpoint of another version of
        the lake (regenerated, with other options) is refused, not resumed.
        """
        arrivals = self._arrivals()
        last_landed: dict[int, int] = {}
        skipped = 0
        for event in itertools.islice(arrivals, checkpoint.events):
            last_landed[event.partition] = event.sequence_number
            skipped += 1
        if skipped != checkpoint.events or last_landed != dict(checkpoint.last_sequence_numbers):
            raise CheckpointError(
                f"the checkpoint's {checkpoint.events:,} landed events do not match the first {skipped:,} "
                f"of {self.lake_root}; was that lake generated again since?"
            )
        if until_ms is None:
            return arrivals
        return itertools.takewhile(lambda event: event.enqueued_ms < until_ms, arrivals)

    def _arrivals(self) -> Iterator[StreamEvent]:
        last_sequence: defaultdict[int, int] = defaultdict(lambda: -1)
        for path in self._files:
            midnight_ms = _midnight_ms(path)
            enqueued_ms = midnight_ms
            with open(path, encoding="utf-8", newline="\n") as lines:
                for line in lines:
                    body = line.removesuffix("\n")
                    partition, enqueued_ms = _system_properties(body, enqueued_ms, midnight_ms)
                    last_sequence[partition] += 1
                    yield StreamEvent(partition, last_sequence[partition], enqueued_ms, body)


def _midnight_ms(path: Path) -> int:
    ingest_date = date.fromisoformat(path.parent.name.removeprefix("ingest_date="))
    return (ingest_date - date(1970, 1, 1)).days * MS_PER_DAY


def _system_properties(body: str, previous_enqueued_ms: int, midnight_ms: int) -> tuple[int, int]:
    fields = _json_object(body)
    partition = fields.get("partition")
    if not isinstance(partition, int) or isinstance(partition, bool) or not 0 <= partition < PARTITIONS:
        partition = FALLBACK_PARTITION
    enqueued_ms = _epoch_ms(fields.get("enqueued_time"))
    if enqueued_ms is None or not midnight_ms <= enqueued_ms < midnight_ms + MS_PER_DAY:
        enqueued_ms = previous_enqueued_ms
    return partition, enqueued_ms


def _json_object(body: str) -> dict[str, object]:
    try:
        fields = json.loads(body)
    except ValueError:
        return {}
    return fields if isinstance(fields, dict) else {}


def _epoch_ms(timestamp: object) -> int | None:
    try:
        enqueued = datetime.strptime(str(timestamp), _ENQUEUED_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
    return (enqueued - _EPOCH) // timedelta(milliseconds=1)
