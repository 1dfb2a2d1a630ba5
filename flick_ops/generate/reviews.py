"""Scores scraped from external rating sites, each on its own scale, one CSV per scrape day.

The scraper visits popular titles every night and the long tail once a week.
Each site spells titles its own way (curly apostrophes, dashes for colons,
"Title, The") and keeps its own ids, so matching to the catalog is a Silver
job. Scores follow the same latent title quality as thumbs and sentiment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flick_ops.generate.entities import derived_rng, iso_timestamps, title_quality, window_seconds
from flick_ops.generate.io import Faults, Landing, Record, land_csv, set_to
from flick_ops.generate.summary import EntityStats
from flick_ops.generate.world import World
from flick_ops.lake.contract import entity

DAILY_SCRAPE_TOP_SHARE = 0.2  # the most popular fifth of titles is scraped nightly, the rest weekly
SCRAPE_START, SCRAPE_END = 1 * 3600, 5 * 3600  # the nightly scrape runs between 01:00 and 05:00 UTC


@dataclass(frozen=True)
class Site:
    name: str
    movie_coverage: float  # share of movies the site lists
    series_coverage: float
    scale_max: float  # top of the site's score scale (bottom is 0)
    decimals: int  # decimals the site shows


SITES = (
    Site("imdb", 0.97, 0.95, 10.0, 1),
    Site("rotten_tomatoes", 0.6, 0.35, 100.0, 0),
    Site("metacritic", 0.4, 0.2, 100.0, 0),
    Site("letterboxd", 0.7, 0.05, 5.0, 2),
)


def write_reviews(world: World, landing: Landing) -> list[EntityStats]:
    rng = derived_rng(world.config, "reviews")
    titles = world.titles
    quality = title_quality(world)
    popular = titles.popularity >= np.quantile(titles.popularity, 1.0 - DAILY_SCRAPE_TOP_SHARE)

    parts: dict[str, list[np.ndarray]] = {name: [] for name in entity("reviews", "scores").column_names}
    day_parts = []
    for site in SITES:
        coverage = np.where(titles.is_series, site.series_coverage, site.movie_coverage)
        listed = np.flatnonzero(rng.random(len(titles.title_id)) < coverage)
        page = _site_pages(world, site, listed, quality[listed], rng)
        # Every listed title once a week (on a day of its own), popular ones every night.
        scraped_weekday = rng.integers(0, 7, len(listed))
        for day in range(world.config.days):
            visit = np.flatnonzero(popular[listed] | (scraped_weekday == day % 7))
            scraped_at = window_seconds(
                world.config, np.full(len(visit), day), rng.integers(SCRAPE_START, SCRAPE_END, len(visit))
            )
            votes = np.floor(page["votes"][visit] * (1.0 + page["growth"][visit]) ** day).astype(np.int64)
            # Scores move a step now and then as votes come in.
            step = np.where(rng.random(len(visit)) < 0.05, rng.choice([-1, 1], len(visit)), 0)
            score = np.clip(page["score"][visit] + step * 10.0**-site.decimals, 0.0, site.scale_max)
            parts["site"].append(np.full(len(visit), site.name))
            parts["site_title_id"].append(page["site_title_id"][visit])
            parts["title"].append(page["title"][visit])
            parts["release_year"].append(page["release_year"][visit])
            parts["score"].append(_format_score(score, site.decimals))
            parts["vote_count"].append(votes.astype(str))
            parts["scraped_at"].append(scraped_at)
            day_parts.append(np.full(len(visit), day))

    day = np.concatenate(day_parts)
    scraped_at = np.concatenate(parts.pop("scraped_at"))
    columns = {name: np.concatenate(values) for name, values in parts.items()}
    order = np.lexsort((columns["site_title_id"], columns["site"], scraped_at, day))
    columns = {name: values[order] for name, values in columns.items()}
    columns["scraped_at"] = iso_timestamps(scraped_at[order])
    faults = Faults(
        required=("site", "site_title_id", "title", "score", "vote_count", "scraped_at"),
        mutations={
            "bad_type": (
                set_to("score", "N/A", "7,3", "tbd"),
                set_to("vote_count", "1.2K", "12,345"),
                _scraped_at_in_local_format,
            ),
            "invalid_enum": (set_to("site", "IMDb", "rottentomatoes", "metacritic.com"),),
            "invalid_range": (_score_off_scale,),
        },
    )
    return [land_csv(landing, entity("reviews", "scores"), day[order], columns, faults, rng)]


def _site_pages(
    world: World, site: Site, listed: np.ndarray, quality: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """What the site shows for each listed title before the window: id, spelling, year, score, votes."""
    titles = world.titles
    n = len(listed)
    noise = rng.normal(0.0, 1.0, n)
    if site.name == "imdb":
        score = np.clip(6.4 + 0.9 * quality + 0.3 * noise, 1.0, 9.8)
        votes = 40_000 * (titles.popularity[listed] * len(titles.title_id)) ** 0.8 * rng.lognormal(0, 0.8, n)
    elif site.name == "rotten_tomatoes":
        score = 100.0 / (1.0 + np.exp(-(0.6 + 1.3 * quality + 0.5 * noise)))
        votes = rng.integers(8, 60, n) * (1 + 4 * (titles.popularity[listed] * len(titles.title_id)) ** 0.5)
    elif site.name == "metacritic":
        score = np.clip(60.0 + 11.0 * quality + 5.0 * noise, 5.0, 99.0)
        votes = rng.integers(4, 20, n) * (1 + 2 * (titles.popularity[listed] * len(titles.title_id)) ** 0.4)
    else:
        score = np.clip(3.2 + 0.5 * quality + 0.15 * noise, 0.5, 5.0)
        votes = 2_000 * (titles.popularity[listed] * len(titles.title_id)) ** 0.9 * rng.lognormal(0, 1.0, n)

    # Some sites show the festival year rather than the release year; a few show none.
    year = titles.release_year[listed] - (rng.random(n) < 0.03)
    return {
        "site_title_id": _site_ids(
            site, titles.name[listed], titles.is_series[listed], titles.release_year[listed], rng
        ),
        "title": _site_spelling(site, titles.name[listed], rng),
        "release_year": np.where(rng.random(n) < 0.02, "", year.astype(str)),
        "score": np.round(score, site.decimals),
        "votes": np.maximum(votes, 1.0),
        "growth": rng.uniform(0.0005, 0.01, n),
    }


def _site_ids(
    site: Site, name: np.ndarray, is_series: np.ndarray, year: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """IMDb's `tt` numbers; the other sites use slugs of the title (with the year when two titles share one)."""
    if site.name == "imdb":
        return np.char.add("tt", (100_000 + rng.choice(9_900_000, size=len(name), replace=False)).astype(str))
    separator = "_" if site.name == "rotten_tomatoes" else "-"
    slug = np.char.lower(name)
    for mark in (":", "'", ",", "!", "?"):
        slug = np.char.replace(slug, mark, "")
    slug = np.char.replace(slug, " ", separator)
    _, inverse, counts = np.unique(slug, return_inverse=True, return_counts=True)
    slug = np.where(counts[inverse] > 1, np.char.add(np.char.add(slug, separator), year.astype(str)), slug)
    prefix = {
        "rotten_tomatoes": np.where(is_series, "tv/", "m/"),
        "metacritic": np.where(is_series, "tv/", "movie/"),
        "letterboxd": np.full(len(name), "film/"),
    }[site.name]
    return np.char.add(prefix, slug)


def _site_spelling(site: Site, name: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """How the site writes the title: a house style plus the odd typo-level difference."""
    if site.name in ("rotten_tomatoes", "letterboxd"):
        name = np.char.replace(name, "'", "\u2019")
    if site.name == "metacritic":
        name = np.char.replace(name, ":", " -")
        starts_with_the = np.char.startswith(name, "The ")
        moved = np.char.add(np.char.add(np.char.lstrip(np.char.replace(name, "The ", "", count=1)), ", "), "The")
        name = np.where(starts_with_the & (rng.random(len(name)) < 0.3), moved, name)
    return np.where(rng.random(len(name)) < 0.03, np.char.lower(name), name)


def _format_score(score: np.ndarray, decimals: int) -> np.ndarray:
    """Scores as the site prints them: `7.3`, `87`, `3.75` (numpy's shortest repr drops trailing zeros)."""
    if decimals == 0:
        return np.rint(score).astype(np.int64).astype(str)
    return np.round(score, decimals).astype(str)


def _score_off_scale(record: Record, rng: np.random.Generator) -> None:
    """A score outside the site's scale: a percentage on a ten-point site, a negative, a ten-point on letterboxd."""
    off_scale = {"imdb": "73", "rotten_tomatoes": "104", "metacritic": "-1", "letterboxd": "8.2"}
    record["score"] = off_scale[str(record["site"])]


def _scraped_at_in_local_format(record: Record, rng: np.random.Generator) -> None:
    """The scrape time in a scraper's local format (`2026-10-03 02:11:09`, `03/10/2026 02:11`) instead of ISO-8601."""
    stamp = str(record["scraped_at"])
    day, clock = stamp[:10], stamp[11:19]
    if rng.random() < 0.5:
        record["scraped_at"] = f"{day} {clock}"
    else:
        record["scraped_at"] = f"{day[8:10]}/{day[5:7]}/{day[:4]} {clock[:5]}"
