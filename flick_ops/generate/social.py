"""The social listening vendor's mentions: posts naming a title in free text, landed one file per day.

Posts name titles the way people type them: lower case, shouting, no
punctuation, doubled spaces, a hashtag, a "(2021)" suffix. A few talk about
titles Flick does not carry at all. Buzz follows popularity, and sentiment
follows the same latent title quality as review scores and thumbs.
"""

from __future__ import annotations

import numpy as np

from flick_ops.generate.entities import (
    COUNTRIES,
    COUNTRY_CODES,
    derived_rng,
    iso_timestamps,
    local_evening_seconds,
    title_names,
    title_quality,
    window_seconds,
)
from flick_ops.generate.io import Faults, Landing, land_jsonl, set_to
from flick_ops.generate.summary import EntityStats
from flick_ops.generate.world import World
from flick_ops.lake.contract import entity

PLATFORM_SHARES = {"x": 0.3, "instagram": 0.15, "tiktok": 0.2, "reddit": 0.12, "youtube": 0.15, "facebook": 0.08}
# Typical post length (median characters) and hard limit per platform.
POST_LENGTH = {"x": (90, 280), "instagram": (140, 2200), "tiktok": (60, 2200), "reddit": (320, 40000)}
POST_LENGTH |= {"youtube": (110, 10000), "facebook": (160, 63206)}
OFF_CATALOG_SHARE = 0.03  # posts about titles Flick does not carry
MENTIONS_PER_PLAYBACK_EVENT = 0.1
FIRST_MENTION_ID = 1_840_000_000_000_000_000


def write_social(world: World, landing: Landing) -> list[EntityStats]:
    rng = derived_rng(world.config, "social")
    titles = world.titles
    day = _mention_days(world, rng)
    n = len(day)

    off_catalog = rng.random(n) < OFF_CATALOG_SHARE
    title = rng.choice(len(titles.title_id), size=n, p=titles.popularity)
    others = _off_catalog_names(world, rng)
    name = np.where(off_catalog, others[rng.integers(0, len(others), n)], titles.name[title])
    year = np.where(off_catalog, rng.integers(1995, world.config.start_date.year + 1, n), titles.release_year[title])
    title_text = _as_typed(name, year, rng)
    release_year = np.where(rng.random(n) < 0.65, year, None)

    platform_index = rng.choice(len(PLATFORM_SHARES), n, p=list(PLATFORM_SHARES.values()))
    platform = np.array(list(PLATFORM_SHARES))[platform_index]
    weights = np.array([c.weight for c in COUNTRIES])
    poster_country = COUNTRY_CODES[rng.choice(len(COUNTRIES), n, p=weights)]
    posted_at = window_seconds(world.config, day, local_evening_seconds(rng, poster_country))

    median, limit = np.array([POST_LENGTH[p] for p in PLATFORM_SHARES]).T[:, platform_index]
    text_length = np.clip(np.rint(rng.lognormal(np.log(median), 0.6)), np.char.str_len(title_text) + 1, limit)

    quality = np.where(off_catalog, 0.0, title_quality(world)[title])
    sentiment = np.round(np.tanh(0.45 * quality + rng.normal(0.1, 0.55, n)), 3)
    likes = np.floor(rng.lognormal(1.5, 1.8, n) * np.where(platform == "tiktok", 4.0, 1.0)).astype(np.int64)
    shares = rng.binomial(likes, 0.08)

    rows = np.lexsort((title_text, posted_at, day))
    # The vendor's ids grow with time, like the platforms' snowflake ids.
    mention_id = FIRST_MENTION_ID + np.cumsum(rng.integers(1, 10**9, n))
    columns = {
        "mention_id": mention_id.astype(str),
        "platform": platform[rows],
        "title_text": title_text[rows],
        "release_year": release_year[rows].tolist(),
        "posted_at": iso_timestamps(posted_at[rows]),
        "text_length": text_length[rows].astype(np.int64),
        "sentiment_score": sentiment[rows],
        "likes": likes[rows],
        "shares": shares[rows],
    }
    faults = Faults(
        required=("mention_id", "platform", "title_text", "posted_at", "text_length", "sentiment_score", "likes"),
        mutations={
            "bad_type": (
                set_to("likes", "1.2K", "3,4k"),
                set_to("sentiment_score", "positive", "neg"),
                set_to("posted_at", "2 hours ago", "Oct 3"),
            ),
            "invalid_enum": (set_to("platform", "twitter", "threads", "X"),),
        },
    )
    return [land_jsonl(landing, entity("social", "mentions"), day[rows], columns, faults, rng)]


def _mention_days(world: World, rng: np.random.Generator) -> np.ndarray:
    """Ingest day of each mention: busier at weekends, scaled to the playback volume."""
    config = world.config
    weekday = np.array([d.weekday() for d in config.dates()])
    rhythm = np.where(weekday >= 5, 1.25, 1.0)
    per_day = rng.poisson(MENTIONS_PER_PLAYBACK_EVENT * config.events_per_day * rhythm)
    return np.repeat(np.arange(config.days), per_day)


def _off_catalog_names(world: World, rng: np.random.Generator) -> np.ndarray:
    """Plausible titles that are not in Flick's catalog."""
    candidates = title_names(len(world.titles.name) + 200, rng)
    return candidates[~np.isin(candidates, world.titles.name)][:200]


def _as_typed(name: np.ndarray, year: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """How people write a title: a mix of case, punctuation, spacing, hashtags and year suffixes."""
    style = rng.choice(7, size=len(name), p=[0.4, 0.2, 0.05, 0.1, 0.1, 0.1, 0.05])
    no_punctuation = name
    for mark in (":", "'", ",", "!", "?"):
        no_punctuation = np.char.replace(no_punctuation, mark, "")
    hashtag = np.char.add("#", np.char.replace(np.char.replace(no_punctuation, " ", ""), "-", ""))
    spaced = np.char.add(np.char.add(" ", np.char.replace(name, " ", "  ")), " ")
    with_year = np.char.add(np.char.add(np.char.add(name, " ("), year.astype(str)), ")")
    return np.choose(
        style, [name, np.char.lower(name), np.char.upper(name), no_punctuation, spaced, with_year, hashtag]
    )
