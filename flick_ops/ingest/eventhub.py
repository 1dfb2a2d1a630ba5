"""The Event Hubs path: receive the playback hub with the azure-eventhub SDK and cut it into micro-batches.

Configured through the environment, so no secret is ever on a command line:

* ``FLICK_EVENTHUB_CONNECTION_STRING`` (the hub from its ``EntityPath`` or
  ``FLICK_EVENTHUB_NAME``), or
* ``FLICK_EVENTHUB_NAMESPACE`` (``<name>.servicebus.windows.net``) with
  ``FLICK_EVENTHUB_NAME``, signed in through ``DefaultAzureCredential``;
* ``FLICK_EVENTHUB_CONSUMER_GROUP`` (default ``$Default``).

Where to resume is our checkpoint's: each partition starts after the last
sequence number landed, or at the start of the hub's retention when none was.
The SDK's own checkpoint store is not used, so no Blob storage account is
needed and the position never moves ahead of the lake.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import threading
import time
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from azure.eventhub import EventData, EventHubConsumerClient, PartitionContext
from azure.identity import DefaultAzureCredential

from flick_ops.ingest.checkpoint import Checkpoint
from flick_ops.ingest.landing import StreamEvent, StreamStopped

ENV_CONNECTION_STRING = "FLICK_EVENTHUB_CONNECTION_STRING"
ENV_NAMESPACE = "FLICK_EVENTHUB_NAMESPACE"
ENV_NAME = "FLICK_EVENTHUB_NAME"
ENV_CONSUMER_GROUP = "FLICK_EVENTHUB_CONSUMER_GROUP"
DEFAULT_CONSUMER_GROUP = "$Default"
RECEIVE_WAIT_SECONDS = 1.0
# Received events wait here for the landing loop; a full queue holds the receiver back.
QUEUE_EVENTS = 100_000
STOP_WAIT_SECONDS = 30
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LINE_BREAKS = str.maketrans({"\n": " ", "\r": " "})


class EventHubConfigError(ValueError):
    """The environment does not say which hub to read, or says it in a way that cannot work."""


class EventHubReceiveError(StreamStopped):
    """The SDK gave up receiving (after its own retries): the hub is unreachable, or access is denied."""


@dataclass(frozen=True)
class EventHubSettings:
    fully_qualified_namespace: str
    eventhub_name: str
    consumer_group: str = DEFAULT_CONSUMER_GROUP
    connection_string: str | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> EventHubSettings:
        connection_string = environ.get(ENV_CONNECTION_STRING)
        group = environ.get(ENV_CONSUMER_GROUP) or DEFAULT_CONSUMER_GROUP
        if connection_string:
            endpoint = re.search(r"Endpoint=sb://([^/;]+)", connection_string)
            entity_path = re.search(r"EntityPath=([^;]+)", connection_string)
            name = environ.get(ENV_NAME) or (entity_path.group(1) if entity_path else None)
            if not endpoint or not name:
                # The message names what is missing and never repeats the string: it holds the key.
                raise EventHubConfigError(
                    f"{ENV_CONNECTION_STRING} needs Endpoint=sb://..., and EntityPath=... or {ENV_NAME}"
                )
            return cls(endpoint.group(1), name, group, connection_string)
        namespace, name = environ.get(ENV_NAMESPACE), environ.get(ENV_NAME)
        if not namespace or not name:
            raise EventHubConfigError(
                f"--source eventhub needs {ENV_CONNECTION_STRING}, or {ENV_NAMESPACE} and {ENV_NAME} "
                "(signed in through DefaultAzureCredential)"
            )
        return cls(namespace, name, group)

    @property
    def source_name(self) -> str:
        """What the checkpoint is a position in; holds no secret, so it is safe to print."""
        return f"eventhub:{self.fully_qualified_namespace}/{self.eventhub_name}/{self.consumer_group}"

    def __repr__(self) -> str:
        return f"EventHubSettings({self.source_name})"


def consumer_client(settings: EventHubSettings) -> EventHubConsumerClient:
    """The one place an Event Hubs client is made; everything else takes it as a parameter."""
    if settings.connection_string:
        return EventHubConsumerClient.from_connection_string(
            settings.connection_string, consumer_group=settings.consumer_group, eventhub_name=settings.eventhub_name
        )
    return EventHubConsumerClient(
        fully_qualified_namespace=settings.fully_qualified_namespace,
        eventhub_name=settings.eventhub_name,
        consumer_group=settings.consumer_group,
        credential=DefaultAzureCredential(),
    )


def starting_positions(checkpoint: Checkpoint) -> dict[str, int]:
    """Per partition id, the last sequence number landed; the SDK starts after it (exclusive).

    A partition missing here is read from the start of the hub's retention (the SDK's "-1").
    """
    return {str(partition): sequence for partition, sequence in checkpoint.last_sequence_numbers.items()}


def stream_event(partition_id: str, event: EventData) -> StreamEvent:
    """The event as Bronze lands it: its JSON body with the broker's enqueued_time, partition and sequence_number.

    The broker's values win over any the producer put in the body: they are
    what the contract's fields mean. A body that is not a JSON object is landed
    as it came (on one line), so Bronze quarantines it with a reason instead of
    it being lost here.
    """
    if event.enqueued_time is None or event.sequence_number is None:
        raise ValueError(f"an event from partition {partition_id} came without the broker's system properties")
    partition = int(partition_id)
    enqueued_ms = (event.enqueued_time - _EPOCH) // timedelta(milliseconds=1)
    system = {
        "enqueued_time": _iso_ms(event.enqueued_time),
        "partition": partition,
        "sequence_number": event.sequence_number,
    }
    text = _body_text(event)
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict):
        line = json.dumps({**body, **system}, ensure_ascii=False, separators=(",", ":"))
    else:
        line = text.translate(_LINE_BREAKS)
    return StreamEvent(partition, event.sequence_number, enqueued_ms, line)


def received_batches(
    client: EventHubConsumerClient,
    checkpoint: Checkpoint,
    *,
    batch_events: int | None,
    batch_seconds: int,
    until: datetime | None = None,
) -> Generator[list[StreamEvent], None, None]:
    """Batches of what the client receives after `checkpoint`: `batch_events` events or `batch_seconds` of
    wall time, whichever comes first. Stops at wall-clock `until` or when the caller stops asking; closes
    the client either way.

    A partition the SDK hands out again (after a dropped link) is read again
    from the starting position, so events already taken are dropped here by
    their sequence number.
    """
    arrived: queue.Queue[StreamEvent | BaseException] = queue.Queue(maxsize=QUEUE_EVENTS)

    def on_event_batch(context: PartitionContext, events: list[EventData]) -> None:
        for event in events:
            arrived.put(stream_event(context.partition_id, event))

    def on_error(context: PartitionContext | None, error: BaseException) -> None:
        arrived.put(error)

    receiver = threading.Thread(
        target=client.receive_batch,
        kwargs={
            "on_event_batch": on_event_batch,
            "on_error": on_error,
            "max_wait_time": RECEIVE_WAIT_SECONDS,
            "starting_position": starting_positions(checkpoint),
            "starting_position_inclusive": False,
        },
        daemon=True,
    )
    receiver.start()
    try:
        yield from _cut(arrived, dict(checkpoint.last_sequence_numbers), batch_events, batch_seconds, until)
    finally:
        _stop(client, receiver, arrived)


def _cut(
    arrived: queue.Queue[StreamEvent | BaseException],
    taken_up_to: dict[int, int],
    batch_events: int | None,
    batch_seconds: int,
    until: datetime | None,
) -> Generator[list[StreamEvent], None, None]:
    stop_at = until.timestamp() if until else float("inf")
    while time.time() < stop_at:
        deadline = min(stop_at, time.time() + batch_seconds)
        batch: list[StreamEvent] = []
        while time.time() < deadline and (batch_events is None or len(batch) < batch_events):
            try:
                item = arrived.get(timeout=min(RECEIVE_WAIT_SECONDS, max(deadline - time.time(), 0.01)))
            except queue.Empty:
                continue
            if isinstance(item, BaseException):
                raise EventHubReceiveError(f"receiving stopped: {_first_line(item)}") from item
            if item.sequence_number > taken_up_to.get(item.partition, -1):
                taken_up_to[item.partition] = item.sequence_number
                batch.append(item)
        if batch:
            yield batch


def _stop(client: EventHubConsumerClient, receiver: threading.Thread, arrived: queue.Queue) -> None:
    """Close the client and wait for its thread, which may be blocked handing over to a full queue."""
    client.close()
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    while receiver.is_alive() and time.monotonic() < deadline:
        # Not landed and not checkpointed, so the next run receives these again.
        with contextlib.suppress(queue.Empty):
            while True:
                arrived.get_nowait()
        receiver.join(timeout=0.1)


def _body_text(event: EventData) -> str:
    try:
        return event.body_as_str(encoding="UTF-8")
    except TypeError:
        # Not UTF-8: keep every byte visible (\xNN), and the line fails Bronze's JSON check with a reason.
        return b"".join(event.body).decode("utf-8", errors="backslashreplace")


def _iso_ms(moment: datetime) -> str:
    """The contract's playback timestamp: `2026-10-01T19:04:05.123Z`."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0]}" if text else type(error).__name__
