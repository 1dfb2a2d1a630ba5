"""The playback writer lands Event Hubs telemetry the way the contract says and real players behave.

Each test reads the JSON-lines files the writer put on disk. The world is built
here from the shared dataclasses, so these tests do not depend on how
``build_world`` draws accounts and titles.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from pathlib import Path

import numpy as np
import pytest

from flick_ops.commands.generate import progress_bars
from flick_ops.generate.entities import COUNTRIES
from flick_ops.generate.playback import write_playback
from flick_ops.generate.summary import EntityStats
from flick_ops.generate.world import Accounts, GeneratorConfig, Profiles, Titles, World
from flick_ops.lake.contract import BOOLEAN, INTEGER, STRING, TIMESTAMP, entity

EVENTS = entity("playback", "events")
TIMESTAMP_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
ONE_DAY = timedelta(days=1)
# Which operating systems can run on which device class: stated here independently of the writer.
DEVICES_OF_OS = {
    "tizen": {"smart_tv"},
    "webos": {"smart_tv"},
    "android_tv": {"smart_tv", "streaming_stick", "set_top_box"},
    "roku_os": {"streaming_stick"},
    "tvos": {"streaming_stick", "set_top_box"},
    "ios": {"mobile", "tablet"},
    "android": {"mobile", "tablet"},
    "windows": {"web"},
    "macos": {"web"},
    "playstation": {"game_console"},
    "xbox": {"game_console"},
}
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


def make_world(
    lake_root: Path,
    *,
    seed: int = 7,
    days: int = 5,
    events_per_day: int = 3_000,
    dirty_rate: float = 0.0,
    accounts: int = 400,
    titles: int = 300,
) -> World:
    """A small world drawn directly into the shared dataclasses."""
    config = GeneratorConfig(
        lake_root=lake_root,
        seed=seed,
        accounts=accounts,
        days=days,
        events_per_day=events_per_day,
        start_date=date(2026, 10, 1),
        dirty_rate=dirty_rate,
    )
    rng = np.random.default_rng(seed)
    codes = np.array([c.code for c in COUNTRIES])
    signs_up_in_window = rng.random(accounts) < 0.05
    churns = rng.random(accounts) < 0.05
    activity = rng.lognormal(0.0, 1.0, accounts)
    profiles_per_account = rng.integers(1, 5, accounts)
    n_profiles = int(profiles_per_account.sum())
    is_series = rng.random(titles) < 0.35
    n_originals = titles // 10
    popularity = (rng.permutation(titles) + 1.0) ** -1.0
    return World(
        config=config,
        rng=np.random.default_rng(seed),
        accounts=Accounts(
            account_id=np.array([f"A{i:07d}" for i in range(1, accounts + 1)]),
            country=codes[rng.integers(0, len(codes), accounts)],
            signup_day=np.where(signs_up_in_window, rng.integers(0, days, accounts), -rng.integers(1, 900, accounts)),
            churn_day=np.where(churns, rng.integers(1, days + 1, accounts), 1_000_000),
            activity=activity / activity.sum(),
            plan_id=np.full(accounts, "standard"),
        ),
        profiles=Profiles(
            profile_id=np.array([f"P{i:08d}" for i in range(1, n_profiles + 1)]),
            account_index=np.repeat(np.arange(accounts), profiles_per_account),
            is_kids=rng.random(n_profiles) < 0.2,
        ),
        titles=Titles(
            title_id=np.array(
                [f"s{i}" for i in range(1, titles - n_originals + 1)]
                + [f"FO{i:05d}" for i in range(1, n_originals + 1)]
            ),
            name=np.array([f"Title {i}" for i in range(titles)]),
            release_year=rng.integers(1990, 2027, titles),
            is_series=is_series,
            runtime_min=np.where(is_series, rng.integers(22, 61, titles), rng.integers(85, 151, titles)),
            popularity=popularity / popularity.sum(),
            is_original=np.arange(titles) >= titles - n_originals,
        ),
    )


@dataclass
class Landed:
    world: World
    stats: EntityStats
    files: dict[date, list[str]]  # ingest_date -> raw lines, in file order

    @property
    def lines(self) -> list[str]:
        return [line for day in sorted(self.files) for line in self.files[day]]

    @cached_property
    def rows(self) -> list[dict]:
        """Every line parsed; only for lakes without malformed lines."""
        return [json.loads(line) for line in self.lines]


def land(world: World) -> Landed:
    stats = write_playback(world)
    root = world.config.lake_root / "bronze" / "playback" / "events"
    files: dict[date, list[str]] = {}
    for path in sorted(root.glob("ingest_date=*/part-00000.jsonl")):
        day = date.fromisoformat(path.parent.name.removeprefix("ingest_date="))
        files[day] = path.read_text(encoding="utf-8").splitlines()
    return Landed(world=world, stats=stats, files=files)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Landed:
    return land(make_world(tmp_path_factory.mktemp("clean"), days=14, events_per_day=2_500, dirty_rate=0.0))


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> Landed:
    return land(make_world(tmp_path_factory.mktemp("dirty"), days=5, events_per_day=3_000, dirty_rate=0.03))


def parse_ts(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def horizon(world: World) -> datetime:
    return datetime.combine(world.config.end_date + ONE_DAY, datetime.min.time(), tzinfo=UTC)


# ---- files and determinism ---------------------------------------------------------------


def lake_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.jsonl"))}


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    lakes = {}
    for name, seed in (("first", 11), ("again", 11), ("other", 12)):
        world = make_world(tmp_path / name, seed=seed, days=3, events_per_day=1_500, dirty_rate=0.02)
        write_playback(world)
        lakes[name] = lake_bytes(tmp_path / name)

    assert lakes["first"], "no files written"
    assert lakes["first"] == lakes["again"]
    assert lakes["first"] != lakes["other"]


def test_progress_bars_go_to_stderr_only_when_asked(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    write_playback(make_world(tmp_path / "quiet", days=2, events_per_day=500))
    quiet = capfd.readouterr()
    write_playback(make_world(tmp_path / "loud", days=2, events_per_day=500), progress_bars)
    loud = capfd.readouterr()

    assert (quiet.out, quiet.err) == ("", "")
    assert loud.out == ""
    assert "playback: sessions" in loud.err
    assert "playback: files" in loud.err


def test_files_follow_the_contract_path_one_per_enqueued_day(dirty: Landed) -> None:
    config = dirty.world.config
    assert sorted(dirty.files) == config.dates()
    for day in dirty.files:
        assert EVENTS.file_path(config.lake_root, day).is_file()
    assert dirty.stats.files == len(dirty.files)
    assert dirty.stats.rows == len(dirty.lines)


def test_every_event_lands_in_the_file_of_its_enqueued_date(dirty: Landed) -> None:
    checked = 0
    for day, lines in dirty.files.items():
        for line in lines:
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            assert parse_ts(row["enqueued_time"]).date() == day
            checked += 1
    assert checked > 0.95 * len(dirty.lines)


def test_lines_are_in_arrival_order_with_sequence_numbers_rising_per_partition(dirty: Landed) -> None:
    for lines in dirty.files.values():
        rows = []
        for line in lines:
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        enqueued = [row["enqueued_time"] for row in rows]
        assert enqueued == sorted(enqueued)
        last_by_partition: dict[int, int] = {}
        for row in rows:
            partition = row["partition"]
            assert 0 <= partition < 8
            assert row["sequence_number"] > last_by_partition.get(partition, -1)
            last_by_partition[partition] = row["sequence_number"]


def test_a_session_stays_on_one_partition(dirty: Landed) -> None:
    partitions: dict[str, set[int]] = defaultdict(set)
    for line in dirty.lines:
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if row.get("session_id"):
            partitions[row["session_id"]].add(row["partition"])
    assert partitions
    assert all(len(p) == 1 for p in partitions.values())


# ---- clean rows --------------------------------------------------------------------------


def type_ok(value: object, logical_type: str) -> bool:
    if logical_type == STRING:
        return isinstance(value, str) and value != ""
    if logical_type == INTEGER:
        return isinstance(value, int) and not isinstance(value, bool)
    if logical_type == TIMESTAMP:
        return isinstance(value, str) and bool(TIMESTAMP_MS.match(value))
    if logical_type == BOOLEAN:
        return isinstance(value, bool)
    raise AssertionError(f"playback has no {logical_type} field")


def test_clean_lines_have_exactly_the_contract_fields_with_valid_values(clean: Landed) -> None:
    world = clean.world
    accounts = dict(zip(world.accounts.account_id, world.accounts.country, strict=True))
    profile_account = {
        p: world.accounts.account_id[a]
        for p, a in zip(world.profiles.profile_id, world.profiles.account_index, strict=True)
    }
    titles = set(world.titles.title_id)
    for row in clean.rows:
        assert list(row) == EVENTS.column_names
        for field in EVENTS.fields:
            value = row[field.name]
            if value is None:
                assert not field.required, f"{field.name} is null"
                continue
            assert type_ok(value, field.type), f"{field.name}={value!r}"
            if field.accepted_values:
                assert value in field.accepted_values, f"{field.name}={value!r}"
        assert row["account_id"] in accounts
        assert profile_account[row["profile_id"]] == row["account_id"]
        assert row["title_id"] in titles
        assert row["country"] == accounts[row["account_id"]]
        assert row["device"] in DEVICES_OF_OS[row["os"]]
        assert SEMVER.match(row["app_version"])
        assert (row["bitrate_kbps"] is None) == (row["event_type"] == "start")
        if row["bitrate_kbps"] is not None:
            assert 1_000 <= row["bitrate_kbps"] <= 20_000
        delay = parse_ts(row["enqueued_time"]) - parse_ts(row["client_ts"])
        assert timedelta(0) <= delay <= timedelta(minutes=1)


def sessions_of(rows: list[dict]) -> dict[str, list[dict]]:
    by_session: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_session[row["session_id"]].append(row)
    return {sid: sorted(events, key=lambda r: r["client_ts"]) for sid, events in by_session.items()}


def test_every_session_is_a_valid_player_sequence(clean: Landed) -> None:
    runtime_ms = dict(zip(clean.world.titles.title_id, clean.world.titles.runtime_min * 60_000, strict=True))
    sessions = sessions_of(clean.rows)
    still_playing = 0
    for events in sessions.values():
        types = [e["event_type"] for e in events]
        stamps = [e["client_ts"] for e in events]
        assert types[0] == "start"
        assert types.count("start") == 1
        assert len(set(stamps)) == len(stamps), "two events of a session share a client timestamp"
        assert len({(e["account_id"], e["profile_id"], e["title_id"], e["device"], e["os"]) for e in events}) == 1
        if types[-1] != "stop":
            # Only a session still playing when the capture was read may lack its stop.
            assert horizon(clean.world) - parse_ts(stamps[-1]) < timedelta(hours=6)
            still_playing += 1
        assert types.count("stop") <= 1
        if "play" not in types and types[-1] == "stop":
            assert types == ["start", "buffer_start", "stop"]
        for before, after in itertools.pairwise(events):
            if after["event_type"] != "seek":
                assert after["position_ms"] >= before["position_ms"], f"playhead went back on {after['event_type']}"
        for i, event in enumerate(types[:-1]):
            if event == "pause":
                assert types[i + 1] == "play"
            if event == "buffer_start":
                assert types[i + 1] in ("buffer_end", "stop")
            if event == "error":
                assert types[i + 1] == "stop"
        assert all(0 <= e["position_ms"] <= runtime_ms[e["title_id"]] for e in events)
    assert still_playing < 0.03 * len(sessions)


def test_heartbeats_come_every_minute_of_playback(clean: Landed) -> None:
    gaps = []
    for events in sessions_of(clean.rows).values():
        beats = [e for e in events if e["event_type"] in ("heartbeat", "seek")]
        for before, after in itertools.pairwise(beats):
            if before["event_type"] == after["event_type"] == "heartbeat":
                gaps.append(after["position_ms"] - before["position_ms"])
    assert gaps
    assert Counter(gaps).most_common(1)[0][0] == 60_000


# ---- dirty rows --------------------------------------------------------------------------


def classify(line: str, accounts: set[str], titles: set[str]) -> str:
    """Which kind of dirty row a landed line is, judged from the line alone (duplicates aside)."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError:
        return "malformed"
    if any(row.get(f.name) is None for f in EVENTS.fields if f.required):
        return "missing_required"
    if any(row[f.name] is not None and not type_ok(row[f.name], f.type) for f in EVENTS.fields if f.name in row):
        return "bad_type"
    if any(f.accepted_values and row[f.name] not in f.accepted_values for f in EVENTS.fields):
        return "invalid_enum"
    if row["account_id"] not in accounts or row["title_id"] not in titles:
        return "orphan_reference"
    client, enqueued = parse_ts(row["client_ts"]), parse_ts(row["enqueued_time"])
    if client > enqueued:
        return "future_timestamp"
    if enqueued - client >= ONE_DAY:
        assert enqueued - client <= 3 * ONE_DAY
        return "late"
    return "clean"


def detected_dirty(landed: Landed) -> Counter:
    accounts = set(landed.world.accounts.account_id)
    titles = set(landed.world.titles.title_id)
    kinds = Counter(classify(line, accounts, titles) for line in landed.lines)
    del kinds["clean"]
    event_ids = Counter()
    for line in landed.lines:
        try:
            event_ids[json.loads(line).get("event_id")] += 1
        except json.JSONDecodeError:
            continue
    kinds["duplicate"] = sum(count - 1 for event_id, count in event_ids.items() if event_id is not None)
    return +kinds


def test_planted_dirty_rows_are_exactly_what_the_files_hold(dirty: Landed) -> None:
    assert set(dirty.stats.dirty) == {
        "malformed",
        "missing_required",
        "bad_type",
        "invalid_enum",
        "orphan_reference",
        "future_timestamp",
        "duplicate",
        "late",
    }
    assert detected_dirty(dirty) == dirty.stats.dirty
    share = sum(dirty.stats.dirty.values()) / dirty.stats.rows
    assert 0.02 < share < 0.04


def test_a_redelivery_repeats_the_event_later_on_the_same_partition(dirty: Landed) -> None:
    first_seen: dict[str, dict] = {}
    redelivered = 0
    for line in dirty.lines:
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        original = first_seen.setdefault(row["event_id"], row)
        if original is row:
            continue
        redelivered += 1
        broker_fields = ("enqueued_time", "sequence_number")
        assert {k: v for k, v in row.items() if k not in broker_fields} == {
            k: v for k, v in original.items() if k not in broker_fields
        }
        assert row["enqueued_time"] > original["enqueued_time"]
        assert row["sequence_number"] > original["sequence_number"]
    assert redelivered == dirty.stats.dirty["duplicate"]


def test_late_events_land_in_a_later_days_file(dirty: Landed) -> None:
    late = 0
    for day, lines in dirty.files.items():
        for line in lines:
            try:
                row = json.loads(line)
                client = parse_ts(row["client_ts"])
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                continue
            if parse_ts(row["enqueued_time"]) - client >= ONE_DAY:
                assert day > client.date()
                late += 1
    assert late == dirty.stats.dirty["late"]


def test_a_zero_dirty_rate_plants_nothing(clean: Landed) -> None:
    assert clean.stats.dirty == Counter()
    assert detected_dirty(clean) == Counter()


def test_every_dirty_kind_appears_even_at_a_tiny_rate(tmp_path: Path) -> None:
    landed = land(make_world(tmp_path, days=4, events_per_day=1_000, dirty_rate=0.0005))
    assert set(landed.stats.dirty) == {
        "malformed",
        "missing_required",
        "bad_type",
        "invalid_enum",
        "orphan_reference",
        "future_timestamp",
        "duplicate",
        "late",
    }
    assert detected_dirty(landed) == landed.stats.dirty


# ---- volume and realism ------------------------------------------------------------------


def test_volume_follows_events_per_day_within_five_percent(clean: Landed) -> None:
    config = clean.world.config
    assert abs(clean.stats.rows - config.events_per_day * config.days) < 0.05 * config.events_per_day * config.days


def test_weekends_are_busier_than_weekdays(clean: Landed) -> None:
    per_day = Counter(parse_ts(row["client_ts"]).date() for row in clean.rows)
    weekend = [n for day, n in per_day.items() if day.weekday() >= 5]
    midweek = [n for day, n in per_day.items() if day.weekday() in (0, 1, 2)]
    assert np.mean(weekend) > 1.1 * np.mean(midweek)


@dataclass
class Session:
    events: list[dict]

    def first(self, event_type: str) -> dict | None:
        return next((e for e in self.events if e["event_type"] == event_type), None)

    @property
    def start(self) -> datetime:
        return parse_ts(self.events[0]["client_ts"])

    @property
    def stop(self) -> datetime:
        return parse_ts(self.events[-1]["client_ts"])


@pytest.fixture(scope="module")
def sessions(clean: Landed) -> list[Session]:
    return [Session(events) for events in sessions_of(clean.rows).values()]


def test_video_start_time_is_a_second_or_two_and_slower_on_phones(sessions: list[Session]) -> None:
    startup: dict[str, list[float]] = defaultdict(list)
    for session in sessions:
        play = session.first("play")
        if play is not None:
            startup[play["device"]].append((parse_ts(play["client_ts"]) - session.start).total_seconds())
    everything = [s for values in startup.values() for s in values]
    assert 0.5 < np.median(everything) < 5.0
    assert np.median(startup["mobile"]) > np.median(startup["smart_tv"])


def test_a_few_titles_get_most_of_the_viewing(sessions: list[Session]) -> None:
    per_title = sorted(Counter(s.events[0]["title_id"] for s in sessions).values(), reverse=True)
    top_tenth = len(per_title) // 10
    assert sum(per_title[:top_tenth]) > 0.4 * sum(per_title)


def test_sessions_end_the_way_real_ones_do(clean: Landed, sessions: list[Session]) -> None:
    runtime_ms = dict(zip(clean.world.titles.title_id, clean.world.titles.runtime_min * 60_000, strict=True))
    ended = [s for s in sessions if s.events[-1]["event_type"] == "stop"]
    exited = sum(1 for s in ended if s.first("play") is None)
    errored = sum(1 for s in ended if s.first("error") is not None)
    assert 0.01 < exited / len(ended) < 0.06
    assert 0.002 < errored / len(ended) < 0.03

    watched = [s for s in ended if s.first("play") is not None]
    completion = np.array([s.events[-1]["position_ms"] / runtime_ms[s.events[0]["title_id"]] for s in watched])
    assert 0.3 < np.mean(completion >= 0.9) < 0.8
    assert 0.15 < np.mean(completion < 0.25) < 0.5
    resumed = np.mean([s.events[0]["position_ms"] > 0 for s in watched])
    assert 0.03 < resumed < 0.3


def test_binges_chain_episodes_back_to_back(clean: Landed, sessions: list[Session]) -> None:
    series = set(clean.world.titles.title_id[clean.world.titles.is_series])
    by_profile: dict[str, list[Session]] = defaultdict(list)
    for session in sessions:
        by_profile[session.events[0]["profile_id"]].append(session)
    next_episodes = 0
    for watched in by_profile.values():
        watched.sort(key=lambda s: s.start)
        for before, after in itertools.pairwise(watched):
            if timedelta(0) < after.start - before.stop < timedelta(seconds=30):
                assert after.events[0]["title_id"] == before.events[0]["title_id"]
                assert after.events[0]["title_id"] in series
                assert after.events[0]["position_ms"] == 0
                next_episodes += 1
    assert next_episodes > 0.05 * len(sessions)


def test_viewing_peaks_in_the_local_evening(sessions: list[Session]) -> None:
    offset_hours = {c.code: c.utc_offset_hours for c in COUNTRIES}
    local_hours = Counter((s.start + timedelta(hours=offset_hours[s.events[0]["country"]])).hour for s in sessions)
    evening = sum(local_hours[h] for h in range(19, 23))
    night = sum(local_hours[h] for h in range(2, 6))
    assert evening > 4 * night


def test_a_household_mostly_watches_on_its_main_screen(sessions: list[Session]) -> None:
    devices: dict[str, Counter] = defaultdict(Counter)
    for session in sessions:
        devices[session.events[0]["account_id"]][session.events[0]["device"]] += 1
    regulars = [d for d in devices.values() if sum(d.values()) >= 10]
    assert regulars
    assert np.median([d.most_common(1)[0][1] / sum(d.values()) for d in regulars]) > 0.6
