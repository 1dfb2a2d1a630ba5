"""Player telemetry as Event Hubs capture lands it: ``playback.events``.

Four steps, each vectorised over all rows (only the few broken lines are built one by one):

1. plan sessions day by day: who watches (by account activity), which profile,
   which title (by popularity, with binges of consecutive episodes), on which
   device, when (local evening peak, weekend lift), how far they get, and how
   often the stream stalls, pauses, seeks or shifts bitrate;
2. expand every session into its player events (start, startup buffering,
   play, a heartbeat per minute of playback, ..., stop) with client timestamps
   and playhead positions;
3. deliver them through the broker: enqueue delay, a partition per session,
   offline syncs days later, producer re-deliveries, and sequence numbers per
   partition in arrival order;
4. write one JSON-lines file per UTC day of enqueued time, in arrival order.

The capture is read at midnight after the window's last day: events enqueued
later (a session still playing then, say) are not in the lake yet.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from typing import ClassVar, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from flick_ops.generate.entities import COUNTRIES, active_on, country_index, derived_rng, epoch_day, uuids
from flick_ops.generate.io import jsonl_lines, write_lines
from flick_ops.generate.progress import Progress, silent
from flick_ops.generate.summary import EntityStats
from flick_ops.generate.world import World
from flick_ops.lake.contract import entity

EVENTS = entity("playback", "events")
PLAYBACK_EVENT_TYPES = EVENTS.field("event_type").accepted_values
DEVICES = EVENTS.field("device").accepted_values
CDNS = EVENTS.field("cdn").accepted_values

MS_PER_SECOND = 1_000
MS_PER_MINUTE = 60_000
MS_PER_HOUR = 3_600_000
MS_PER_DAY = 86_400_000
HEARTBEAT_MS = 60_000
PARTITIONS = 8

_EVENT_CODE = {name: code for code, name in enumerate(PLAYBACK_EVENT_TYPES)}
START = _EVENT_CODE["start"]
PLAY = _EVENT_CODE["play"]
PAUSE = _EVENT_CODE["pause"]
SEEK = _EVENT_CODE["seek"]
BUFFER_START = _EVENT_CODE["buffer_start"]
BUFFER_END = _EVENT_CODE["buffer_end"]
BITRATE_CHANGE = _EVENT_CODE["bitrate_change"]
ERROR = _EVENT_CODE["error"]
STOP = _EVENT_CODE["stop"]
HEARTBEAT = _EVENT_CODE["heartbeat"]

# How a session ends: drawn for the last session of each binge (earlier episodes play on to the next).
WATCHED, EXITED_BEFORE_START, ERRORED = 0, 1, 2
OUTCOME_SHARES = (0.96, 0.03, 0.01)

# What interrupts playback inside a session.
REBUFFER, PAUSE_BREAK, SEEK_JUMP, BITRATE_SHIFT = 0, 1, 2, 3

# How an event reached the broker.
ON_TIME, LATE, REDELIVERED = 0, 1, 2


@dataclass(frozen=True)
class DeviceProfile:
    name: str
    share: float  # of households whose main screen this is
    operating_systems: tuple[tuple[str, float], ...]
    bitrate_ladder_kbps: tuple[int, ...]
    startup_median_s: float  # video start time; phones on cellular start slower
    startup_sigma: float
    rebuffers_per_hour: float
    bitrate_shifts_per_hour: float


_TV_LADDER = (3000, 4300, 5800, 8000, 12000, 16000)
DEVICE_PROFILES: tuple[DeviceProfile, ...] = (
    DeviceProfile(
        "smart_tv", 0.34, (("tizen", 0.4), ("webos", 0.35), ("android_tv", 0.25)), _TV_LADDER, 1.4, 0.45, 0.5, 0.6
    ),
    DeviceProfile(
        "streaming_stick", 0.14, (("roku_os", 0.5), ("android_tv", 0.3), ("tvos", 0.2)), _TV_LADDER, 1.5, 0.5, 0.7, 0.8
    ),
    DeviceProfile("game_console", 0.06, (("playstation", 0.6), ("xbox", 0.4)), _TV_LADDER, 1.3, 0.45, 0.5, 0.6),
    DeviceProfile("mobile", 0.22, (("ios", 0.45), ("android", 0.55)), (1500, 2350, 3000, 4300), 2.2, 0.65, 1.8, 2.0),
    DeviceProfile("tablet", 0.08, (("ios", 0.6), ("android", 0.4)), (2350, 3000, 4300, 5800, 8000), 1.9, 0.6, 1.2, 1.4),
    DeviceProfile(
        "web", 0.10, (("windows", 0.65), ("macos", 0.35)), (2350, 3000, 4300, 5800, 8000, 12000), 1.7, 0.55, 0.9, 1.0
    ),
    DeviceProfile("set_top_box", 0.06, (("tvos", 0.55), ("android_tv", 0.45)), _TV_LADDER, 1.4, 0.45, 0.5, 0.6),
)
assert tuple(d.name for d in DEVICE_PROFILES) == DEVICES, "device profiles must follow the contract's device list"
PORTABLE_DEVICES = (DEVICES.index("mobile"), DEVICES.index("tablet"))
PRIMARY_DEVICE_SHARE = 0.75  # sessions on the household's main screen; the rest on any screen

# CDN shares and how much more (or less) often each one stalls: a signal the QoE marts should find.
CDN_SHARES = {"akamai": 0.35, "azure_front_door": 0.30, "cloudflare": 0.20, "fastly": 0.15}
CDN_REBUFFER_FACTOR = {"akamai": 1.0, "azure_front_door": 0.9, "cloudflare": 1.1, "fastly": 1.3}
assert tuple(CDN_SHARES) == CDNS, "CDN shares must follow the contract's CDN list"

# Installed player versions, oldest first; a new release rolls out from the window's middle day.
APP_VERSIONS = ("8.9.2", "8.10.0", "8.10.1", "8.11.0")
APP_VERSION_SHARES = (0.08, 0.17, 0.30, 0.45)
NEW_RELEASE = "8.12.0"
NEW_RELEASE_DAILY_UPTAKE = 0.12
NEW_RELEASE_CEILING = 0.85

# Local-time rhythm, hours 0..23: a night trough, a lunch bump, the evening peak.
HOURLY_WEIGHTS = np.array(
    [0.9, 0.55, 0.3, 0.18, 0.12, 0.12, 0.2, 0.35, 0.45, 0.5, 0.55, 0.65,
     0.8, 0.8, 0.75, 0.8, 0.95, 1.2, 1.6, 2.1, 2.6, 2.7, 2.3, 1.6]
)  # fmt: skip
# Monday..Sunday: the weekend (and Friday night) lifts viewing.
WEEKDAY_LIFT = np.array([0.92, 0.90, 0.92, 0.97, 1.08, 1.15, 1.10])
DAILY_DRIFT_SIGMA = 0.06

# Binges: after an episode, the next one autoplays with this probability.
NEXT_EPISODE_PROBABILITY = 0.45
MAX_EPISODES_PER_BINGE = 8
AUTOPLAY_GAP_S = (5.0, 15.0)
RESUME_SHARE = 0.15  # sessions that pick up where the profile stopped last time
COMPLETION_MIX = (0.45, 0.30, 0.25)  # finish the title, abandon early, stop somewhere in between
EARLY_ABANDON_MEAN_MIN = 6.0
EXIT_BEFORE_START_MEDIAN_S = 6.0

PAUSES_PER_HOUR = 0.8
SEEKS_PER_HOUR = 0.6
REBUFFER_MEDIAN_S = 1.5
PAUSE_MEDIAN_S = 45.0
ENQUEUE_DELAY_MEDIAN_MS = 150.0
ENQUEUE_DELAY_MAX_MS = 60_000.0

# The kinds of dirty rows this feed plants, in proportion to one another.
DIRTY_MIX = {
    "malformed": 1.0,
    "missing_required": 1.0,
    "bad_type": 1.0,
    "invalid_enum": 1.0,
    "orphan_reference": 1.0,
    "future_timestamp": 1.0,
    "duplicate": 3.0,
    "late": 2.0,
}
LINE_FAULTS = ("malformed", "missing_required", "bad_type", "invalid_enum", "orphan_reference", "future_timestamp")
MIN_EVENTS_FOR_EVERY_KIND = 1_000
OFFLINE_SYNC_LAG_DAYS = (1.0, 2.5)
REDELIVERY_MEDIAN_S = 90.0
REDELIVERY_MAX_S = 6 * 3600.0

# Guess of events per session, only to size the first batch of a day's draws.
_EVENTS_PER_SESSION_GUESS = 50

T = TypeVar("T")


@dataclass(frozen=True)
class _Households:
    """Per-account traits that keep a household's devices and versions steady across sessions."""

    main_device: np.ndarray
    os_quantile: np.ndarray
    version_quantile: np.ndarray
    upgrade_quantile: np.ndarray
    utc_offset_ms: np.ndarray
    profile_order: np.ndarray  # profile rows sorted by account
    first_profile: np.ndarray  # position in profile_order of each account's first profile
    profile_count: np.ndarray


@dataclass(frozen=True)
class _Sessions:
    """One row per player session; a binge's episodes are consecutive rows."""

    account: np.ndarray
    profile: np.ndarray
    title: np.ndarray
    device: np.ndarray
    os: np.ndarray
    app_version: np.ndarray
    cdn: np.ndarray
    outcome: np.ndarray
    start_ms: np.ndarray  # client clock at `start`, ms since the epoch
    startup_ms: np.ndarray  # `start` to `play`; for sessions that exit first, `start` to giving up
    stop_delay_ms: np.ndarray  # end of playback to `stop`
    runtime_ms: np.ndarray
    start_position_ms: np.ndarray
    played_ms: np.ndarray  # time the video actually played
    bitrate_kbps: np.ndarray  # the rung the stream settles on
    dip_bitrate_kbps: np.ndarray  # the rung it shifts to, and back from
    n_events: np.ndarray


@dataclass(frozen=True)
class _Interrupts:
    """One row per rebuffer, pause, seek or bitrate shift during a session's playback."""

    session: np.ndarray
    kind: np.ndarray
    at: np.ndarray  # share of the session's played time at which it happens
    stall_ms: np.ndarray  # wall time the playhead stands still (rebuffers, pauses)
    jump_ms: np.ndarray  # playhead jump (seeks)


@dataclass(frozen=True)
class _Events:
    """One row per player event, sorted by session and client time."""

    session: np.ndarray
    event_type: np.ndarray
    position_ms: np.ndarray
    bitrate_kbps: np.ndarray
    client_ms: np.ndarray


@dataclass(frozen=True)
class _Stream:
    """What the capture holds, in arrival order: one row per delivery of an event."""

    event: np.ndarray  # row in _Events
    enqueued_ms: np.ndarray
    partition: np.ndarray
    sequence_number: np.ndarray
    delivery: np.ndarray  # ON_TIME, LATE or REDELIVERED


def write_playback(world: World, progress: Progress = silent) -> EntityStats:
    """Write ``playback.events`` for the world's window; returns rows, files and planted dirty rows."""
    config = world.config
    rng = derived_rng(config, "playback")
    stats = EntityStats(source=EVENTS.source, entity=EVENTS.name)

    with progress("playback: sessions", config.days) as advance:
        plan = _plan_sessions(world, rng, advance)
    if plan is None:
        return stats  # nobody was subscribed on any day of the window
    sessions, interrupts = plan
    events = _expand_events(sessions, interrupts, rng)
    quotas = _dirty_quotas(len(events.client_ms), config.dirty_rate)
    session_ids = uuids(rng, len(sessions.start_ms))
    horizon_ms = min((epoch_day(config.end_date) + 1) * MS_PER_DAY, config.capture_ms)
    stream = _deliver(events, sessions, session_ids, quotas, horizon_ms, rng)
    for kind, code in (("late", LATE), ("duplicate", REDELIVERED)):
        planted = int(np.count_nonzero(stream.delivery == code))
        if planted:
            stats.plant(kind, planted)

    faults = _choose_line_faults(stream, quotas, rng)
    for kind, planted in sorted(Counter(faults.values()).items()):
        stats.plant(kind, planted)

    columns = _columns(world, sessions, events, stream, session_ids, rng)
    _write_files(world, stream, columns, faults, _LineBreaker(world, rng), stats, progress)
    return stats


def _write_files(
    world: World,
    stream: _Stream,
    columns: dict[str, pa.Array],
    faults: dict[int, str],
    breaker: _LineBreaker,
    stats: EntityStats,
    progress: Progress,
) -> None:
    """One file per day of enqueued time; the stream is in arrival order, so each day is one slice."""
    config = world.config
    day_of_row = stream.enqueued_ms // MS_PER_DAY - epoch_day(config.start_date)
    bounds = np.searchsorted(day_of_row, np.arange(config.days + 1))
    with progress("playback: files", config.days) as advance:
        for day in range(config.days):
            advance(1)
            first, last = int(bounds[day]), int(bounds[day + 1])
            if first == last:
                continue
            lines = jsonl_lines({name: column.slice(first, last - first) for name, column in columns.items()})
            for row in sorted(r for r in faults if first <= r < last):
                lines[row - first] = breaker.break_line(lines[row - first], faults[row])
            stats.add_file(write_lines(EVENTS.file_path(config.lake_root, config.dates()[day]), lines))


# ---- 1. sessions ---------------------------------------------------------------------------


def _plan_sessions(
    world: World, rng: np.random.Generator, advance: Callable[[int], None]
) -> tuple[_Sessions, _Interrupts] | None:
    households = _households(world, rng)
    quotas = _daily_event_quotas(world, rng)
    batches: list[tuple[_Sessions, _Interrupts]] = []
    for day, quota in enumerate(quotas):
        batches.extend(_plan_day(world, households, day, int(quota), rng))
        advance(1)
    return _concat_sessions(batches) if batches else None


def _households(world: World, rng: np.random.Generator) -> _Households:
    n = len(world.accounts.account_id)
    shares = np.array([d.share for d in DEVICE_PROFILES])
    offsets = np.array([c.utc_offset_hours for c in COUNTRIES], dtype=np.float64)
    account_of_profile = world.profiles.account_index
    count = np.bincount(account_of_profile, minlength=n)
    return _Households(
        main_device=rng.choice(len(DEVICE_PROFILES), size=n, p=shares / shares.sum()),
        os_quantile=rng.random(n),
        version_quantile=rng.random(n),
        upgrade_quantile=rng.random(n),
        utc_offset_ms=(offsets[country_index(world.accounts.country)] * MS_PER_HOUR).astype(np.int64),
        profile_order=np.argsort(account_of_profile, kind="stable"),
        first_profile=np.cumsum(count) - count,
        profile_count=count,
    )


def _daily_event_quotas(world: World, rng: np.random.Generator) -> np.ndarray:
    """Events per day: the weekly rhythm with a little day-to-day drift, averaging events_per_day."""
    config = world.config
    weekday = np.array([day.weekday() for day in config.dates()])
    lift = WEEKDAY_LIFT[weekday] * rng.lognormal(0.0, DAILY_DRIFT_SIGMA, config.days)
    return np.rint(config.events_per_day * lift / lift.mean()).astype(np.int64)


def _plan_day(
    world: World, households: _Households, day: int, quota: int, rng: np.random.Generator
) -> list[tuple[_Sessions, _Interrupts]]:
    """Draw sessions starting on one day until their events fill the day's quota."""
    weights = world.accounts.activity * (active_on(world, day) & (households.profile_count > 0))
    batches: list[tuple[_Sessions, _Interrupts]] = []
    planned = 0
    while planned < quota and weights.sum() > 0:
        chains = max(8, int(1.2 * (quota - planned) / _EVENTS_PER_SESSION_GUESS))
        sessions, interrupts = _draw_sessions(world, households, day, weights / weights.sum(), chains, rng)
        # Keep sessions until the quota is met; a binge cut short simply ends there.
        needed = int(np.searchsorted(np.cumsum(sessions.n_events), quota - planned) + 1)
        sessions = _take(sessions, slice(0, needed))
        interrupts = _take(interrupts, interrupts.session < needed)
        batches.append((sessions, interrupts))
        planned += int(sessions.n_events.sum())
    return batches


def _draw_sessions(
    world: World, households: _Households, day: int, account_p: np.ndarray, chains: int, rng: np.random.Generator
) -> tuple[_Sessions, _Interrupts]:
    titles = world.titles
    account = rng.choice(len(account_p), size=chains, p=account_p)
    title = rng.choice(len(titles.title_id), size=chains, p=titles.popularity)
    episodes = np.where(
        titles.is_series[title],
        np.minimum(rng.geometric(1.0 - NEXT_EPISODE_PROBABILITY, chains), MAX_EPISODES_PER_BINGE),
        1,
    )
    pick = np.floor(rng.random(chains) * households.profile_count[account]).astype(np.int64)
    profile = households.profile_order[households.first_profile[account] + pick]
    device = np.where(
        rng.random(chains) < PRIMARY_DEVICE_SHARE,
        households.main_device[account],
        rng.choice(len(DEVICE_PROFILES), size=chains, p=_normalised([d.share for d in DEVICE_PROFILES])),
    )
    cdn = rng.choice(len(CDNS), size=chains, p=_normalised(list(CDN_SHARES.values())))
    chain_start_ms = _local_rhythm_start_ms(world, households.utc_offset_ms[account], day, rng)

    # Chains expand into sessions: every episode of a binge by the same profile on the same screen.
    chain = np.repeat(np.arange(chains), episodes)
    first_of_chain = np.r_[True, chain[1:] != chain[:-1]]
    last_of_chain = np.r_[chain[1:] != chain[:-1], True]
    n = len(chain)
    device_s = device[chain]

    outcome = np.where(last_of_chain, rng.choice(3, size=n, p=OUTCOME_SHARES), WATCHED)
    runtime_ms = titles.runtime_min[title[chain]].astype(np.float64) * MS_PER_MINUTE
    start_position = np.where(
        first_of_chain & (rng.random(n) < RESUME_SHARE), runtime_ms * rng.uniform(0.05, 0.8, n), 0.0
    )
    end_position = _end_positions(runtime_ms, start_position, last_of_chain, rng)
    end_position = np.where(
        outcome == ERRORED, start_position + (end_position - start_position) * rng.uniform(0.1, 1.0, n), end_position
    )
    end_position = np.where(outcome == EXITED_BEFORE_START, start_position, end_position)
    nominal_played = end_position - start_position

    startup_median = np.array([p.startup_median_s for p in DEVICE_PROFILES])[device_s]
    startup_sigma = np.array([p.startup_sigma for p in DEVICE_PROFILES])[device_s]
    startup_ms = (
        np.where(
            outcome == EXITED_BEFORE_START,
            rng.lognormal(np.log(EXIT_BEFORE_START_MEDIAN_S), 0.6, n),
            rng.lognormal(np.log(startup_median), startup_sigma),
        )
        * MS_PER_SECOND
    )

    interrupts = _draw_interrupts(device_s, cdn[chain], start_position, nominal_played, rng)
    jump = np.bincount(interrupts.session, weights=interrupts.jump_ms, minlength=n)
    # Forward seeks skip content; a session whose seeks would skip most of what it watched seeks not at all.
    skips_too_much = nominal_played - jump < nominal_played / 2
    interrupts = _take(interrupts, ~((interrupts.kind == SEEK_JUMP) & skips_too_much[interrupts.session]))
    played_ms = nominal_played - np.where(skips_too_much, 0.0, jump)

    counts = np.zeros((n, 4), dtype=np.int64)
    np.add.at(counts, (interrupts.session, interrupts.kind), 1)
    heartbeats = _heartbeat_count(played_ms)
    exited = outcome == EXITED_BEFORE_START
    n_events = np.where(
        exited,
        3,  # start, buffer_start, stop
        5
        + heartbeats
        + 2 * counts[:, REBUFFER]
        + 2 * counts[:, PAUSE_BREAK]
        + counts[:, SEEK_JUMP]
        + counts[:, BITRATE_SHIFT]
        + (outcome == ERRORED),
    )

    stop_delay_ms = rng.uniform(200.0, 1500.0, n) + np.where(outcome == ERRORED, rng.uniform(1000.0, 4000.0, n), 0.0)
    stalled = np.bincount(interrupts.session, weights=interrupts.stall_ms, minlength=n)
    wall_ms = startup_ms + played_ms + stalled + stop_delay_ms
    # The next episode starts after the previous one's stop and the autoplay countdown.
    step = wall_ms + rng.uniform(*AUTOPLAY_GAP_S, n) * MS_PER_SECOND
    before = np.cumsum(step) - step
    start_ms = chain_start_ms[chain] + np.floor(before - before[np.flatnonzero(first_of_chain)][chain]).astype(np.int64)

    rung, dip = _bitrate_rungs(device_s, rng)
    return (
        _Sessions(
            account=account[chain],
            profile=profile[chain],
            title=title[chain],
            device=device_s,
            os=_operating_systems(device_s, households.os_quantile[account[chain]]),
            app_version=_app_versions(world, day, households, account[chain]),
            cdn=cdn[chain],
            outcome=outcome,
            start_ms=start_ms,
            startup_ms=startup_ms,
            stop_delay_ms=stop_delay_ms,
            runtime_ms=runtime_ms,
            start_position_ms=start_position,
            played_ms=played_ms,
            bitrate_kbps=rung,
            dip_bitrate_kbps=dip,
            n_events=n_events.astype(np.int64),
        ),
        interrupts,
    )


def _local_rhythm_start_ms(world: World, utc_offset_ms: np.ndarray, day: int, rng: np.random.Generator) -> np.ndarray:
    """Start times on a day that follow the local hourly rhythm, wrapped into the same UTC day."""
    n = len(utc_offset_ms)
    local_ms = (rng.choice(24, size=n, p=_normalised(HOURLY_WEIGHTS)) + rng.random(n)) * MS_PER_HOUR
    utc_ms_of_day = np.mod(np.floor(local_ms).astype(np.int64) - utc_offset_ms, MS_PER_DAY)
    return (epoch_day(world.config.start_date) + day) * MS_PER_DAY + utc_ms_of_day


def _end_positions(
    runtime_ms: np.ndarray, start: np.ndarray, last_of_chain: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Where the playhead is when the viewer stops: a binge's earlier episodes run to the credits."""
    n = len(runtime_ms)
    mode = rng.choice(3, size=n, p=COMPLETION_MIX)
    finished = runtime_ms * rng.uniform(0.92, 1.0, n)
    abandoned = start + rng.exponential(EARLY_ABANDON_MEAN_MIN * MS_PER_MINUTE, n)
    partial = start + (runtime_ms - start) * rng.uniform(0.1, 0.9, n)
    chosen = np.choose(mode, [finished, abandoned, partial])
    chosen = np.where(last_of_chain, chosen, runtime_ms * rng.uniform(0.95, 1.0, n))
    return np.clip(chosen, start + 10 * MS_PER_SECOND, runtime_ms)


def _draw_interrupts(
    device: np.ndarray, cdn: np.ndarray, start_position: np.ndarray, played: np.ndarray, rng: np.random.Generator
) -> _Interrupts:
    hours = played / MS_PER_HOUR
    rebuffer_rate = (
        np.array([p.rebuffers_per_hour for p in DEVICE_PROFILES])[device]
        * np.array(list(CDN_REBUFFER_FACTOR.values()))[cdn]
    )
    shift_rate = np.array([p.bitrate_shifts_per_hour for p in DEVICE_PROFILES])[device]
    counts = {
        REBUFFER: rng.poisson(rebuffer_rate * hours),
        PAUSE_BREAK: rng.poisson(PAUSES_PER_HOUR * hours),
        SEEK_JUMP: rng.poisson(SEEKS_PER_HOUR * hours),
        BITRATE_SHIFT: rng.poisson(shift_rate * hours),
    }
    session = np.concatenate([np.repeat(np.arange(len(played)), c) for c in counts.values()])
    kind = np.concatenate([np.full(c.sum(), k, dtype=np.int64) for k, c in counts.items()])
    m = len(session)
    at = rng.random(m)
    stall = np.select(
        [kind == REBUFFER, kind == PAUSE_BREAK],
        [
            rng.lognormal(np.log(REBUFFER_MEDIAN_S), 0.8, m) * MS_PER_SECOND,
            np.minimum(rng.lognormal(np.log(PAUSE_MEDIAN_S), 1.3, m), 1200.0) * MS_PER_SECOND,
        ],
        0.0,
    )
    # Forward seeks skip an intro or a dull scene; backward ones replay a moment, never past the start.
    approx_position = start_position[session] + at * played[session]
    forward = rng.random(m) < 0.65
    jump = np.where(
        forward,
        rng.uniform(10.0, 90.0, m) * MS_PER_SECOND,
        -np.minimum(rng.uniform(10.0, 60.0, m) * MS_PER_SECOND, 0.5 * approx_position),
    )
    return _Interrupts(
        session=session, kind=kind, at=at, stall_ms=stall, jump_ms=np.where(kind == SEEK_JUMP, jump, 0.0)
    )


def _operating_systems(device: np.ndarray, quantile: np.ndarray) -> np.ndarray:
    """The OS that fits each device; a household's quantile keeps it steady (an iPhone home stays on iOS)."""
    width = max(len(p.operating_systems) for p in DEVICE_PROFILES)
    names = np.full((len(DEVICE_PROFILES), width), "", dtype=object)
    cumulative = np.ones((len(DEVICE_PROFILES), width))
    for row, profile in enumerate(DEVICE_PROFILES):
        weights = _normalised([w for _, w in profile.operating_systems])
        names[row, : len(weights)] = [name for name, _ in profile.operating_systems]
        cumulative[row, : len(weights)] = np.cumsum(weights)
    last_choice = np.array([len(p.operating_systems) - 1 for p in DEVICE_PROFILES])[device]
    pick = np.minimum((cumulative[device] < quantile[:, None]).sum(axis=1), last_choice)
    return names[device, pick].astype(str)


def _app_versions(world: World, day: int, households: _Households, account: np.ndarray) -> np.ndarray:
    release_day = world.config.days // 2
    uptake = np.clip((day - release_day + 1) * NEW_RELEASE_DAILY_UPTAKE, 0.0, NEW_RELEASE_CEILING)
    installed = np.searchsorted(
        np.cumsum(APP_VERSION_SHARES), households.version_quantile[account] * sum(APP_VERSION_SHARES)
    )
    installed = np.array(APP_VERSIONS)[np.minimum(installed, len(APP_VERSIONS) - 1)]
    return np.where(households.upgrade_quantile[account] < uptake, NEW_RELEASE, installed)


def _bitrate_rungs(device: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The ladder rung a session settles on (mostly near the top) and the neighbouring rung it dips to."""
    width = max(len(p.bitrate_ladder_kbps) for p in DEVICE_PROFILES)
    ladders = np.array(
        [np.pad(p.bitrate_ladder_kbps, (0, width - len(p.bitrate_ladder_kbps)), mode="edge") for p in DEVICE_PROFILES]
    )
    rungs = np.array([len(p.bitrate_ladder_kbps) for p in DEVICE_PROFILES])[device]
    level = np.maximum(rungs - rng.geometric(0.5, len(device)), 0)
    dip = np.where(level > 0, level - 1, level + 1)
    return ladders[device, level], ladders[device, dip]


# ---- 2. events -----------------------------------------------------------------------------


def _expand_events(sessions: _Sessions, interrupts: _Interrupts, rng: np.random.Generator) -> _Events:
    """Every session's player events, with client time and playhead position.

    Rows are ordered by session, phase (startup, playback, end), the played
    time at which they happen and a tie-break, so one pass of cumulative sums
    per session gives the stall time and seek jumps before each event.
    """
    n = len(sessions.start_ms)
    every = np.arange(n)
    playing = np.flatnonzero(sessions.outcome != EXITED_BEFORE_START)
    errored = np.flatnonzero(sessions.outcome == ERRORED)
    played = sessions.played_ms
    heartbeats = _heartbeat_count(played[playing])
    beat_session = np.repeat(playing, heartbeats)
    beat_number = np.arange(len(beat_session)) - np.repeat(np.cumsum(heartbeats) - heartbeats, heartbeats) + 1

    stalls = interrupts.kind <= PAUSE_BREAK
    stall_session = interrupts.session[stalls]
    stall_at = interrupts.at[stalls] * played[stall_session]
    stall_is_rebuffer = interrupts.kind[stalls] == REBUFFER
    others = ~stalls
    other_session = interrupts.session[others]

    rows = _RowBuilder()
    rows.add(every, phase=0, offset=0.0, event_type=START)
    rows.add(every, phase=0, offset=sessions.startup_ms * rng.uniform(0.01, 0.1, n), event_type=BUFFER_START)
    rows.add(playing, phase=0, offset=sessions.startup_ms[playing], event_type=BUFFER_END)
    rows.add(playing, phase=0, offset=sessions.startup_ms[playing], event_type=PLAY, tiebreak=1)
    rows.add(beat_session, phase=1, offset=beat_number * float(HEARTBEAT_MS), event_type=HEARTBEAT)
    rows.add(
        stall_session,
        phase=1,
        offset=stall_at,
        event_type=np.where(stall_is_rebuffer, BUFFER_START, PAUSE),
        stall_ms=interrupts.stall_ms[stalls],
    )
    rows.add(
        stall_session, phase=1, offset=stall_at, event_type=np.where(stall_is_rebuffer, BUFFER_END, PLAY), tiebreak=1
    )
    rows.add(
        other_session,
        phase=1,
        offset=interrupts.at[others] * played[other_session],
        event_type=np.where(interrupts.kind[others] == SEEK_JUMP, SEEK, BITRATE_CHANGE),
        jump_ms=interrupts.jump_ms[others],
        shift=(interrupts.kind[others] == BITRATE_SHIFT).astype(np.int64),
    )
    rows.add(errored, phase=2, offset=played[errored], event_type=ERROR)
    rows.add(every, phase=2, offset=played, event_type=STOP, tiebreak=1, extra_ms=sessions.stop_delay_ms)
    r = rows.build()

    order = np.lexsort((r["tiebreak"], r["offset"], r["phase"], r["session"]))
    r = {name: column[order] for name, column in r.items()}
    session = r["session"]
    group_start = _group_starts(session)
    stalled_before = _grouped_cumsum(r["stall_ms"], group_start) - r["stall_ms"]
    jumped = _grouped_cumsum(r["jump_ms"], group_start)
    shifts = _grouped_cumsum(r["shift"], group_start)
    in_playback = r["phase"] > 0

    base = sessions.start_ms[session] + np.where(in_playback, sessions.startup_ms[session], 0.0)
    client = np.floor(base + r["offset"] + stalled_before + r["extra_ms"]).astype(np.int64)
    position = sessions.start_position_ms[session] + np.where(in_playback, r["offset"], 0.0) + jumped
    position = np.clip(np.floor(position), 0, sessions.runtime_ms[session]).astype(np.int64)
    bitrate = np.where(shifts % 2 == 1, sessions.dip_bitrate_kbps[session], sessions.bitrate_kbps[session])
    return _Events(
        session=session,
        event_type=r["event_type"],
        position_ms=position,
        bitrate_kbps=bitrate.astype(np.int64),
        client_ms=_strictly_increasing(session, client),
    )


class _RowBuilder:
    """Collects event rows column-wise; scalars broadcast to the rows being added."""

    _DEFAULTS: ClassVar[dict[str, float | int]] = {
        "phase": 0,
        "offset": 0.0,
        "tiebreak": 0,
        "event_type": 0,
        "stall_ms": 0.0,
        "jump_ms": 0.0,
        "shift": 0,
        "extra_ms": 0.0,
    }

    def __init__(self) -> None:
        self._parts: dict[str, list[np.ndarray]] = {name: [] for name in ("session", *self._DEFAULTS)}

    def add(self, session: np.ndarray, **values: float | int | np.ndarray) -> None:
        self._parts["session"].append(np.asarray(session, dtype=np.int64))
        for name, default in self._DEFAULTS.items():
            value = values.get(name, default)
            dtype = np.float64 if isinstance(default, float) else np.int64
            self._parts[name].append(np.broadcast_to(np.asarray(value, dtype=dtype), session.shape))

    def build(self) -> dict[str, np.ndarray]:
        return {name: np.concatenate(parts) for name, parts in self._parts.items()}


# ---- 3. delivery ---------------------------------------------------------------------------


def _deliver(
    events: _Events,
    sessions: _Sessions,
    session_ids: np.ndarray,
    quotas: dict[str, int],
    horizon_ms: int,
    rng: np.random.Generator,
) -> _Stream:
    n = len(events.client_ms)
    delay = np.minimum(rng.lognormal(np.log(ENQUEUE_DELAY_MEDIAN_MS), 1.2, n), ENQUEUE_DELAY_MAX_MS)
    enqueued = events.client_ms + np.floor(delay).astype(np.int64)
    delivery = np.full(n, ON_TIME, dtype=np.int64)

    late_rows, late_enqueued = _offline_syncs(events, sessions, quotas["late"], horizon_ms, rng)
    enqueued[late_rows] = late_enqueued
    delivery[late_rows] = LATE

    resent, resent_enqueued = _redeliveries(enqueued, delivery, quotas["duplicate"], horizon_ms, rng)
    event = np.concatenate([np.arange(n), resent])
    enqueued = np.concatenate([enqueued, resent_enqueued])
    delivery = np.concatenate([delivery, np.full(len(resent), REDELIVERED)])
    # Event Hubs routes by partition key, so a session's events (and their re-deliveries) share a partition.
    partition = _partition_keys(session_ids)[events.session[event]]

    arrived = enqueued < horizon_ms
    order = np.lexsort((event[arrived], partition[arrived], enqueued[arrived]))
    event, enqueued, partition, delivery = (a[arrived][order] for a in (event, enqueued, partition, delivery))
    return _Stream(
        event=event,
        enqueued_ms=enqueued,
        partition=partition,
        sequence_number=_sequence_numbers(partition, rng),
        delivery=delivery,
    )


def _offline_syncs(
    events: _Events, sessions: _Sessions, quota: int, horizon_ms: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The tails of sessions watched offline (mostly phones and tablets), uploaded one to a few days later."""
    first = _group_first_rows(events.session, len(sessions.start_ms))
    count = np.bincount(events.session, minlength=len(sessions.start_ms))
    last_client = events.client_ms[first + count - 1]
    lag = np.floor(rng.uniform(*OFFLINE_SYNC_LAG_DAYS, len(count)) * MS_PER_DAY).astype(np.int64)
    feasible = (count > 0) & (last_client + lag + MS_PER_MINUTE < horizon_ms)
    portable = np.isin(sessions.device, PORTABLE_DEVICES)
    candidates = np.flatnonzero(feasible)
    candidates = candidates[np.lexsort((rng.random(len(candidates)), ~portable[candidates]))]

    rows: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    enqueued: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    remaining = quota
    for session in candidates:
        if remaining == 0:
            break
        take = int(min(remaining, rng.integers(1, count[session] + 1)))
        end = first[session] + count[session]
        rows.append(np.arange(end - take, end))
        # The app uploads its backlog in one burst, in the order the events happened.
        enqueued.append(last_client[session] + lag[session] + np.cumsum(rng.integers(5, 50, take)))
        remaining -= take
    return np.concatenate(rows), np.concatenate(enqueued)


def _redeliveries(
    enqueued: np.ndarray, delivery: np.ndarray, quota: int, horizon_ms: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Events the producer sends again after a missed acknowledgement: seconds to hours later."""
    on_time = np.flatnonzero(delivery == ON_TIME)
    drawn = rng.choice(on_time, size=min(len(on_time), 2 * quota), replace=False)
    lag_s = np.clip(rng.lognormal(np.log(REDELIVERY_MEDIAN_S), 1.8, len(drawn)), 2.0, REDELIVERY_MAX_S)
    again = enqueued[drawn] + np.floor(lag_s * MS_PER_SECOND).astype(np.int64)
    fits = np.flatnonzero(again < horizon_ms)[:quota]
    return drawn[fits], again[fits]


def _partition_keys(session_ids: np.ndarray) -> np.ndarray:
    """Partition of each session: the low bits of its (random) id, as a hash of the partition key would give."""
    last_hex_digit = np.ascontiguousarray(session_ids, dtype="U36").view(np.uint32).reshape(-1, 36)[:, -1]
    value = np.where(last_hex_digit >= ord("a"), last_hex_digit - ord("a") + 10, last_hex_digit - ord("0"))
    return (value % PARTITIONS).astype(np.int64)


def _sequence_numbers(partition: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per-partition counters in arrival order, continuing from where the hub's history left them."""
    offset = rng.integers(1_000_000, 50_000_000, PARTITIONS)
    by_partition = np.argsort(partition, kind="stable")
    sorted_partition = partition[by_partition]
    rank = np.arange(len(partition)) - np.searchsorted(sorted_partition, sorted_partition)
    sequence = np.empty(len(partition), dtype=np.int64)
    sequence[by_partition] = offset[sorted_partition] + rank
    return sequence


# ---- 4. dirty rows and files ---------------------------------------------------------------


def _dirty_quotas(n_events: int, dirty_rate: float) -> dict[str, int]:
    """Dirty rows per kind: dirty_rate of all events, split by DIRTY_MIX; every kind at least once on a real-sized run."""
    if dirty_rate <= 0:
        return dict.fromkeys(DIRTY_MIX, 0)
    weights = np.array(list(DIRTY_MIX.values()))
    counts = np.rint(dirty_rate * n_events * weights / weights.sum()).astype(np.int64)
    if n_events >= MIN_EVENTS_FOR_EVERY_KIND:
        counts = np.maximum(counts, 1)
    return dict(zip(DIRTY_MIX, counts.tolist(), strict=True))


def _choose_line_faults(stream: _Stream, quotas: dict[str, int], rng: np.random.Generator) -> dict[int, str]:
    """Rows of the stream that go out broken, keyed by row: only events delivered once and on time."""
    delivered = np.bincount(stream.event, minlength=int(stream.event.max(initial=-1)) + 1)
    eligible = np.flatnonzero((stream.delivery == ON_TIME) & (delivered[stream.event] == 1))
    wanted = [kind for kind in LINE_FAULTS for _ in range(quotas[kind])]
    chosen = rng.choice(eligible, size=min(len(eligible), len(wanted)), replace=False)
    return {int(row): kind for row, kind in zip(chosen, wanted, strict=False)}


def _columns(
    world: World,
    sessions: _Sessions,
    events: _Events,
    stream: _Stream,
    session_ids: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, pa.Array]:
    """The contract's columns for every row of the stream, as Arrow arrays ready to slice per file.

    Text columns are gathered from their few distinct values by Arrow (`take`)
    rather than built as a million Python strings.
    """
    event_ids = uuids(rng, len(events.client_ms))
    row = stream.event
    session = events.session[row]
    account = sessions.account[session]
    event_type = events.event_type[row]
    columns = {
        "event_id": _lookup(event_ids, row),
        "session_id": _lookup(session_ids, session),
        "account_id": _lookup(world.accounts.account_id, account),
        "profile_id": _lookup(world.profiles.profile_id, sessions.profile[session]),
        "title_id": _lookup(world.titles.title_id, sessions.title[session]),
        "event_type": _lookup(np.array(PLAYBACK_EVENT_TYPES), event_type),
        "position_ms": pa.array(events.position_ms[row]),
        # The player has no stream yet when it reports `start`.
        "bitrate_kbps": pa.array(events.bitrate_kbps[row], mask=event_type == START),
        "device": _lookup(np.array(DEVICES), sessions.device[session]),
        "os": _lookup(sessions.os, session),
        "app_version": _lookup(sessions.app_version, session),
        "cdn": _lookup(np.array(CDNS), sessions.cdn[session]),
        "country": _lookup(world.accounts.country, account),
        "client_ts": _iso_ms(events.client_ms[row]),
        "enqueued_time": _iso_ms(stream.enqueued_ms),
        "partition": pa.array(stream.partition),
        "sequence_number": pa.array(stream.sequence_number),
    }
    assert list(columns) == EVENTS.column_names, "columns must follow the contract's order"
    return columns


class _LineBreaker:
    """Turns a clean line into the broken line a faulty player or SDK would send."""

    MISSING = ("session_id", "account_id", "title_id", "event_type", "position_ms", "client_ts")
    INVALID_ENUMS = (
        ("event_type", "rewind"),
        ("event_type", "fast_forward"),
        ("device", "fridge"),
        ("device", "smartwatch"),
        ("cdn", "limelight"),
    )

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        self._rng = rng
        self._known_accounts = set(world.accounts.account_id.tolist())
        self._known_titles = set(world.titles.title_id.tolist())

    def break_line(self, line: str, kind: str) -> str:
        if kind == "malformed":
            # Cut before the closing brace: the capture received half an event.
            return line[: int(self._rng.integers(len(line) // 3, len(line) - 1))]
        row = json.loads(line)
        getattr(self, f"_{kind}")(row)
        return json.dumps(row, separators=(",", ":"))

    def _missing_required(self, row: dict) -> None:
        field = self.MISSING[self._rng.integers(len(self.MISSING))]
        if self._rng.random() < 0.5:
            del row[field]
        else:
            row[field] = None

    def _bad_type(self, row: dict) -> None:
        choice = self._rng.integers(3 if row["bitrate_kbps"] is not None else 2)
        if choice == 0:
            digits = str(row["position_ms"])
            at = int(self._rng.integers(len(digits)))
            row["position_ms"] = f"{digits[:at]}o{digits[at + 1 :]}"
        elif choice == 1:
            row["client_ts"] = "not a time"
        else:
            row["bitrate_kbps"] = f"{row['bitrate_kbps'] / 1000:g}Mbps"

    def _invalid_enum(self, row: dict) -> None:
        field, value = self.INVALID_ENUMS[self._rng.integers(len(self.INVALID_ENUMS))]
        row[field] = value

    def _orphan_reference(self, row: dict) -> None:
        if self._rng.random() < 0.5:
            row["account_id"] = self._unknown(lambda: f"A{self._rng.integers(1, 10**7):07d}", self._known_accounts)
        else:
            row["title_id"] = self._unknown(
                lambda: (
                    f"s{self._rng.integers(1, 10**5)}"
                    if self._rng.random() < 0.7
                    else f"FO{self._rng.integers(1, 10**5):05d}"
                ),
                self._known_titles,
            )

    def _future_timestamp(self, row: dict) -> None:
        # A device clock hours or days fast: the event claims to happen after the broker received it.
        enqueued = datetime.strptime(row["enqueued_time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        skewed = enqueued + timedelta(hours=float(self._rng.uniform(1.0, 96.0)))
        row["client_ts"] = skewed.strftime("%Y-%m-%dT%H:%M:%S.") + f"{skewed.microsecond // 1000:03d}Z"

    @staticmethod
    def _unknown(draw: Callable[[], str], known: set[str]) -> str:
        candidate = draw()
        while candidate in known:
            candidate = draw()
        return candidate


# ---- helpers -------------------------------------------------------------------------------


def _lookup(values: np.ndarray, index: np.ndarray) -> pa.Array:
    return pc.take(pa.array(values, type=pa.string()), pa.array(index))


_TWO_DIGITS = np.frombuffer("".join(f"{i:02d}" for i in range(100)).encode("ascii"), dtype=np.uint8).reshape(100, 2)
_THREE_DIGITS = np.frombuffer("".join(f"{i:03d}" for i in range(1000)).encode("ascii"), dtype=np.uint8).reshape(1000, 3)


def _iso_ms(epoch_ms: np.ndarray) -> pa.Array:
    """`2026-10-01T19:04:05.123Z` strings, the contract's playback timestamp format.

    Built as a byte matrix from digit tables: formatting a million timestamps
    one by one (or with `np.char`) would take longer than the rest of the writer.
    """
    day, ms_of_day = np.divmod(epoch_ms, MS_PER_DAY)
    first_day = int(day.min(initial=0))
    dates = np.datetime_as_string(np.arange(first_day, int(day.max(initial=0)) + 1).astype("datetime64[D]"), unit="D")
    text = np.empty((len(epoch_ms), 24), dtype=np.uint8)
    text[:, :10] = dates.astype("S10").view(np.uint8).reshape(-1, 10)[day - first_day]
    seconds, millis = np.divmod(ms_of_day, MS_PER_SECOND)
    text[:, 11:13] = _TWO_DIGITS[seconds // 3600]
    text[:, 14:16] = _TWO_DIGITS[seconds // 60 % 60]
    text[:, 17:19] = _TWO_DIGITS[seconds % 60]
    text[:, 20:23] = _THREE_DIGITS[millis]
    text[:, [10, 13, 16, 19, 23]] = np.frombuffer(b"T::.Z", dtype=np.uint8)
    offsets = np.arange(0, 24 * (len(epoch_ms) + 1), 24, dtype=np.int32)
    return pa.StringArray.from_buffers(len(epoch_ms), pa.py_buffer(offsets), pa.py_buffer(text))


def _heartbeat_count(played_ms: np.ndarray) -> np.ndarray:
    """Heartbeats fall on every full minute of playback strictly before its end."""
    return np.maximum(np.ceil(played_ms / HEARTBEAT_MS) - 1, 0).astype(np.int64)


def _normalised(weights: Sequence[float] | np.ndarray) -> np.ndarray:
    weights = np.asarray(weights, dtype=np.float64)
    return weights / weights.sum()


def _group_starts(group: np.ndarray) -> np.ndarray:
    """For rows sorted by group: the index of the first row of each row's group."""
    index = np.arange(len(group))
    is_first = np.r_[True, group[1:] != group[:-1]] if len(group) else np.zeros(0, dtype=bool)
    return np.maximum.accumulate(np.where(is_first, index, 0))


def _group_first_rows(group: np.ndarray, n_groups: int) -> np.ndarray:
    """For rows sorted by group: the first row of every group id 0..n_groups-1."""
    return np.searchsorted(group, np.arange(n_groups))


def _grouped_cumsum(values: np.ndarray, group_start: np.ndarray) -> np.ndarray:
    """Running total within each group of consecutive rows."""
    total = np.cumsum(values)
    return total - total[group_start] + values[group_start]


def _strictly_increasing(group: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Bump ties forward a millisecond at a time so that a session's events never share a timestamp."""
    values = values.copy()
    while True:
        tied = np.flatnonzero((group[1:] == group[:-1]) & (values[1:] <= values[:-1])) + 1
        if len(tied) == 0:
            return values
        values[tied] = values[tied - 1] + 1


def _take(frame: T, rows: slice | np.ndarray) -> T:
    """The same rows of every column of a frame of equal-length arrays."""
    return replace(frame, **{f.name: getattr(frame, f.name)[rows] for f in fields(frame)})


def _concat_sessions(parts: list[tuple[_Sessions, _Interrupts]]) -> tuple[_Sessions, _Interrupts]:
    """Stack session plans, renumbering interrupts to the stacked session rows."""
    sessions: list[_Sessions] = []
    interrupts: list[_Interrupts] = []
    offset = 0
    for part_sessions, part_interrupts in parts:
        sessions.append(part_sessions)
        interrupts.append(replace(part_interrupts, session=part_interrupts.session + offset))
        offset += len(part_sessions.start_ms)
    return _stack(sessions), _stack(interrupts)


def _stack(frames: list[T]) -> T:
    first = frames[0]
    return replace(
        first, **{f.name: np.concatenate([getattr(frame, f.name) for frame in frames]) for f in fields(first)}
    )
