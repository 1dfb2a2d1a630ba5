"""Draw the simulated world (accounts, profiles, titles) and the helpers every writer shares.

Every random draw comes from a numpy Generator derived from the config's seed
and a stream name (``derived_rng``). Each source writer takes its own stream,
so a writer's output depends only on the seed and the world, never on which
writer ran first or how many numbers another writer consumed.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date

import numpy as np

from flick_ops.generate import names
from flick_ops.generate.world import Accounts, GeneratorConfig, Profiles, Titles, World

SECONDS_PER_DAY = 86_400
NEVER = 1_000_000  # churn_day of an account that does not churn: later than any window


@dataclass(frozen=True)
class Country:
    code: str
    name: str  # as the vendor catalog spells it
    weight: float  # share of subscribers
    currency: str
    utc_offset_hours: int  # of the main population centre; viewing peaks in local evening
    name_pool: str  # key into names.FIRST_NAMES / LAST_NAMES


COUNTRIES: tuple[Country, ...] = (
    Country("US", "United States", 0.32, "USD", -5, "en"),
    Country("BR", "Brazil", 0.09, "BRL", -3, "pt"),
    Country("GB", "United Kingdom", 0.08, "GBP", 0, "en"),
    Country("DE", "Germany", 0.06, "EUR", 1, "de"),
    Country("FR", "France", 0.05, "EUR", 1, "fr"),
    Country("MX", "Mexico", 0.06, "MXN", -6, "es"),
    Country("CA", "Canada", 0.05, "CAD", -5, "en"),
    Country("IN", "India", 0.07, "INR", 5, "in"),
    Country("JP", "Japan", 0.04, "JPY", 9, "jp"),
    Country("KR", "South Korea", 0.04, "KRW", 9, "kr"),
    Country("ES", "Spain", 0.04, "EUR", 1, "es"),
    Country("AU", "Australia", 0.04, "AUD", 10, "en"),
    Country("IT", "Italy", 0.03, "EUR", 1, "en"),
    Country("NL", "Netherlands", 0.03, "EUR", 1, "de"),
)
COUNTRY_CODES = np.array([c.code for c in COUNTRIES])
COUNTRY_NAMES = np.array([c.name for c in COUNTRIES])

PLAN_SHARES = {"basic": 0.30, "standard": 0.45, "premium": 0.25}
PROFILES_PER_ACCOUNT_WEIGHTS = (0.28, 0.27, 0.22, 0.14, 0.09)  # 1..5 profiles
MONTHLY_CHURN = 0.03
DAILY_SIGNUP_SHARE = 0.004  # new accounts per day, as a share of the subscriber base


def derived_rng(config: GeneratorConfig, stream: str) -> np.random.Generator:
    """A Generator for one named stream of draws, fixed by the seed and the name alone."""
    return np.random.default_rng([config.seed, zlib.crc32(stream.encode("utf-8"))])


def build_world(config: GeneratorConfig) -> World:
    rng = derived_rng(config, "world")
    accounts = _draw_accounts(config, rng)
    return World(
        config=config,
        rng=derived_rng(config, "shared"),
        accounts=accounts,
        profiles=_draw_profiles(accounts, rng),
        titles=_draw_titles(config, rng),
    )


def _draw_accounts(config: GeneratorConfig, rng: np.random.Generator) -> Accounts:
    n = config.accounts
    weights = np.array([c.weight for c in COUNTRIES])
    country = COUNTRY_CODES[rng.choice(len(COUNTRIES), size=n, p=weights / weights.sum())]

    # Most of the base signed up before the window (tenure roughly exponential,
    # a little over a year on average); a trickle signs up during it.
    in_window = rng.random(n) < min(0.5, DAILY_SIGNUP_SHARE * config.days)
    tenure_days = np.minimum(rng.exponential(420.0, n).astype(np.int64) + 1, 3000)
    signup_day = np.where(in_window, rng.integers(0, config.days, n), -tenure_days)

    # Churners cancel on a day after signup inside the window.
    window_churn = 1.0 - (1.0 - MONTHLY_CHURN) ** (config.days / 30.0)
    first_possible = np.maximum(signup_day, 0) + 1
    can_churn = first_possible < config.days
    churns = can_churn & (rng.random(n) < window_churn)
    churn_on = first_possible + np.floor(rng.random(n) * np.maximum(config.days - first_possible, 1)).astype(np.int64)
    churn_day = np.where(churns, churn_on, NEVER)

    # Viewing intensity is heavy-tailed: a few households watch most of the hours.
    activity = rng.lognormal(mean=0.0, sigma=1.1, size=n)
    plans = np.array(list(PLAN_SHARES))
    return Accounts(
        account_id=np.char.add("A", np.char.zfill(np.arange(1, n + 1).astype(str), 7)),
        country=country,
        signup_day=signup_day.astype(np.int64),
        churn_day=churn_day.astype(np.int64),
        activity=activity / activity.sum(),
        plan_id=plans[rng.choice(len(plans), size=n, p=list(PLAN_SHARES.values()))],
    )


def _draw_profiles(accounts: Accounts, rng: np.random.Generator) -> Profiles:
    n_accounts = len(accounts.account_id)
    per_account = rng.choice(5, size=n_accounts, p=PROFILES_PER_ACCOUNT_WEIGHTS) + 1
    account_index = np.repeat(np.arange(n_accounts), per_account)
    # The first profile is the account holder's; later ones are a kids profile a quarter of the time.
    first_of_account = np.r_[0, np.cumsum(per_account)[:-1]]
    is_first = np.zeros(len(account_index), dtype=bool)
    is_first[first_of_account] = True
    is_kids = ~is_first & (rng.random(len(account_index)) < 0.25)
    return Profiles(
        profile_id=np.char.add("P", np.char.zfill(np.arange(1, len(account_index) + 1).astype(str), 8)),
        account_index=account_index,
        is_kids=is_kids,
    )


def title_counts(config: GeneratorConfig) -> tuple[int, int]:
    """Vendor titles and studio originals for a run: about the public catalog's size at full scale."""
    vendor = int(np.clip(2 * config.accounts, 300, 6000))
    return vendor, max(12, vendor // 40)


def _draw_titles(config: GeneratorConfig, rng: np.random.Generator) -> Titles:
    n_vendor, n_originals = title_counts(config)
    n = n_vendor + n_originals
    is_original = np.arange(n) >= n_vendor
    is_series = np.where(is_original, rng.random(n) < 0.5, rng.random(n) < 0.3)

    # Catalog years lean recent, like the public catalog; originals are 2019 onwards.
    last_year = config.start_date.year
    vendor_year = last_year - np.minimum(rng.exponential(6.0, n).astype(np.int64), last_year - 1950)
    original_year = rng.integers(2019, last_year + 1, n)
    release_year = np.where(is_original, original_year, vendor_year)

    movie_minutes = np.clip(np.rint(rng.normal(108.0, 11.0, n)), 90, 130)
    episode_minutes = np.where(rng.random(n) < 0.4, rng.integers(25, 35, n), rng.integers(40, 61, n))
    runtime_min = np.where(is_series, episode_minutes, movie_minutes).astype(np.int64)

    # Zipf over a random ranking; originals and recent releases get a push from the home page.
    rank = rng.permutation(n) + 1
    recency = np.exp(-(last_year - release_year) / 3.0)
    popularity = rank**-0.9 * (1.0 + 2.0 * is_original + recency)
    vendor_ids = np.char.add("s", np.arange(1, n_vendor + 1).astype(str))
    original_ids = np.char.add("FO", np.char.zfill(np.arange(1, n_originals + 1).astype(str), 5))
    return Titles(
        title_id=np.concatenate([vendor_ids, original_ids]),
        name=title_names(n, rng),
        release_year=release_year.astype(np.int64),
        is_series=is_series,
        runtime_min=runtime_min,
        popularity=popularity / popularity.sum(),
        is_original=is_original,
    )


def title_names(n: int, rng: np.random.Generator) -> np.ndarray:
    """Distinct, plausible titles: a mix of patterns, so that punctuation and articles vary."""
    size = 3 * n + 200
    adjective = np.array(names.TITLE_ADJECTIVES)[rng.integers(0, len(names.TITLE_ADJECTIVES), size)]
    noun = np.array(names.TITLE_NOUNS)[rng.integers(0, len(names.TITLE_NOUNS), size)]
    other_noun = np.array(names.TITLE_NOUNS)[rng.integers(0, len(names.TITLE_NOUNS), size)]
    place = np.array(names.TITLE_PLACES)[rng.integers(0, len(names.TITLE_PLACES), size)]
    subtitle = np.array(names.TITLE_SUBTITLES)[rng.integers(0, len(names.TITLE_SUBTITLES), size)]
    number = np.array(names.NUMBER_WORDS)[rng.integers(0, len(names.NUMBER_WORDS), size)]
    first = np.array(names.FIRST_NAMES["en"] + names.FIRST_NAMES["es"])[rng.integers(0, 40, size)]
    patterns = [
        _join("The ", adjective, " ", noun),
        _join(adjective, " ", noun),
        _join(noun, " of ", place),
        _join(first, "'s ", noun),
        _join(adjective, " ", noun, ": ", subtitle),
        _join(number, " ", _plural(noun)),
        _join("The ", noun, " and the ", other_noun),
        _join(place, " ", noun),
    ]
    choice = rng.choice(len(patterns), size=size, p=(0.2, 0.18, 0.12, 0.1, 0.1, 0.08, 0.1, 0.12))
    candidates = np.choose(choice, patterns)
    _, first_seen = np.unique(candidates, return_index=True)
    distinct = candidates[np.sort(first_seen)]
    if len(distinct) < n:
        raise ValueError(f"cannot draw {n} distinct titles from the word lists; got {len(distinct)}")
    return distinct[:n]


def _plural(nouns: np.ndarray) -> np.ndarray:
    stem = np.char.rstrip(nouns, "y")
    return np.where(
        np.char.endswith(nouns, "y"),
        np.char.add(stem, "ies"),
        np.where(np.char.endswith(nouns, "s"), np.char.add(nouns, "es"), np.char.add(nouns, "s")),
    )


def _join(*parts: np.ndarray | str) -> np.ndarray:
    joined = np.asarray(parts[0]).astype(str)
    for part in parts[1:]:
        joined = np.char.add(joined, part)
    return joined


# ---- helpers shared by the source writers -------------------------------------------------


def epoch_day(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def window_seconds(config: GeneratorConfig, day_index: np.ndarray, second_of_day: np.ndarray) -> np.ndarray:
    """Seconds since the epoch for a day index relative to start_date and a second of that day."""
    return (epoch_day(config.start_date) + day_index.astype(np.int64)) * SECONDS_PER_DAY + second_of_day


def iso_timestamps(epoch_seconds: np.ndarray) -> np.ndarray:
    """`2026-10-01T19:04:05Z` strings, the contract's timestamp format."""
    text = np.datetime_as_string(epoch_seconds.astype("datetime64[s]"), unit="s")
    return np.char.add(text, "Z")


def iso_dates(epoch_days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(epoch_days.astype("datetime64[D]"), unit="D")


def uuids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random version-4 UUID strings, built column-wise rather than one `uuid4()` call per row."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    hex_digits = np.frombuffer(raw.tobytes().hex().encode("ascii"), dtype=np.uint8).reshape(n, 32)
    dashed = np.full((n, 36), ord("-"), dtype=np.uint8)
    for start, stop, offset in ((0, 8, 0), (8, 12, 1), (12, 16, 2), (16, 20, 3), (20, 32, 4)):
        dashed[:, start + offset : stop + offset] = hex_digits[:, start:stop]
    return dashed.view("S36").ravel().astype(str)


def country_index(codes: np.ndarray) -> np.ndarray:
    """Row of each country code in COUNTRIES."""
    order = np.argsort(COUNTRY_CODES)
    return order[np.searchsorted(COUNTRY_CODES[order], codes)]


def local_evening_seconds(rng: np.random.Generator, countries: np.ndarray) -> np.ndarray:
    """UTC second of day for activity that peaks in the local evening of each country.

    The shift to UTC wraps inside the same UTC day, so a row keeps the ingest
    day it was drawn for.
    """
    n = len(countries)
    local_hour = np.where(
        rng.random(n) < 0.65,
        rng.normal(20.5, 2.0, n),
        np.where(rng.random(n) < 0.6, rng.normal(13.0, 3.0, n), rng.uniform(0.0, 24.0, n)),
    )
    offset_hours = np.array([c.utc_offset_hours for c in COUNTRIES])[country_index(countries)]
    return np.mod(np.rint((local_hour - offset_hours) * 3600.0).astype(np.int64), SECONDS_PER_DAY)


def title_quality(world: World) -> np.ndarray:
    """A latent quality per title (standard normal), shared by reviews and social sentiment so they agree."""
    rng = derived_rng(world.config, "title_quality")
    quality = rng.normal(0.0, 1.0, len(world.titles.title_id))
    # Popular titles are, on average, somewhat better liked.
    log_pop = np.log(world.titles.popularity)
    return quality + 0.35 * (log_pop - log_pop.mean()) / log_pop.std()


def active_on(world: World, day_index: int) -> np.ndarray:
    """Accounts subscribed on a day of the window: signed up on or before it and not yet churned."""
    accounts = world.accounts
    return (accounts.signup_day <= day_index) & (accounts.churn_day > day_index)
