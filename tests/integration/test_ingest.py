"""`flick-ops ingest`: the replayed stream lands in Bronze exactly once, whatever stops the run.

Every landing check compares the landed lake with the lake it replays, day by
day and line by line: the landed files of a day, read in batch order, must be
the source day's lines in the source's (arrival) order. That one equality
rules out loss, duplication, reordering and events in the wrong ingest_date
folder. The Event Hubs path is tested up to the network: real SDK objects and
a real SDK client, but no hub.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from azure.eventhub import EventData, EventHubConsumerClient
from click.testing import CliRunner, Result

from flick_ops.cli import main
from flick_ops.dbt.runner import DbtWorkspace, run_dbt
from flick_ops.ingest import eventhub
from flick_ops.ingest.checkpoint import Checkpoint
from flick_ops.ingest.eventhub import (
    EventHubReceiveError,
    EventHubSettings,
    received_batches,
    starting_positions,
    stream_event,
)
from flick_ops.ingest.landing import Lander, checkpoint_file, land_stream
from flick_ops.lake.intake import run_intake

# Three days, so batches cross midnight; dirty rows, so truncated events (no partition, no time) are replayed too.
STREAM_LAKE = {"accounts": 60, "days": 3, "events_per_day": 600, "dirty_rate": 0.03, "seed": 11}
BATCH_FILE = re.compile(r"ingest_date=\d{4}-\d{2}-\d{2}/part-\d{10}\.jsonl")


@pytest.fixture(scope="module")
def source_lake(tmp_lake: Callable[..., Path]) -> Path:
    return tmp_lake(**STREAM_LAKE)


@pytest.fixture(scope="module")
def generated_lake(tmp_lake: Callable[..., Path]) -> Path:
    """Another generated lake: another stream to replay, and a lake whose playback was not landed by ingest."""
    return tmp_lake(accounts=20, days=1, events_per_day=200)


def ingest(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["ingest", *map(str, args)], env=env, prog_name="flick-ops")


def lines_by_day(lake: Path) -> dict[str, list[str]]:
    """Each ingest_date's playback lines, file after file in name order (batch order for landed files)."""
    days: dict[str, list[str]] = {}
    for path in sorted((lake / "bronze" / "playback" / "events").glob("ingest_date=*/*.jsonl")):
        days.setdefault(path.parent.name, []).extend(path.read_text(encoding="utf-8").splitlines())
    return days


def landed_files(lake: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in (lake / "bronze").rglob("*") if path.is_file()}


def saved_checkpoint(lake: Path) -> dict:
    return json.loads(checkpoint_file(lake).path.read_text(encoding="utf-8"))


def is_json(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def hours_late(row: dict) -> float | None:
    """How long after it happened the broker received the event, when the row says both."""
    try:
        late = datetime.fromisoformat(row["enqueued_time"]) - datetime.fromisoformat(row["client_ts"])
    except (KeyError, TypeError, ValueError):
        return None
    return late / timedelta(hours=1)


def assert_one_line_error(result: Result, prefix: str, message: str) -> None:
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(prefix), result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output


# ---- replay: what lands, and where ----------------------------------------------------------------------------


def test_replay_lands_every_source_line_once_in_arrival_order_on_its_day(source_lake: Path, tmp_path: Path) -> None:
    result = ingest("--quiet", "--lake", tmp_path, "--replay-from", source_lake, "--batch-events", "250")

    assert result.exit_code == 0, result.output
    source, landed = lines_by_day(source_lake), lines_by_day(tmp_path)
    assert landed == source
    everything = [line for lines in source.values() for line in lines]
    assert Counter(line for lines in landed.values() for line in lines) == Counter(everything)
    # The equality covers the feed's dirt: truncated events, re-deliveries (one event_id twice) and late events.
    rows = [json.loads(line) for line in everything if is_json(line)]
    assert len(rows) < len(everything)
    assert max(Counter(row.get("event_id") for row in rows).values()) > 1
    assert max(filter(None, map(hours_late, rows))) > 24
    files = [path.relative_to(tmp_path / "bronze/playback/events").as_posix() for path in landed_files(tmp_path)]
    assert files and all(BATCH_FILE.fullmatch(name) for name in files)
    assert saved_checkpoint(tmp_path)["events"] == len(everything)
    assert result.stdout.startswith(f"landed {len(everything):,} events in ")


def test_time_windows_that_divide_a_day_give_one_file_per_batch(source_lake: Path, tmp_path: Path) -> None:
    result = ingest("--quiet", "--lake", tmp_path, "--replay-from", source_lake, "--batch-seconds", "3600")

    assert result.exit_code == 0, result.output
    names = [path.name for path in landed_files(tmp_path)]
    assert len(names) == len(set(names)) == saved_checkpoint(tmp_path)["batch"] + 1
    assert lines_by_day(tmp_path) == lines_by_day(source_lake)


def test_until_and_max_batches_stop_early_and_the_next_run_carries_on(source_lake: Path, tmp_path: Path) -> None:
    first_day = min(lines_by_day(source_lake))
    end_of_first_day = first_day.removeprefix("ingest_date=") + "T23:59:59"

    ingest("--quiet", "--lake", tmp_path, "--replay-from", source_lake, "--batch-events", "100", "--max-batches", "2")
    assert sum(map(len, lines_by_day(tmp_path).values())) == 200

    ingest("--quiet", "--lake", tmp_path, "--replay-from", source_lake, "--until", end_of_first_day)
    assert lines_by_day(tmp_path) == {first_day: lines_by_day(source_lake)[first_day]}

    ingest("--quiet", "--lake", tmp_path, "--replay-from", source_lake, "--batch-seconds", "600")
    assert lines_by_day(tmp_path) == lines_by_day(source_lake)


def test_running_again_after_the_stream_is_landed_lands_nothing(source_lake: Path, tmp_path: Path) -> None:
    ingest("--quiet", "--lake", tmp_path, "--replay-from", source_lake, "--batch-seconds", "1800")
    before = landed_files(tmp_path)

    result = ingest("--quiet", "--lake", tmp_path, "--replay-from", source_lake, "--batch-seconds", "1800")

    assert result.exit_code == 0
    assert result.stdout.startswith("landed 0 events in 0 batches")
    assert landed_files(tmp_path) == before


def test_progress_goes_to_stderr_and_quiet_silences_it(source_lake: Path, tmp_path: Path) -> None:
    loud = ingest("--lake", tmp_path / "loud", "--replay-from", source_lake, "--batch-events", "300")
    quiet = ingest("--quiet", "--lake", tmp_path / "quiet", "--replay-from", source_lake, "--batch-events", "300")

    assert re.match(r"batch 0: 300 events into ingest_date=\d{4}-\d{2}-\d{2} \(300 so far\)\n", loud.stderr)
    assert quiet.stderr == ""
    assert loud.stdout == quiet.stdout.replace(str(tmp_path / "quiet"), str(tmp_path / "loud"))


def test_the_bronze_model_reads_the_landed_lake_as_it_reads_the_source(source_lake: Path, tmp_path: Path) -> None:
    landed = tmp_path / "lake"
    assert ingest("--quiet", "--lake", landed, "--replay-from", source_lake, "--batch-events", "500").exit_code == 0
    workspace = DbtWorkspace.in_folder(tmp_path, lake_root=landed)

    outcome = run_dbt(["run", "--target", "duckdb", "--select", "stg_playback__events"], workspace)

    assert outcome.succeeded, outcome.output[-3000:]
    # The source lake is read by the model's own compiled SQL, pointed at it: what a second dbt run would do.
    (compiled,) = workspace.target_path.glob("compiled/**/stg_playback__events.sql")
    over_landed = compiled.read_text(encoding="utf-8")
    assert str(landed.absolute()) in over_landed
    over_source = over_landed.replace(str(landed.absolute()), str(source_lake.absolute()))
    run_intake(source_lake)  # Bronze reads what the intake checked; dbt ran it for the landed lake only
    columns = "select _ingest_date, _raw_payload, _source_file from ({}) as bronze"
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as con:
        landed_rows = con.execute(columns.format("select * from bronze.stg_playback__events")).fetchall()
        source_rows = con.execute(columns.format(over_source)).fetchall()

    assert len(landed_rows) == len(source_rows) == sum(map(len, lines_by_day(source_lake).values()))
    assert Counter(row[:2] for row in landed_rows) == Counter(row[:2] for row in source_rows)
    assert {row[2] for row in landed_rows} == {
        path.relative_to(landed).as_posix() for path in landed_files(landed)
    }  # every landed file read, and read as a batch file
    assert {row[2] for row in source_rows} == {
        path.relative_to(source_lake).as_posix()
        for path in (source_lake / "bronze").rglob("part-*.jsonl")
        if "playback" in path.parts
    }


# ---- crashes and restarts -------------------------------------------------------------------------------------

# Runs `flick-ops ingest` and SIGKILLs itself at one phase of landing one batch: a power cut, made repeatable.
CRASHING_INGEST = """
import json, os, signal, sys
from pathlib import Path
from flick_ops.cli import main
from flick_ops.ingest.checkpoint import CheckpointFile
from flick_ops.ingest.landing import Lander

phase, batch = sys.argv[1], int(sys.argv[2])
land, save, replace = Lander.land, CheckpointFile.save, os.replace

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def crashing_land(self, checkpoint, events):
    if phase == "before the batch's files" and checkpoint.batch + 1 == batch:
        die()
    return land(self, checkpoint, events)

def crashing_save(self, checkpoint):
    if phase == "after its files, before its checkpoint" and checkpoint.batch == batch:
        die()
    save(self, checkpoint)
    if phase == "after its checkpoint" and checkpoint.batch == batch:
        die()

def crashing_replace(source, target):
    target = Path(target)
    if phase == "a file written, not renamed" and target.name == f"part-{batch:010d}.jsonl":
        die()
    if phase == "checkpoint written, not renamed" and target.suffix == ".json":
        if json.loads(Path(source).read_text())["batch"] == batch:
            die()
    replace(source, target)

Lander.land, CheckpointFile.save, os.replace = crashing_land, crashing_save, crashing_replace
main(["ingest", "--quiet", *sys.argv[3:]])
"""
CRASHED_BATCH = 3


@pytest.mark.parametrize(
    ("phase", "checkpointed"),
    [
        ("before the batch's files", CRASHED_BATCH - 1),
        ("a file written, not renamed", CRASHED_BATCH - 1),
        ("after its files, before its checkpoint", CRASHED_BATCH - 1),
        ("checkpoint written, not renamed", CRASHED_BATCH - 1),
        ("after its checkpoint", CRASHED_BATCH),
    ],
)
def test_a_run_killed_at_any_phase_of_a_batch_restarts_without_losing_or_repeating_an_event(
    source_lake: Path, tmp_path: Path, phase: str, checkpointed: int
) -> None:
    # The crashed batch spans the first midnight, so it is two files; the restart cuts other batches.
    first_day = len(next(iter(lines_by_day(source_lake).values())))
    batch_events = int(first_day / 3.5)
    crashing = [sys.executable, "-c", CRASHING_INGEST, phase, str(CRASHED_BATCH)]
    landing = ["--lake", str(tmp_path), "--replay-from", str(source_lake)]

    crashed = subprocess.run([*crashing, *landing, "--batch-events", str(batch_events)], check=False, timeout=120)

    assert crashed.returncode == -signal.SIGKILL
    assert saved_checkpoint(tmp_path)["batch"] == checkpointed
    left = {path.name for path in (tmp_path / "bronze").rglob("*part-*")}
    uncheckpointed = {name for name in left if f"{CRASHED_BATCH:010d}" in name}
    if phase == "a file written, not renamed":
        assert uncheckpointed == {f".part-{CRASHED_BATCH:010d}.jsonl.tmp"}
    elif phase in ("after its files, before its checkpoint", "checkpoint written, not renamed"):
        assert len(list((tmp_path / "bronze").rglob(f"part-{CRASHED_BATCH:010d}.jsonl"))) == 2

    restarted = ingest("--quiet", *landing, "--batch-events", "97")

    assert restarted.exit_code == 0, restarted.output
    assert lines_by_day(tmp_path) == lines_by_day(source_lake)
    assert not list((tmp_path / "bronze").rglob(".*.tmp"))
    removed = set(re.findall(r"removed \S+/(\.?part-\d{10}\.jsonl(?:\.tmp)?)", restarted.stderr))
    assert removed == (uncheckpointed if checkpointed < CRASHED_BATCH else set())


def test_a_run_killed_from_outside_restarts_without_losing_or_repeating_an_event(
    source_lake: Path, tmp_path: Path
) -> None:
    checkpoint = checkpoint_file(tmp_path).path
    command = [sys.executable, "-m", "flick_ops.cli", "ingest", "--quiet", "--lake", str(tmp_path)]
    command += ["--replay-from", str(source_lake), "--batch-events", "20"]
    run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and run.poll() is None:
        if checkpoint.exists() and saved_checkpoint(tmp_path)["batch"] >= 5:
            break
        time.sleep(0.02)
    assert run.poll() is None, "the run finished before it could be killed; use smaller batches"
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    killed_at = saved_checkpoint(tmp_path)["batch"]

    restarted = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)

    assert restarted.returncode == 0, restarted.stderr
    assert lines_by_day(tmp_path) == lines_by_day(source_lake)
    assert killed_at < saved_checkpoint(tmp_path)["batch"]


def test_a_second_run_on_the_same_lake_is_refused_while_the_first_lands(source_lake: Path, tmp_path: Path) -> None:
    lock = checkpoint_file(tmp_path).path.with_suffix(".lock")
    lock.parent.mkdir(parents=True)
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = ingest("--lake", tmp_path, "--replay-from", source_lake)

    assert result.exit_code == 1
    assert_one_line_error(result, "flick-ops: error: ", "another run is landing")
    assert not (tmp_path / "bronze").exists()


# ---- checkpoints and lakes that must not be resumed -----------------------------------------------------------


def _other_version(checkpoint: dict) -> dict:
    return {**checkpoint, "version": 2}


def _positions_as_a_list(checkpoint: dict) -> dict:
    return {**checkpoint, "last_sequence_numbers": list(checkpoint["last_sequence_numbers"].values())}


def _a_partition_further_on(checkpoint: dict) -> dict:
    positions = dict(checkpoint["last_sequence_numbers"])
    partition = next(iter(positions))
    return {**checkpoint, "last_sequence_numbers": {**positions, partition: positions[partition] + 1}}


def _more_events_than_landed(checkpoint: dict) -> dict:
    return {**checkpoint, "events": checkpoint["events"] + 1}


def _beyond_the_source(checkpoint: dict) -> dict:
    return {**checkpoint, "events": 10**6}


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (lambda text: text[: len(text) // 2], "is not a usable checkpoint: "),
        (lambda text: "[]", "is not a usable checkpoint: it is not a JSON object"),
        (lambda text: json.dumps(_other_version(json.loads(text))), "its version is 2, not 1"),
        (lambda text: json.dumps(_positions_as_a_list(json.loads(text))), "must map partition numbers"),
        (lambda text: json.dumps(_a_partition_further_on(json.loads(text))), "do not match the first"),
        (lambda text: json.dumps(_more_events_than_landed(json.loads(text))), "do not match the first"),
        (lambda text: json.dumps(_beyond_the_source(json.loads(text))), "was that lake generated again since?"),
    ],
    ids=["truncated", "not-an-object", "version", "positions-list", "partition-ahead", "events-ahead", "beyond-end"],
)
def test_an_unusable_checkpoint_is_a_one_line_error_and_nothing_is_touched(
    source_lake: Path, tmp_path: Path, corrupt: Callable[[str], str], message: str
) -> None:
    ingest("--quiet", "--lake", tmp_path, "--replay-from", source_lake, "--batch-events", "100", "--max-batches", "3")
    path = checkpoint_file(tmp_path).path
    path.write_text(corrupt(path.read_text()))
    before = landed_files(tmp_path)

    result = ingest("--lake", tmp_path, "--replay-from", source_lake)

    assert result.exit_code == 2
    assert_one_line_error(result, "flick-ops ingest: error: ", message)
    assert landed_files(tmp_path) == before


def test_a_checkpoint_of_another_stream_is_refused(source_lake: Path, generated_lake: Path, tmp_path: Path) -> None:
    ingest("--quiet", "--lake", tmp_path, "--replay-from", source_lake, "--max-batches", "1")

    result = ingest("--lake", tmp_path, "--replay-from", generated_lake)

    assert result.exit_code == 2
    assert_one_line_error(result, "flick-ops ingest: error: ", f"is the position in replay:{source_lake.resolve()}")


def test_a_lake_whose_playback_came_another_way_is_refused(source_lake: Path, generated_lake: Path) -> None:
    before = landed_files(generated_lake)

    result = ingest("--lake", generated_lake, "--replay-from", source_lake)

    assert result.exit_code == 2
    assert_one_line_error(result, "flick-ops ingest: error: ", "files not landed by flick-ops ingest")
    assert landed_files(generated_lake) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--source", "replay"], "--source replay needs --replay-from"),
        (["--source", "eventhub", "--replay-from", "{source}"], "only it takes one"),
        (["--replay-from", "{source}", "--batch-events", "5", "--batch-seconds", "5"], "not both"),
        (["--replay-from", "{lake}"], "cannot be replayed into itself"),
        (["--replay-from", "{empty}"], "holds no playback events"),
    ],
)
def test_usage_errors_are_one_line(source_lake: Path, tmp_path: Path, args: list[str], message: str) -> None:
    lake, empty = tmp_path / "lake", tmp_path / "empty"
    lake.mkdir()
    empty.mkdir()
    values = {"source": source_lake, "lake": lake, "empty": empty}

    result = ingest("--lake", lake, *(arg.format(**values) for arg in args))

    assert result.exit_code == 2
    assert_one_line_error(result, "flick-ops ingest: error: ", message)


# ---- Event Hubs -----------------------------------------------------------------------------------------------

SETTINGS = EventHubSettings("flick.servicebus.windows.net", "playback", "$Default")
SECRET = "c2VjcmV0LWtleS10aGF0LW11c3Qtbm90LWxlYWs="
ENQUEUED = datetime(2026, 10, 2, 23, 59, 59, 123000, tzinfo=UTC)
CONNECTION_STRING = f"Endpoint=sb://flick.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey={SECRET}"


def received(body: bytes, sequence_number: int, enqueued: datetime) -> EventData:
    """An EventData as the SDK hands over a received one: the broker's system properties in its annotations."""
    event = EventData(body)
    event.raw_amqp_message.annotations = {
        b"x-opt-sequence-number": sequence_number,
        b"x-opt-enqueued-time": (enqueued - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1),
        b"x-opt-offset": str(sequence_number * 100).encode(),
    }
    return event


def test_a_received_event_lands_as_its_body_with_the_brokers_system_properties() -> None:
    body = {"event_id": "e-1", "event_type": "play", "partition": 99, "client_ts": "2026-10-02T23:59:58.000Z"}
    pretty = json.dumps(body, indent=2).encode()  # a producer that pretty-prints: the line must still be one line

    event = stream_event("3", received(pretty, 41, ENQUEUED))

    assert (event.partition, event.sequence_number, event.ingest_date) == (3, 41, date(2026, 10, 2))
    assert "\n" not in event.line
    assert json.loads(event.line) == {
        **body,
        "partition": 3,  # the broker's, not the producer's 99
        "enqueued_time": "2026-10-02T23:59:59.123Z",
        "sequence_number": 41,
    }


@pytest.mark.parametrize(
    ("body", "line"),
    [
        (b'{"event_id": "e-2", "event_t', '{"event_id": "e-2", "event_t'),
        (b'{"event_id":\n"e-3"', '{"event_id": "e-3"'),
        (b'{"event_id": "caf\xe9"}', '{"event_id": "caf\\xe9"}'),
        (b"[1, 2]", "[1, 2]"),
    ],
    ids=["truncated", "truncated-multiline", "not-utf8", "not-an-object"],
)
def test_a_body_that_is_not_a_json_object_lands_as_it_came_for_bronze_to_quarantine(body: bytes, line: str) -> None:
    event = stream_event("0", received(body, 7, ENQUEUED))

    assert event.line == line
    assert not is_json(line) or not isinstance(json.loads(line), dict)


def test_an_event_without_the_brokers_system_properties_is_an_error() -> None:
    with pytest.raises(ValueError, match="without the broker's system properties"):
        stream_event("0", EventData(b"{}"))


class _StandInClient:
    """Delivers events to the callbacks the way the SDK does, from its own thread, then waits to be closed."""

    def __init__(self, deliveries: list[tuple[str, list[EventData]]], error: Exception | None = None) -> None:
        self.deliveries, self.error = deliveries, error
        self.options: dict[str, object] = {}
        self.closed = threading.Event()

    def receive_batch(self, on_event_batch: Callable, on_error: Callable, **options: object) -> None:
        self.options = options
        for partition_id, events in self.deliveries:
            on_event_batch(type("Context", (), {"partition_id": partition_id})(), events)
        if self.error:
            on_error(None, self.error)
        self.closed.wait()

    def close(self) -> None:
        self.closed.set()


def test_received_batches_land_with_per_partition_checkpoints_and_resume_after_them(tmp_path: Path) -> None:
    checkpoints = checkpoint_file(tmp_path)
    lander = Lander(tmp_path, checkpoints)
    first = Checkpoint(SETTINGS.source_name)
    a, b, c = (received(f'{{"event_id":"{n}"}}'.encode(), s, ENQUEUED) for n, s in (("a", 10), ("b", 11), ("c", 5)))
    # Partition 0 is handed out again after a dropped link: a and b come twice and must land once.
    client = _StandInClient([("0", [a, b]), ("1", [c]), ("0", [a, b])])

    landed = land_stream(received_batches(client, first, batch_events=2, batch_seconds=1), lander, first, max_batches=2)

    assert client.options["starting_position"] == {} and client.options["starting_position_inclusive"] is False
    assert client.closed.is_set()
    assert [json.loads(line)["event_id"] for line in lines_by_day(tmp_path)["ingest_date=2026-10-02"]] == [
        "a",
        "b",
        "c",
    ]
    assert saved_checkpoint(tmp_path) == {
        "version": 1,
        "source": "eventhub:flick.servicebus.windows.net/playback/$Default",
        "batch": 1,
        "events": 3,
        "last_sequence_numbers": {"0": 11, "1": 5},
    }

    resumed = checkpoints.load(SETTINGS.source_name)
    again = _StandInClient([("0", [b, received(b'{"event_id":"d"}', 12, ENQUEUED)])])
    batches = received_batches(again, resumed, batch_events=1, batch_seconds=2)
    assert [event.line for event in next(batches)] == [
        stream_event("0", received(b'{"event_id":"d"}', 12, ENQUEUED)).line
    ]
    batches.close()
    assert resumed == landed
    assert again.options["starting_position"] == starting_positions(resumed) == {"0": 11, "1": 5}


def test_an_sdk_error_stops_receiving_with_the_cause() -> None:
    client = _StandInClient([], error=PermissionError("Unauthorized access.\n'Listen' claim(s) are required"))
    batches = received_batches(client, Checkpoint(SETTINGS.source_name), batch_events=10, batch_seconds=5)

    with pytest.raises(EventHubReceiveError, match=r"^receiving stopped: PermissionError: Unauthorized access\.$"):
        next(batches)
    assert client.closed.is_set()


def test_stopping_early_does_not_wait_on_a_receiver_blocked_by_a_full_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(eventhub, "QUEUE_EVENTS", 2)
    backlog = [received(b"{}", sequence_number, ENQUEUED) for sequence_number in range(10)]
    client = _StandInClient([("0", backlog)])
    batches = received_batches(client, Checkpoint(SETTINGS.source_name), batch_events=1, batch_seconds=5)

    assert len(next(batches)) == 1
    started = time.monotonic()
    batches.close()

    assert client.closed.is_set()
    assert time.monotonic() - started < 5


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_hub_is_a_one_line_error_without_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def without_retries(settings: EventHubSettings) -> EventHubConsumerClient:
        # The real client, giving up at the first refusal instead of after the SDK's retries (about 12 s).
        return EventHubConsumerClient.from_connection_string(
            settings.connection_string, consumer_group=settings.consumer_group, retry_total=0
        )

    monkeypatch.setattr(eventhub, "consumer_client", without_retries)
    connection_string = f"Endpoint=sb://127.0.0.1:{_closed_port()}/;SharedAccessKeyName=listen;"
    connection_string += f"SharedAccessKey={SECRET};EntityPath=playback"

    result = ingest(
        "--lake", tmp_path, "--source", "eventhub", env={"FLICK_EVENTHUB_CONNECTION_STRING": connection_string}
    )

    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("flick-ops: error: receiving stopped: ConnectError: ")
    assert SECRET not in result.output
    assert not (tmp_path / "bronze").exists()
    assert not checkpoint_file(tmp_path).path.exists()


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({}, "--source eventhub needs FLICK_EVENTHUB_CONNECTION_STRING, or FLICK_EVENTHUB_NAMESPACE and"),
        ({"FLICK_EVENTHUB_NAMESPACE": "flick.servicebus.windows.net"}, "FLICK_EVENTHUB_NAME"),
        ({"FLICK_EVENTHUB_CONNECTION_STRING": CONNECTION_STRING}, "needs Endpoint=sb://..., and EntityPath="),
        ({"FLICK_EVENTHUB_CONNECTION_STRING": f"SharedAccessKey={SECRET};EntityPath=p"}, "needs Endpoint=sb://"),
    ],
    ids=["nothing", "namespace-without-hub", "no-hub-name", "no-endpoint"],
)
def test_eventhub_settings_missing_from_the_environment_are_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], message: str
) -> None:
    for name in ("CONNECTION_STRING", "NAMESPACE", "NAME", "CONSUMER_GROUP"):
        monkeypatch.delenv(f"FLICK_EVENTHUB_{name}", raising=False)

    result = ingest("--lake", tmp_path, "--source", "eventhub", env=environment)

    assert result.exit_code == 2
    assert_one_line_error(result, "flick-ops ingest: error: ", message)
    assert SECRET not in result.output


def test_eventhub_settings_name_the_stream_without_the_secret() -> None:
    settings = EventHubSettings.from_environment(
        {"FLICK_EVENTHUB_CONNECTION_STRING": f"{CONNECTION_STRING};EntityPath=playback",
         "FLICK_EVENTHUB_CONSUMER_GROUP": "bronze-landing"}
    )  # fmt: skip
    signed_in = EventHubSettings.from_environment(
        {"FLICK_EVENTHUB_NAMESPACE": "flick.servicebus.windows.net", "FLICK_EVENTHUB_NAME": "playback"}
    )

    assert settings.source_name == "eventhub:flick.servicebus.windows.net/playback/bronze-landing"
    assert SECRET not in repr(settings) and SECRET not in settings.source_name
    assert (signed_in.source_name, signed_in.connection_string) == (SETTINGS.source_name, None)
