"""Silver content (titles, license windows, social mentions, review scores) on real generated lakes.

One lake of 15 days (three vendor catalog files: the full catalog, a drifted
change file, a change file with re-sends) is built twice into the same
warehouse: first with only its first 8 days landed, then whole, so that the
title snapshot sees the later weekly changes. A second lake with 5% dirty rows
checks that the quarantine still accounts for every planted row.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import duckdb
import pytest

from flick_ops.dbt.runner import DbtOutcome, DbtWorkspace, run_dbt
from flick_ops.generate import generate_lake
from flick_ops.generate.entities import build_world
from flick_ops.generate.world import GeneratorConfig

CONTENT_SELECTION = ["+models/silver/content", "+snap_titles"]
# Kinds the generator plants that Silver keeps rather than quarantines.
KEPT_KINDS = {"schema_drift", "late"}
# (source, entity) -> (quarantine model, entity_name in it, Silver model, Bronze model)
ENTITIES = {
    ("studio", "originals"): ("quarantine_studio", "originals", "originals", "stg_studio__originals"),
    ("vendor", "catalog"): ("quarantine_vendor", "catalog", "vendor_titles", "stg_vendor__catalog_titles"),
    ("vendor", "license_windows"): (
        "quarantine_vendor",
        "license_windows",
        "license_windows",
        "stg_vendor__license_windows",
    ),
    ("social", "mentions"): ("quarantine_social", "mentions", "social_mentions", "stg_social__mentions"),
    ("reviews", "scores"): ("quarantine_reviews", "scores", "review_scores", "stg_reviews__scores"),
}
TRACKED_COLUMNS = (
    "title_name",
    "maturity_rating",
    "description",
    "genres",
    "runtime_min",
    "season_count",
    "episode_count",
)
DRIFT_INGEST_DATE = date(2026, 10, 8)  # the second vendor file, which the generator drifts


@dataclass(frozen=True)
class BuiltLake:
    config: GeneratorConfig
    manifest: dict
    workspace: DbtWorkspace
    outcome: DbtOutcome

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.workspace.duckdb_path), read_only=True) as con:
            return con.sql(sql).fetchall()


def _build(workspace: DbtWorkspace) -> DbtOutcome:
    args = ["build", "--target", "duckdb", "--select", *CONTENT_SELECTION, "--indirect-selection", "cautious"]
    return run_dbt(args, workspace)


def _assert_green(outcome: DbtOutcome) -> None:
    assert outcome.succeeded, outcome.output[-5000:]
    assert outcome.failures() == []


def _copy_first_days(lake: Path, target: Path, last_day: date) -> None:
    """The lake as it stood on `last_day`: every partition after it removed."""
    shutil.copytree(lake, target)
    for partition in target.glob("bronze/*/*/ingest_date=*"):
        if date.fromisoformat(partition.name.split("=", 1)[1]) > last_day:
            shutil.rmtree(partition)


def _tracked_state(built: BuiltLake) -> dict[str, tuple]:
    rows = built.query(
        f"select title_id, {', '.join(TRACKED_COLUMNS)} from silver.titles where is_metadata_quarantined = 0"
    )
    return {row[0]: row[1:] for row in rows}


@pytest.fixture(scope="module")
def two_step_build(tmp_path_factory) -> tuple[BuiltLake, dict[str, tuple]]:
    """The 15-day lake built after day 8, then whole; returns the final build and the tracked state after day 8."""
    folder = tmp_path_factory.mktemp("content")
    config = GeneratorConfig(lake_root=folder / "lake", days=15, events_per_day=2000)
    generate_lake(config)
    early_lake = folder / "lake_day8"
    _copy_first_days(config.lake_root, early_lake, DRIFT_INGEST_DATE)

    early_workspace = DbtWorkspace.in_folder(folder, lake_root=early_lake)
    early_outcome = _build(early_workspace)
    _assert_green(early_outcome)
    early = BuiltLake(config, {}, early_workspace, early_outcome)
    early_state = _tracked_state(early)
    assert early.query("select count(*), count(dbt_valid_to) from silver.snap_titles") == [(len(early_state), 0)]

    workspace = replace(early_workspace, lake_root=config.lake_root)
    manifest = json.loads((config.lake_root / "_generation_manifest.json").read_text(encoding="utf-8"))
    return BuiltLake(config, manifest, workspace, _build(workspace)), early_state


@pytest.fixture(scope="module")
def built(two_step_build) -> BuiltLake:
    return two_step_build[0]


@pytest.fixture(scope="module")
def dirty_built(tmp_path_factory) -> BuiltLake:
    folder = tmp_path_factory.mktemp("content_dirty")
    config = GeneratorConfig(lake_root=folder / "lake", accounts=400, days=15, events_per_day=2000, dirty_rate=0.05)
    generate_lake(config)
    manifest = json.loads((config.lake_root / "_generation_manifest.json").read_text(encoding="utf-8"))
    workspace = DbtWorkspace.in_folder(folder, lake_root=config.lake_root)
    return BuiltLake(config, manifest, workspace, _build(workspace))


@pytest.fixture(scope="module", params=["one_percent", "five_percent"])
def any_built(request, built, dirty_built) -> BuiltLake:
    return built if request.param == "one_percent" else dirty_built


def _planted(manifest: dict, source: str, entity: str) -> dict[str, int]:
    stats = next(e for e in manifest["entities"] if e["source"] == source and e["entity"] == entity)
    return {kind: count for kind, count in stats["dirty"].items() if kind not in KEPT_KINDS}


def test_build_is_green(any_built: BuiltLake) -> None:
    _assert_green(any_built.outcome)


@pytest.mark.parametrize(("source", "entity"), list(ENTITIES))
def test_quarantine_reasons_match_the_planted_dirty_rows(any_built: BuiltLake, source: str, entity: str) -> None:
    quarantine, entity_name, _, _ = ENTITIES[(source, entity)]
    counted = any_built.query(
        f"select quarantine_reason, count(*) from silver.{quarantine} "
        f"where entity_name = '{entity_name}' group by quarantine_reason"
    )
    assert dict(counted) == _planted(any_built.manifest, source, entity)


@pytest.mark.parametrize(("source", "entity"), list(ENTITIES))
def test_every_landed_row_is_in_silver_or_quarantine_exactly_once(
    any_built: BuiltLake, source: str, entity: str
) -> None:
    quarantine, entity_name, silver, bronze = ENTITIES[(source, entity)]
    landed = Counter(any_built.query(f"select _bronze_row_id, _ingest_date from bronze.{bronze}"))
    placed = Counter(
        any_built.query(
            f"select _bronze_row_id, _ingest_date from silver.{silver} union all "
            f"select _bronze_row_id, _ingest_date from silver.{quarantine} where entity_name = '{entity_name}'"
        )
    )
    assert landed
    assert placed == landed


def test_the_drifted_vendor_file_is_in_silver_with_its_missing_columns(built: BuiltLake) -> None:
    landed, quarantined, kept, kept_without_cast = built.query(
        f"""
        select
            (select count(*) from bronze.stg_vendor__catalog_titles where _ingest_date = date '{DRIFT_INGEST_DATE}'),
            (select count(*) from silver.quarantine_vendor
             where entity_name = 'catalog' and _ingest_date = date '{DRIFT_INGEST_DATE}'),
            (select count(*) from silver.vendor_titles
             where _ingest_date = date '{DRIFT_INGEST_DATE}'
               and is_schema_drift_batch = 1 and missing_columns = 'cast,description'),
            (select count(*) from silver.vendor_titles
             where _ingest_date = date '{DRIFT_INGEST_DATE}' and cast_members is null and description is null)
        """
    )[0]
    assert landed == next(e["dirty"]["schema_drift"] for e in built.manifest["entities"] if e["entity"] == "catalog")
    assert kept == kept_without_cast == landed - quarantined > 0
    assert built.query("select count(*) from silver.vendor_titles where is_schema_drift_batch = 1") == [(kept,)]


def test_every_title_of_both_catalogs_is_in_titles_once(built: BuiltLake) -> None:
    world = build_world(built.config)
    title_ids = [row[0] for row in built.query("select title_id from silver.titles")]
    assert len(title_ids) == len(set(title_ids))
    assert set(title_ids) == set(world.titles.title_id.tolist())
    by_source = dict(built.query("select title_source, count(*) from silver.titles group by title_source"))
    assert by_source == {
        "vendor": int((~world.titles.is_original).sum()),
        "studio": int(world.titles.is_original.sum()),
    }


def test_titles_carry_the_runtime_playback_needs(built: BuiltLake) -> None:
    world = build_world(built.config)
    true_runtime = dict(zip(world.titles.title_id.tolist(), world.titles.runtime_min.tolist(), strict=True))
    rows = built.query(
        "select title_id, title_type, runtime_min, is_runtime_estimated from silver.titles "
        "where is_metadata_quarantined = 0"
    )
    for title_id, title_type, runtime_min, is_estimated in rows:
        if is_estimated:
            assert (title_id.startswith("s"), title_type, runtime_min) == (True, "series", 45)
        else:
            assert runtime_min == true_runtime[title_id], title_id


def _normalise(text: str) -> str:
    """normalise_title in Python, written independently of the SQL macro."""
    text = re.sub(r"\s*\(\d{4}\)\s*$", "", text.lower())
    text = re.sub(r"^(.*\S)\s*,\s*the\s*$", r"the \1", text)
    text = re.sub(r"[^\w\s]|_", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _expected_match(key: str, year: int | None, catalog: dict[str, list[tuple[str, int]]]) -> tuple[str | None, str]:
    candidates = catalog.get(key, [])
    if not candidates:
        return None, "no_match"
    steps = [candidates] if year is None else [[c for c in candidates if c[1] == year]]
    if year is not None:
        steps.append([c for c in candidates if abs(c[1] - year) == 1])
    statuses = ["matched_title_only"] if year is None else ["matched_title_year", "matched_adjacent_year"]
    for fits, status in zip(steps, statuses, strict=True):
        if len(fits) == 1:
            return fits[0][0], status
        if len(fits) > 1:
            return None, "ambiguous"
    return None, "year_mismatch"


def test_matches_and_unmatched_counts_agree_with_the_world(built: BuiltLake) -> None:
    world = build_world(built.config)
    clean = {row[0] for row in built.query("select title_id from silver.titles where is_metadata_quarantined = 0")}
    catalog: dict[str, list[tuple[str, int]]] = {}
    for title_id, name, year in zip(
        world.titles.title_id.tolist(), world.titles.name.tolist(), world.titles.release_year.tolist(), strict=True
    ):
        if title_id in clean:
            catalog.setdefault(_normalise(name).replace(" ", ""), []).append((title_id, year))

    records = built.query(
        "select 'social', title_text, release_year, title_id, match_status from silver.social_mentions "
        "union all select 'reviews', title_text, release_year, title_id, match_status from silver.review_scores"
    )
    expected_statuses: Counter = Counter()
    for source, text, year, title_id, status in records:
        expected = _expected_match(_normalise(text).replace(" ", ""), year, catalog)
        assert (title_id, status) == expected, (source, text, year)
        expected_statuses[(source, expected[1])] += 1

    summary = built.query(
        "select match_source, record_count, unmatched_count, no_match_count, ambiguous_count, year_mismatch_count "
        "from silver.title_match_summary"
    )
    for source, records_n, unmatched, no_match, ambiguous, year_mismatch in summary:
        assert records_n == sum(n for (s, _), n in expected_statuses.items() if s == source)
        assert (no_match, ambiguous, year_mismatch) == tuple(
            expected_statuses[(source, status)] for status in ("no_match", "ambiguous", "year_mismatch")
        )
        assert unmatched == no_match + ambiguous + year_mismatch
    # The generator writes 3% of posts about titles Flick does not carry: they stay, unmatched.
    assert dict((row[0], row[1]) for row in summary)["social"] > 0
    assert expected_statuses[("social", "no_match")] > 0


def test_title_match_counts_add_up_to_the_matched_records(built: BuiltLake) -> None:
    per_title = built.query("select sum(review_match_count), sum(social_mention_count) from silver.titles")[0]
    matched = built.query(
        "select sum(case when match_source = 'reviews' then matched_count end), "
        "sum(case when match_source = 'social' then matched_count end) from silver.title_match_summary"
    )[0]
    assert per_title == matched


def test_snapshot_keeps_history_of_titles_changed_in_later_files(two_step_build) -> None:
    built, early_state = two_step_build
    final_state = _tracked_state(built)
    versions = dict(built.query("select title_id, count(*) from silver.snap_titles group by title_id"))
    expected = {
        title_id: 1 + int(title_id in early_state and early_state[title_id] != tracked)
        for title_id, tracked in final_state.items()
    }
    assert versions == expected
    changed = [title_id for title_id, count in expected.items() if count == 2]
    assert any(title_id.startswith("s") for title_id in changed), "the day-15 vendor file re-rates titles"
    # A closed version ends exactly where the next one starts, at the data's change time.
    gaps = built.query(
        """
        select count(*) from silver.snap_titles as old
        left join silver.snap_titles as new
            on old.title_id = new.title_id and new.dbt_valid_from = old.dbt_valid_to
        where old.dbt_valid_to is not null and new.title_id is null
        """
    )
    assert gaps == [(0,)]
