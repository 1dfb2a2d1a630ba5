"""The licensing vendor's feed: the catalog CSV (public Netflix titles format) and license windows.

The full catalog arrives on day 1; a change file follows every seven days with
the titles added that week and a few existing titles whose rating or synopsis
changed. Each catalog file brings the license windows of the titles it adds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flick_ops.generate import names
from flick_ops.generate.entities import (
    COUNTRIES,
    COUNTRY_CODES,
    COUNTRY_NAMES,
    country_index,
    derived_rng,
    epoch_day,
    iso_dates,
)
from flick_ops.generate.io import Faults, Landing, Record, land_csv, set_to
from flick_ops.generate.summary import EntityStats
from flick_ops.generate.world import World
from flick_ops.lake.contract import entity

CHANGE_FILE_EVERY_DAYS = 7
WEEKLY_NEW_SHARE = 0.01  # of the catalog, added per change file
WEEKLY_CHANGED_SHARE = 0.005  # of the catalog, re-sent with a new rating or synopsis per change file
DRIFTED_COLUMNS = ("cast", "description")  # what the second catalog batch leaves out when the feed drifts
FIRST_DATE_ADDED = np.datetime64("2015-01-01", "D").astype(np.int64)
MONTHS = np.array(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
)
LICENSE_TERMS_DAYS = np.array([365, 730, 1095, 1826])


@dataclass(frozen=True)
class _Catalog:
    """Vendor titles (rows of World.titles) with the catalog's text columns, before any change."""

    title_row: np.ndarray
    batch: np.ndarray  # index into the catalog file days the title first arrives in
    date_added_day: np.ndarray  # epoch day
    country_code: np.ndarray  # primary production country
    columns: dict[str, np.ndarray]


def write_vendor(world: World, landing: Landing) -> list[EntityStats]:
    rng = derived_rng(world.config, "vendor")
    file_days = np.arange(0, world.config.days, CHANGE_FILE_EVERY_DAYS)
    catalog = _catalog(world, file_days, rng)
    return [
        _write_catalog(world, landing, catalog, file_days, rng),
        _write_license_windows(world, landing, catalog, file_days, rng),
    ]


# ---- the catalog ------------------------------------------------------------------------


def _catalog(world: World, file_days: np.ndarray, rng: np.random.Generator) -> _Catalog:
    titles = world.titles
    title_row = np.flatnonzero(~titles.is_original)
    n = len(title_row)
    is_series = titles.is_series[title_row]

    # Titles new during the window arrive with the change files; the rest were added since 2015.
    batch = np.zeros(n, dtype=np.int64)
    weekly = len(file_days) - 1
    newcomers = rng.choice(n, size=min(n // 2, round(WEEKLY_NEW_SHARE * n * weekly)), replace=False)
    batch[newcomers] = rng.integers(1, weekly + 1, len(newcomers)) if weekly else 0
    window_start = epoch_day(world.config.start_date)
    year_start = (titles.release_year[title_row] - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    earliest = np.maximum(year_start.astype(np.int64), FIRST_DATE_ADDED)
    added_before = earliest + np.floor(rng.random(n) * np.maximum(window_start - earliest, 1)).astype(np.int64)
    added_in_window = window_start + file_days[batch] - rng.integers(0, CHANGE_FILE_EVERY_DAYS, n)
    date_added_day = np.where(batch > 0, added_in_window, np.minimum(added_before, window_start - 1))

    weights = np.array([c.weight for c in COUNTRIES])
    production = _weighted_orders(weights, n, rng)  # primary production country first
    country_code = COUNTRY_CODES[production[:, 0]]
    # Like the public catalog: shows rarely credit a director, a few titles list no cast or country.
    directors = np.where(is_series, _counts(rng, n, (0.9, 0.1)), _counts(rng, n, (0.05, 0.85, 0.1)))
    cast_size = np.where(rng.random(n) < 0.09, 0, rng.integers(3, 11, n))
    countries = _counts(rng, n, (0.0, 0.75, 0.2, 0.05))
    columns = {
        "show_id": titles.title_id[title_row],
        "type": np.where(is_series, "TV Show", "Movie"),
        "title": titles.name[title_row],
        "director": _people(country_code, directors, rng),
        "cast": _people(country_code, cast_size, rng),
        "country": np.where(rng.random(n) < 0.08, "", _joined(COUNTRY_NAMES[production], countries)),
        "date_added": _vendor_dates(date_added_day, is_series, rng),
        "release_year": titles.release_year[title_row].astype(str),
        "rating": _ratings(is_series, rng),
        "duration": _durations(world, title_row, rng),
        "listed_in": _categories(is_series, rng),
        "description": _synopses(n, rng),
    }
    return _Catalog(title_row, batch, date_added_day, country_code, columns)


def _write_catalog(
    world: World, landing: Landing, catalog: _Catalog, file_days: np.ndarray, rng: np.random.Generator
) -> EntityStats:
    n = len(catalog.title_row)
    first = np.flatnonzero(catalog.batch == 0)
    batches = [(0, first, {name: values[first] for name, values in catalog.columns.items()})]
    already_changed = np.zeros(n, dtype=bool)
    for batch in range(1, len(file_days)):
        added = np.flatnonzero(catalog.batch == batch)
        batches.append((file_days[batch], added, {name: values[added] for name, values in catalog.columns.items()}))
        candidates = np.flatnonzero((catalog.batch < batch) & ~already_changed)
        changed = rng.choice(candidates, size=min(len(candidates), round(WEEKLY_CHANGED_SHARE * n)), replace=False)
        already_changed[changed] = True
        batches.append((file_days[batch], changed, _changed_columns(catalog, changed, rng)))

    day = np.concatenate([np.full(len(rows), file_day) for file_day, rows, _ in batches])
    order = np.lexsort((np.concatenate([rows for _, rows, _ in batches]), day))
    columns = {name: np.concatenate([values[name] for *_, values in batches])[order] for name in catalog.columns}
    faults = Faults(
        # show_id never goes missing: ratings, playback and license windows reference it.
        required=("type", "title", "release_year", "duration", "listed_in"),
        mutations={
            "bad_type": (set_to("release_year", "2019.0", "TBA", "twenty-twenty"),),
            "invalid_enum": (set_to("type", "Film", "Series", "movie"),),
            "shifted_columns": (_shift_duration_into_rating,),
        },
        eligible={"shifted_columns": columns["type"] == "Movie"},  # as in the public catalog: movies only
    )
    drift = {int(file_days[1]): DRIFTED_COLUMNS} if landing.dirty_rate > 0 and len(file_days) > 1 else None
    return land_csv(landing, entity("vendor", "catalog"), day[order], columns, faults, rng, dropped_columns=drift)


def _changed_columns(catalog: _Catalog, changed: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Full rows of re-sent titles, each with either a new rating or a rewritten synopsis."""
    columns = {name: values[changed] for name, values in catalog.columns.items()}
    new_rating = rng.random(len(changed)) < 0.5
    is_series = columns["type"] == "TV Show"
    columns["rating"] = np.where(new_rating, _other_rating(columns["rating"], is_series, rng), columns["rating"])
    old = columns["description"]
    rewritten = _synopses(len(changed), rng)
    # A redraw can repeat the old synopsis; the vendor then appended a line, so the row still changes.
    rewritten = np.where(rewritten == old, np.char.add(old, " Based on a true story."), rewritten)
    columns["description"] = np.where(new_rating, old, rewritten)
    return columns


def _shift_duration_into_rating(record: Record, rng: np.random.Generator) -> None:
    """The public catalog's known defect: a row whose duration landed in the rating column."""
    record["rating"], record["duration"] = record["duration"], ""


# ---- catalog columns ---------------------------------------------------------------------


def _counts(rng: np.random.Generator, n: int, shares: tuple[float, ...]) -> np.ndarray:
    """How many values a multi-valued cell holds: k with probability shares[k]."""
    return rng.choice(len(shares), size=n, p=np.array(shares) / sum(shares))


def _weighted_orders(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Per row, all indices of `weights` in a random order drawn without replacement by weight (Gumbel trick)."""
    keys = np.log(weights) - np.log(-np.log(rng.random((n, len(weights)))))
    return np.argsort(-keys, axis=1)


def _joined(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The first counts[i] values of row i joined by ", ", as the catalog writes multi-valued cells."""
    text = np.where(counts > 0, values[:, 0], "")
    for k in range(1, values.shape[1]):
        text = np.where(counts > k, np.char.add(np.char.add(text, ", "), values[:, k]), text)
    return text


def _people(country_code: np.ndarray, counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Comma-separated names from the production country's name pool."""
    pools = [c.name_pool for c in COUNTRIES]
    first_table = np.array([names.FIRST_NAMES[pool] for pool in pools])
    last_table = np.array([names.LAST_NAMES[pool] for pool in pools])
    width = max(int(counts.max()), 1) if len(counts) else 1
    row = country_index(country_code)[:, None]
    first = first_table[row, rng.integers(0, first_table.shape[1], (len(counts), width))]
    last = last_table[row, rng.integers(0, last_table.shape[1], (len(counts), width))]
    return _joined(np.char.add(np.char.add(first, " "), last), counts)


def _vendor_dates(epoch_days: np.ndarray, is_series: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """`September 25, 2021`; the real feed pads some show dates with a leading space and leaves a few empty."""
    days = epoch_days.astype("datetime64[D]")
    month_start = days.astype("datetime64[M]")
    month = month_start.astype(np.int64) % 12
    day_of_month = (days - month_start.astype("datetime64[D]")).astype(np.int64) + 1
    year = days.astype("datetime64[Y]").astype(np.int64) + 1970
    text = np.char.add(np.char.add(np.char.add(MONTHS[month], " "), day_of_month.astype(str)), ", ")
    text = np.char.add(text, year.astype(str))
    padded = np.where(is_series & (rng.random(len(days)) < 0.02), np.char.add(" ", text), text)
    return np.where(rng.random(len(days)) < 0.003, "", padded)


def _ratings(is_series: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = len(is_series)
    tv = np.array(names.TV_RATINGS)[rng.choice(len(names.TV_RATINGS), n, p=names.TV_RATING_WEIGHTS)]
    movie = np.array(names.MOVIE_RATINGS)[rng.choice(len(names.MOVIE_RATINGS), n, p=names.MOVIE_RATING_WEIGHTS)]
    return np.where(rng.random(n) < 0.002, "", np.where(is_series, tv, movie))


def _other_rating(current: np.ndarray, is_series: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A rating from the title's scale that differs from the current one (re-rated titles)."""
    result = current.copy()
    for scale, rows in ((names.TV_RATINGS, is_series), (names.MOVIE_RATINGS, ~is_series)):
        options = np.array(scale)
        matches = options[None, :] == current[rows][:, None]
        position = matches.argmax(axis=1)  # 0 for an empty rating, which any step changes
        step = rng.integers(1, len(options), len(position))
        result[rows] = options[(position + step) % len(options)]
    return result


def _durations(world: World, title_row: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """`94 min` for movies (the world's runtime), `1 Season` / `3 Seasons` for shows."""
    n = len(title_row)
    seasons = rng.choice([1, 2, 3, 4, 5, 6], n, p=[0.67, 0.16, 0.08, 0.04, 0.03, 0.02])
    season_text = np.where(seasons == 1, "1 Season", np.char.add(seasons.astype(str), " Seasons"))
    movie_text = np.char.add(world.titles.runtime_min[title_row].astype(str), " min")
    return np.where(world.titles.is_series[title_row], season_text, movie_text)


def _categories(is_series: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = len(is_series)
    counts = _counts(rng, n, (0.0, 0.3, 0.4, 0.3))
    movie = np.array(names.MOVIE_CATEGORIES)[np.argsort(rng.random((n, len(names.MOVIE_CATEGORIES))), axis=1)[:, :3]]
    tv = np.array(names.TV_CATEGORIES)[np.argsort(rng.random((n, len(names.TV_CATEGORIES))), axis=1)[:, :3]]
    return np.where(is_series, _joined(tv, counts), _joined(movie, counts))


def _synopses(n: int, rng: np.random.Generator) -> np.ndarray:
    subject = np.array(names.SYNOPSIS_SUBJECTS)[rng.integers(0, len(names.SYNOPSIS_SUBJECTS), n)]
    turn = np.array(names.SYNOPSIS_TURNS)[rng.integers(0, len(names.SYNOPSIS_TURNS), n)]
    goal = np.array(names.SYNOPSIS_GOALS)[rng.integers(0, len(names.SYNOPSIS_GOALS), n)]
    return np.char.add(np.char.add(np.char.add(np.char.add(subject, " "), turn), " "), np.char.add(goal, "."))


# ---- license windows -----------------------------------------------------------------------


def _write_license_windows(
    world: World, landing: Landing, catalog: _Catalog, file_days: np.ndarray, rng: np.random.Generator
) -> EntityStats:
    """One row per title and territory, sent with the catalog file that adds the title."""
    n = len(catalog.title_row)
    # Titles are licensed at home almost always and in each other territory about half the time.
    share = np.where(COUNTRY_CODES == "US", 0.92, 0.55)
    granted = rng.random((n, len(COUNTRIES))) < share
    granted |= COUNTRY_CODES[None, :] == catalog.country_code[:, None]
    title, territory = np.nonzero(granted)
    rows = len(title)

    # Windows renew on a fixed term since the title was added; the current one covers the window start.
    term = LICENSE_TERMS_DAYS[rng.integers(0, len(LICENSE_TERMS_DAYS), rows)]
    added = catalog.date_added_day[title]
    window_start_day = epoch_day(world.config.start_date)
    renewals = np.maximum(window_start_day - added, 0) // term
    start = added + renewals * term
    end = start + term - 1
    popularity = world.titles.popularity[catalog.title_row[title]]
    weights = np.array([c.weight for c in COUNTRIES])
    fee = rng.lognormal(np.log(8000.0), 0.7, rows) * (1.0 + 400.0 * popularity) * (0.3 + 5.0 * weights[territory])

    day = file_days[catalog.batch[title]]
    order = np.lexsort((territory, title, day))
    columns = {
        "license_id": np.char.add("L", np.char.zfill(np.arange(1, rows + 1).astype(str), 7)),
        "show_id": catalog.columns["show_id"][title[order]],
        "territory": COUNTRY_CODES[territory[order]],
        "window_start": iso_dates(start[order]),
        "window_end": iso_dates(end[order]),
        "license_type": np.where(rng.random(rows) < 0.2, "exclusive", "non_exclusive"),
        "fee_usd": np.char.mod("%.2f", fee[order]),
    }
    faults = Faults(
        required=("license_id", "show_id", "territory", "window_start", "window_end", "license_type", "fee_usd"),
        mutations={
            "bad_type": (set_to("fee_usd", "1.200,00", "$15,000"), set_to("window_start", "2026/10/01", "01.10.2026")),
            "invalid_enum": (set_to("license_type", "semi_exclusive", "EXCLUSIVE"),),
            "orphan_reference": (set_to("show_id", *(f"s{n + k}" for k in range(1, 6))),),
            "invalid_range": (_swap_window,),
        },
    )
    return land_csv(landing, entity("vendor", "license_windows"), day[order], columns, faults, rng)


def _swap_window(record: Record, rng: np.random.Generator) -> None:
    """A window whose end precedes its start (start and end entered the wrong way round)."""
    record["window_start"], record["window_end"] = record["window_end"], record["window_start"]
