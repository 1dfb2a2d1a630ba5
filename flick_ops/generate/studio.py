"""The production system's export of Flick Originals: a full export on day 1, then a line per change.

Changes are what a production system sees while shows are on air: a budget
revised after reshoots, a series renewed for another season, a title re-rated.
"""

from __future__ import annotations

import numpy as np

from flick_ops.generate import names
from flick_ops.generate.entities import (
    derived_rng,
    epoch_day,
    iso_dates,
    iso_timestamps,
    window_seconds,
)
from flick_ops.generate.io import Faults, Landing, land_jsonl, set_to
from flick_ops.generate.summary import EntityStats
from flick_ops.generate.world import World
from flick_ops.lake.contract import entity

DAILY_CHANGE_SHARE = 0.02
EXPORT_SECOND = 2 * 3600  # the nightly export runs at 02:00 UTC


def write_studio(world: World, landing: Landing) -> list[EntityStats]:
    rng = derived_rng(world.config, "studio")
    titles = world.titles
    originals = np.flatnonzero(titles.is_original)
    n = len(originals)
    is_series = titles.is_series[originals]

    budget = np.round(np.where(is_series, rng.lognormal(np.log(60e6), 0.6, n), rng.lognormal(np.log(25e6), 0.8, n)), -5)
    seasons = np.where(is_series, rng.choice([1, 2, 3, 4], n, p=[0.5, 0.25, 0.15, 0.1]), 0)
    episodes = seasons * rng.integers(6, 11, n)
    maturity = np.where(
        is_series,
        np.array(names.TV_RATINGS)[rng.choice(len(names.TV_RATINGS), n, p=names.TV_RATING_WEIGHTS)],
        np.array(names.MOVIE_RATINGS)[rng.choice(len(names.MOVIE_RATINGS), n, p=names.MOVIE_RATING_WEIGHTS)],
    )
    genres = _genres(n, rng)
    release_date = _release_dates(world, originals, rng)

    # Day 0 carries every original (the full export); each later day the originals that changed.
    version_of, version_day = [np.arange(n)], [np.zeros(n, np.int64)]
    state = {"budget": [budget], "seasons": [seasons], "episodes": [episodes], "maturity": [maturity]}
    for day in range(1, world.config.days):
        changed = np.flatnonzero(rng.random(n) < DAILY_CHANGE_SHARE)
        budget, seasons, episodes, maturity = _change(changed, is_series, budget, seasons, episodes, maturity, rng)
        version_of.append(changed)
        version_day.append(np.full(len(changed), day))
        for key, values in zip(state, (budget, seasons, episodes, maturity), strict=True):
            state[key].append(values[changed])
    original = np.concatenate(version_of)
    day = np.concatenate(version_day)
    seconds = np.where(day == 0, EXPORT_SECOND, rng.integers(8 * 3600, 19 * 3600, len(day)))
    updated_at = window_seconds(world.config, day, seconds)
    versions = {key: np.concatenate(parts) for key, parts in state.items()}

    rows = np.lexsort((titles.title_id[originals][original], updated_at, day))
    original, day = original[rows], day[rows]
    series_row = is_series[original]
    columns = {
        "original_id": titles.title_id[originals][original],
        "title": titles.name[originals][original],
        "type": np.where(series_row, "series", "movie"),
        "genres": [genres[i] for i in original],
        "budget_usd": versions["budget"][rows],
        "release_date": release_date[original],
        "runtime_min": titles.runtime_min[originals][original],
        "seasons": np.where(series_row, versions["seasons"][rows], None).tolist(),
        "episodes": np.where(series_row, versions["episodes"][rows], None).tolist(),
        "maturity_rating": versions["maturity"][rows],
        "updated_at": iso_timestamps(updated_at[rows]),
    }
    faults = Faults(
        # original_id never goes missing: ratings and playback reference it.
        required=("title", "type", "genres", "budget_usd", "release_date", "runtime_min", "maturity_rating"),
        mutations={
            "bad_type": (
                set_to("budget_usd", "$12.5M", "25,000,000"),
                set_to("runtime_min", "95 min", "1h 42m"),
                set_to("release_date", "March 3, 2024", "2024-13-45"),
                set_to("genres", "Drama, Thriller"),
            ),
            "invalid_enum": (set_to("type", "documentary", "film", "Series"),),
        },
    )
    return [land_jsonl(landing, entity("studio", "originals"), day, columns, faults, rng)]


def _genres(n: int, rng: np.random.Generator) -> list[list[str]]:
    """One to three distinct genres per original (a few dozen rows, so a list per row is fine)."""
    counts = rng.choice([1, 2, 3], n, p=[0.35, 0.45, 0.2])
    order = np.argsort(rng.random((n, len(names.ORIGINAL_GENRES))), axis=1)
    return [[names.ORIGINAL_GENRES[g] for g in order[i, : counts[i]]] for i in range(n)]


def _release_dates(world: World, originals: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A day in each original's release year, never after the window starts (so playback can show it)."""
    year = world.titles.release_year[originals]
    year_start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    last = np.minimum(year_start + 364, epoch_day(world.config.start_date) - 1)
    release = year_start + np.floor(rng.random(len(year)) * (last - year_start + 1)).astype(np.int64)
    return iso_dates(release)


def _change(
    changed: np.ndarray,
    is_series: np.ndarray,
    budget: np.ndarray,
    seasons: np.ndarray,
    episodes: np.ndarray,
    maturity: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Apply one change to each changed original: a renewal for series, else a budget revision or re-rating."""
    budget, seasons, episodes, maturity = budget.copy(), seasons.copy(), episodes.copy(), maturity.copy()
    kind = rng.random(len(changed))
    renew = changed[is_series[changed] & (kind < 0.4)]
    seasons[renew] += 1
    episodes[renew] += rng.integers(6, 11, len(renew))
    revise = changed[~np.isin(changed, renew) & (kind < 0.85)]
    budget[revise] = np.round(budget[revise] * rng.uniform(1.03, 1.2, len(revise)), -5)
    rerate = changed[~np.isin(changed, renew) & (kind >= 0.85)]
    current = maturity[rerate]
    maturity[rerate] = np.where(
        is_series[rerate], np.where(current == "TV-MA", "TV-14", "TV-MA"), np.where(current == "R", "PG-13", "R")
    )
    return budget, seasons, episodes, maturity
