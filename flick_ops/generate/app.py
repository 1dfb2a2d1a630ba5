"""The app database's daily extracts: accounts, profiles, subscription events, ratings, watchlist adds.

The first day's accounts and profiles files are the initial load (every
account and profile that exists by then); later files hold what was created
or changed that day. Billing follows the subscription: a start at signup, a
payment every month on the signup anniversary, plan changes, and a cancel for
every churner.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flick_ops.generate import names
from flick_ops.generate.entities import (
    COUNTRIES,
    NEVER,
    SECONDS_PER_DAY,
    active_on,
    country_index,
    derived_rng,
    epoch_day,
    iso_timestamps,
    local_evening_seconds,
    title_quality,
    uuids,
    window_seconds,
)
from flick_ops.generate.io import Faults, Landing, Mutation, land_jsonl, set_to
from flick_ops.generate.summary import EntityStats
from flick_ops.generate.world import World
from flick_ops.lake.contract import entity

PLANS = ("basic", "standard", "premium")
# Monthly price per plan (basic, standard, premium) in each billing currency.
PLAN_PRICES: dict[str, tuple[float, float, float]] = {
    "USD": (7.99, 13.99, 19.99),
    "CAD": (9.99, 17.99, 23.99),
    "EUR": (6.99, 12.99, 18.99),
    "GBP": (5.99, 10.99, 17.99),
    "BRL": (25.90, 44.90, 59.90),
    "MXN": (119.0, 219.0, 299.0),
    "INR": (199.0, 499.0, 649.0),
    "JPY": (990.0, 1490.0, 1980.0),
    "KRW": (9500.0, 13500.0, 17000.0),
    "AUD": (10.99, 18.99, 25.99),
}
DAILY_LOGIN_CHANGE = 0.03  # share of active accounts whose login IP changes on a day
SUSPENDED_SHARE = 0.005
PLAN_CHANGE_SHARE = 0.04
RATINGS_PER_ACTIVE_ACCOUNT_DAY = 0.12
WATCHLIST_ADDS_PER_ACTIVE_ACCOUNT_DAY = 0.25


@dataclass(frozen=True)
class _Subscriptions:
    """Per account: when it signed up and how its plan moved during the window."""

    signup_at: np.ndarray  # epoch seconds
    changes_plan: np.ndarray  # bool: the plan changes once during the window
    change_at: np.ndarray  # epoch seconds of that change, or a far-future sentinel
    new_plan: np.ndarray  # plan index after the change
    churn_at: np.ndarray  # epoch seconds of the cancel, or a far-future sentinel
    suspend_at: np.ndarray  # epoch seconds a failed payment suspended the account, or a far-future sentinel


def write_app(world: World, landing: Landing) -> list[EntityStats]:
    rng = derived_rng(world.config, "app")
    subscriptions = _subscriptions(world, rng)
    return [
        _write_accounts(world, landing, subscriptions, rng),
        _write_profiles(world, landing, subscriptions, rng),
        _write_subscription_events(world, landing, subscriptions, rng),
        _write_ratings(world, landing, rng),
        _write_watchlist_adds(world, landing, rng),
    ]


def _subscriptions(world: World, rng: np.random.Generator) -> _Subscriptions:
    config, accounts = world.config, world.accounts
    n = len(accounts.account_id)
    signup_at = window_seconds(config, accounts.signup_day, local_evening_seconds(rng, accounts.country))
    never = window_seconds(config, np.full(n, NEVER), np.zeros(n, np.int64))

    # One plan change at most, on a day between signup (or the window start) and churn.
    first_day = np.maximum(accounts.signup_day, 0) + 1
    last_day = np.minimum(accounts.churn_day, config.days)
    changes = (first_day < last_day) & (rng.random(n) < PLAN_CHANGE_SHARE)
    change_day = first_day + np.floor(rng.random(n) * np.maximum(last_day - first_day, 1)).astype(np.int64)
    change_at = np.where(changes, window_seconds(config, change_day, rng.integers(0, SECONDS_PER_DAY, n)), never)
    plan = _plan_index(world)
    step = np.where(plan == 0, 1, np.where(plan == 2, -1, rng.choice([-1, 1], n)))

    # The last second of a day is left free for the account's closing version one second later.
    churns = accounts.churn_day < NEVER
    churn_at = np.where(
        churns, window_seconds(config, accounts.churn_day, rng.integers(0, SECONDS_PER_DAY - 1, n)), never
    )

    # A few accounts that never churn are suspended after a failed payment and stop paying.
    suspends = ~churns & (first_day < config.days) & (rng.random(n) < SUSPENDED_SHARE)
    suspend_day = first_day + np.floor(rng.random(n) * np.maximum(config.days - first_day, 0)).astype(np.int64)
    suspend_at = np.where(suspends, window_seconds(config, suspend_day, rng.integers(0, SECONDS_PER_DAY, n)), never)
    return _Subscriptions(
        signup_at=signup_at,
        changes_plan=changes,
        change_at=change_at,
        new_plan=plan + step,
        churn_at=churn_at,
        suspend_at=suspend_at,
    )


def _plan_index(world: World) -> np.ndarray:
    order = np.argsort(PLANS)
    return order[np.searchsorted(np.array(PLANS)[order], world.accounts.plan_id)]


def _day_of(world: World, epoch_seconds: np.ndarray) -> np.ndarray:
    return epoch_seconds // SECONDS_PER_DAY - epoch_day(world.config.start_date)


def _sorted(day: np.ndarray, ts: np.ndarray, ids: np.ndarray) -> np.ndarray:
    return np.lexsort((ids, ts, day))


# ---- accounts ---------------------------------------------------------------------------


def _write_accounts(world: World, landing: Landing, subs: _Subscriptions, rng: np.random.Generator) -> EntityStats:
    config, accounts = world.config, world.accounts
    n = len(accounts.account_id)
    first, last = _person_names(accounts.country, rng)
    email_domain = np.array(names.EMAIL_DOMAINS)[rng.choice(len(names.EMAIL_DOMAINS), n)]
    sequence = np.arange(1, n + 1).astype(str)
    email = np.char.lower(np.char.add(np.char.add(np.char.add(np.char.add(first, "."), last), sequence), "@"))
    email = np.char.add(email, email_domain)
    full_name = np.where(rng.random(n) < 0.08, None, np.char.add(np.char.add(first, " "), last)).astype(object)

    # Versions: the initial load, signups, login changes, suspensions and closures.
    window_start = window_seconds(config, np.zeros(n, np.int64), np.zeros(n, np.int64))
    last_edit = subs.signup_at + (rng.random(n) * np.maximum(window_start - subs.signup_at, 0)).astype(np.int64)
    version_account = [np.arange(n)]
    version_at = [np.where(accounts.signup_day < 0, last_edit, subs.signup_at)]
    new_ip = [np.ones(n, dtype=bool)]
    for day in range(1, config.days):
        logs_in = active_on(world, day) & (accounts.signup_day < day) & (rng.random(n) < DAILY_LOGIN_CHANGE)
        who = np.flatnonzero(logs_in)
        version_account.append(who)
        version_at.append(
            window_seconds(config, np.full(len(who), day), local_evening_seconds(rng, accounts.country[who]))
        )
        new_ip.append(np.ones(len(who), dtype=bool))
    suspends = subs.suspend_at < subs.churn_at  # only accounts that never churn are suspended
    churns = accounts.churn_day < NEVER
    for changed, at in ((suspends, subs.suspend_at), (churns, subs.churn_at + 1)):
        version_account.append(np.flatnonzero(changed))
        version_at.append(at[changed])
        new_ip.append(np.zeros(changed.sum(), dtype=bool))

    account = np.concatenate(version_account)
    updated_at = np.concatenate(version_at)
    order = np.lexsort((updated_at, account))
    account, updated_at, new_ip_at = account[order], updated_at[order], np.concatenate(new_ip)[order]
    keep = np.r_[True, (np.diff(account) != 0) | (np.diff(updated_at) != 0)]
    account, updated_at, new_ip_at = account[keep], updated_at[keep], new_ip_at[keep]

    # The IP of a version is the one set by the latest login version before it (same account, sorted by time).
    ips = _ipv4(len(account), rng)
    ip_source = np.maximum.accumulate(np.where(new_ip_at, np.arange(len(account)), 0))
    last_login_ip = np.where(rng.random(len(account)) < 0.05, None, ips[ip_source]).astype(object)
    status = np.where(
        updated_at > subs.churn_at[account],
        "closed",
        np.where(updated_at >= subs.suspend_at[account], "suspended", "active"),
    )

    day = np.maximum(_day_of(world, updated_at), 0)
    rows = _sorted(day, updated_at, accounts.account_id[account])
    account, updated_at, day = account[rows], updated_at[rows], day[rows]
    columns = {
        "account_id": accounts.account_id[account],
        "email": email[account],
        "full_name": full_name[account],
        "country": accounts.country[account],
        "signup_at": iso_timestamps(subs.signup_at[account]),
        "status": status[rows],
        "last_login_ip": last_login_ip[rows],
        "updated_at": iso_timestamps(updated_at),
    }
    faults = Faults(
        # The account_id never goes missing: other entities reference it, and an
        # id lost here would turn their clean rows into unplanned orphans.
        required=("email", "country", "signup_at", "status", "updated_at"),
        mutations={
            "bad_type": (set_to("signup_at", "yesterday", "12/10/2026", 1790812800), set_to("country", 840, 76)),
            "invalid_enum": (set_to("status", "paused", "ACTIVE", "deleted"),),
        },
    )
    return land_jsonl(landing, entity("app", "accounts"), day, columns, faults, rng)


def _person_names(countries: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """First and last names from the name pool of each person's country."""
    pools = [c.name_pool for c in COUNTRIES]
    first_table = np.array([names.FIRST_NAMES[pool] for pool in pools])
    last_table = np.array([names.LAST_NAMES[pool] for pool in pools])
    row = country_index(countries)
    n = len(countries)
    return (
        first_table[row, rng.integers(0, first_table.shape[1], n)],
        last_table[row, rng.integers(0, last_table.shape[1], n)],
    )


def _ipv4(n: int, rng: np.random.Generator) -> np.ndarray:
    octets = rng.integers(1, 255, size=(n, 4)).astype(str)
    text = octets[:, 0]
    for i in range(1, 4):
        text = np.char.add(np.char.add(text, "."), octets[:, i])
    return text


# ---- profiles ---------------------------------------------------------------------------


def _write_profiles(world: World, landing: Landing, subs: _Subscriptions, rng: np.random.Generator) -> EntityStats:
    config, accounts, profiles = world.config, world.accounts, world.profiles
    n = len(profiles.profile_id)
    owner = profiles.account_index
    is_first = np.r_[True, np.diff(owner) != 0]
    signup_at = subs.signup_at[owner]
    # Holders of older accounts added family profiles over the first months;
    # new subscribers set the whole household up on the signup day.
    window_start = window_seconds(config, np.zeros(n, np.int64), np.zeros(n, np.int64))
    settle = np.minimum(rng.exponential(20 * SECONDS_PER_DAY, n), np.maximum(window_start - signup_at - 1, 0))
    later = np.where(accounts.signup_day[owner] < 0, settle, rng.integers(60, 3600, n)).astype(np.int64)
    created_at = signup_at + np.where(is_first, rng.integers(5, 60, n), later)
    # A household set up late on the last day finishes before the extract is cut, not after.
    window_end = window_seconds(config, np.full(n, config.days, np.int64), np.zeros(n, np.int64))
    created_at = np.minimum(created_at, window_end - 1)

    first, _ = _person_names(accounts.country[owner], rng)
    kids_name = np.array(names.KIDS_PROFILE_NAMES)[rng.integers(0, len(names.KIDS_PROFILE_NAMES), n)]
    profile_name = np.where(profiles.is_kids, kids_name, first)
    profile_name = np.where(rng.random(n) < 0.03, None, profile_name).astype(object)

    day = np.maximum(_day_of(world, created_at), 0)  # profiles older than the window come in the initial load
    rows = _sorted(day, created_at, profiles.profile_id)
    columns = {
        "profile_id": profiles.profile_id[rows],
        "account_id": accounts.account_id[owner[rows]],
        "profile_name": profile_name[rows],
        "is_kids": profiles.is_kids[rows],
        "created_at": iso_timestamps(created_at[rows]),
    }
    faults = Faults(
        required=("account_id", "is_kids", "created_at"),  # profile_id stays: ratings and playback reference it
        mutations={
            "bad_type": (set_to("is_kids", "yes", "false", 1), set_to("created_at", "2026-10-03 18:22", "today")),
            "orphan_reference": (set_to("account_id", *_unknown_ids("A", 7, len(accounts.account_id))),),
        },
    )
    return land_jsonl(landing, entity("app", "profiles"), day[rows], columns, faults, rng)


def _unknown_ids(prefix: str, digits: int, known: int) -> tuple[str, ...]:
    """Well-formed ids just past the last one issued, so no record carries them."""
    return tuple(f"{prefix}{number:0{digits}d}" for number in range(known + 1, known + 6))


# ---- subscription events -------------------------------------------------------------------


def _write_subscription_events(
    world: World, landing: Landing, subs: _Subscriptions, rng: np.random.Generator
) -> EntityStats:
    accounts = world.accounts
    n = len(accounts.account_id)
    start_plan = _plan_index(world)
    everyone = np.arange(n)

    starts = accounts.signup_day >= 0
    changes = subs.changes_plan
    churns = accounts.churn_day < NEVER
    pay_account, pay_at = _payments(world, subs)

    event_type = np.concatenate(
        [
            np.full(starts.sum(), "start"),
            np.where(subs.new_plan[changes] > start_plan[changes], "upgrade", "downgrade"),
            np.full(churns.sum(), "cancel"),
            np.full(len(pay_account), "payment"),
        ]
    )
    account = np.concatenate([everyone[starts], everyone[changes], everyone[churns], pay_account])
    event_at = np.concatenate([subs.signup_at[starts], subs.change_at[changes], subs.churn_at[churns], pay_at])
    plan = np.where(event_at >= subs.change_at[account], subs.new_plan[account], start_plan[account])
    country = country_index(accounts.country[account])
    currency = np.array([c.currency for c in COUNTRIES])[country]
    amount = np.array([PLAN_PRICES[c.currency] for c in COUNTRIES])[country, plan]
    is_payment = event_type == "payment"

    day = _day_of(world, event_at)
    event_id = uuids(rng, len(account))
    rows = _sorted(day, event_at, event_id)
    columns = {
        "event_id": event_id[rows],
        "account_id": accounts.account_id[account[rows]],
        "event_type": event_type[rows],
        "plan_id": np.array(PLANS)[plan[rows]],
        "amount": np.where(is_payment, amount, None)[rows].tolist(),  # a list, so nulls stay numeric
        "currency": np.where(is_payment, currency, None)[rows],
        "event_ts": iso_timestamps(event_at[rows]),
    }
    faults = Faults(
        required=("event_id", "account_id", "event_type", "plan_id", "event_ts"),
        mutations={
            "bad_type": (set_to("amount", "12,99", "13.99 USD"), set_to("event_ts", "yesterday", 1790812800)),
            "invalid_enum": (
                set_to("plan_id", "platinum", "family"),
                set_to("event_type", "renewal", "refund"),
                set_to("currency", "US$", "EURO"),
            ),
            "orphan_reference": (set_to("account_id", *_unknown_ids("A", 7, n)),),
        },
    )
    return land_jsonl(landing, entity("app", "subscription_events"), day[rows], columns, faults, rng)


def _payments(world: World, subs: _Subscriptions) -> tuple[np.ndarray, np.ndarray]:
    """Monthly charges on the signup anniversary (the month's last day when it is shorter), until churn."""
    config, accounts = world.config, world.accounts
    signup_date = (subs.signup_at // SECONDS_PER_DAY).astype("datetime64[D]")
    signup_dom = (signup_date - signup_date.astype("datetime64[M]")).astype(np.int64) + 1
    time_of_day = subs.signup_at % SECONDS_PER_DAY
    payers, times = [], []
    for day, when in enumerate(config.dates()):
        today = np.datetime64(when, "D")
        month_end = ((today.astype("datetime64[M]") + 1).astype("datetime64[D]") - today).astype(np.int64) == 1
        due = (signup_dom == when.day) | (month_end & (signup_dom > when.day))
        # The billing run charges a few minutes after the anniversary time, never before signup
        # and never past midnight, so a charge lands in its own day's extract.
        at = window_seconds(config, np.full(len(due), day), np.minimum(time_of_day + 120, SECONDS_PER_DAY - 1))
        paying = due & (accounts.signup_day <= day) & (accounts.churn_day > day) & (at < subs.suspend_at)
        payers.append(np.flatnonzero(paying))
        times.append(at[paying])
    return np.concatenate(payers), np.concatenate(times)


# ---- ratings and watchlist adds -------------------------------------------------------------


def _viewer_draws(world: World, per_active_account: float, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Who did something on which title and when: active accounts weighted by activity, titles by popularity."""
    config, accounts, profiles, titles = world.config, world.accounts, world.profiles, world.titles
    first_profile = np.searchsorted(profiles.account_index, np.arange(len(accounts.account_id)))
    profile_count = np.bincount(profiles.account_index, minlength=len(accounts.account_id))
    draws: dict[str, list[np.ndarray]] = {"day": [], "account": [], "profile": [], "title": [], "second": []}
    for day in range(config.days):
        # Accounts that signed up today start rating from tomorrow, so nothing predates the signup.
        eligible = np.flatnonzero(active_on(world, day) & (accounts.signup_day < day))
        count = rng.poisson(per_active_account * len(eligible)) if len(eligible) else 0
        weights = accounts.activity[eligible]
        account = eligible[rng.choice(len(eligible), size=count, p=weights / weights.sum())] if count else eligible[:0]
        draws["day"].append(np.full(count, day))
        draws["account"].append(account)
        draws["profile"].append(first_profile[account] + (rng.random(count) * profile_count[account]).astype(np.int64))
        draws["title"].append(rng.choice(len(titles.title_id), size=count, p=titles.popularity))
        draws["second"].append(local_evening_seconds(rng, accounts.country[account]))
    return {key: np.concatenate(parts) for key, parts in draws.items()}


def _reference_faults(world: World, time_field: str) -> dict[str, tuple[Mutation, ...]]:
    n_vendor = int((~world.titles.is_original).sum())
    n_originals = int(world.titles.is_original.sum())
    return {
        "bad_type": (set_to(time_field, "yesterday", 1790812800123), set_to("title_id", 80192187, 81040344)),
        "orphan_reference": (
            set_to("title_id", *(f"s{n_vendor + k}" for k in range(1, 6)), *_unknown_ids("FO", 5, n_originals)),
            set_to("account_id", *_unknown_ids("A", 7, len(world.accounts.account_id))),
            set_to("profile_id", *_unknown_ids("P", 8, len(world.profiles.profile_id))),
        ),
    }


def _write_ratings(world: World, landing: Landing, rng: np.random.Generator) -> EntityStats:
    draws = _viewer_draws(world, RATINGS_PER_ACTIVE_ACCOUNT_DAY, rng)
    n = len(draws["day"])
    # Better titles get more thumbs up: the same latent quality drives review scores and sentiment.
    taste = title_quality(world)[draws["title"]] + rng.normal(0.0, 1.0, n)
    thumb = np.where(taste < -0.7, "down", np.where(taste > 1.2, "double_up", "up"))
    rated_at = window_seconds(world.config, draws["day"], draws["second"])
    rating_id = uuids(rng, n)
    rows = _sorted(draws["day"], rated_at, rating_id)
    columns = {
        "rating_id": rating_id[rows],
        "account_id": world.accounts.account_id[draws["account"][rows]],
        "profile_id": world.profiles.profile_id[draws["profile"][rows]],
        "title_id": world.titles.title_id[draws["title"][rows]],
        "thumb": thumb[rows],
        "rated_at": iso_timestamps(rated_at[rows]),
    }
    faults = Faults(
        required=("rating_id", "account_id", "profile_id", "title_id", "thumb", "rated_at"),
        mutations={**_reference_faults(world, "rated_at"), "invalid_enum": (set_to("thumb", "meh", "like", "5"),)},
    )
    return land_jsonl(landing, entity("app", "ratings"), draws["day"][rows], columns, faults, rng)


def _write_watchlist_adds(world: World, landing: Landing, rng: np.random.Generator) -> EntityStats:
    draws = _viewer_draws(world, WATCHLIST_ADDS_PER_ACTIVE_ACCOUNT_DAY, rng)
    n = len(draws["day"])
    added_at = window_seconds(world.config, draws["day"], draws["second"])
    event_id = uuids(rng, n)
    rows = _sorted(draws["day"], added_at, event_id)
    columns = {
        "event_id": event_id[rows],
        "account_id": world.accounts.account_id[draws["account"][rows]],
        "profile_id": world.profiles.profile_id[draws["profile"][rows]],
        "title_id": world.titles.title_id[draws["title"][rows]],
        "added_at": iso_timestamps(added_at[rows]),
    }
    faults = Faults(
        required=("event_id", "account_id", "profile_id", "title_id", "added_at"),
        mutations=_reference_faults(world, "added_at"),
    )
    return land_jsonl(landing, entity("app", "watchlist_adds"), draws["day"][rows], columns, faults, rng)
