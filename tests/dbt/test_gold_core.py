"""Gold core, engagement, content and QoE marts on a real generated lake.

One small lake and one `dbt build` of the marts and everything upstream per
module; the build must be green, contracts, unit tests and KPI cross-checks
included. Then the cross-checks are shown to bite: each mutation breaks one
mart row in a copy of the built warehouse and the matching data test must
fail there. Finally the QoE percentiles are recomputed in NumPy, an oracle
independent of the engine's `quantile_cont`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pytest
from workspaces import copy_of

from flick_ops.dbt.runner import DbtOutcome, DbtWorkspace, run_dbt
from flick_ops.generate import generate_lake
from flick_ops.generate.world import GeneratorConfig

# 2026-10-01 is a Thursday: ten days span two ISO weeks, one of them partial.
LAKE_OPTIONS = {"accounts": 200, "days": 10, "events_per_day": 3000, "dirty_rate": 0.02, "seed": 11}
GOLD_MODELS = (
    "dim_accounts",
    "dim_titles",
    "dim_dates",
    "dim_devices",
    "dim_countries",
    "fct_playback_sessions",
    "mart_daily_engagement",
    "mart_monthly_active_accounts",
    "mart_title_performance_daily",
    "mart_title_performance_weekly",
    "mart_top10_titles_daily",
    "mart_top10_titles_weekly",
    "mart_qoe_daily",
)
KPI_TESTS = (
    "assert_core_dim_dates_is_a_gapless_monday_calendar",
    "assert_engagement_watch_hours_match_sessions",
    "assert_content_title_hours_match_sessions",
    "assert_content_views_are_hours_over_runtime",
    "mart_top10_titles_daily_ranks_are_gapless",
    "mart_top10_titles_weekly_ranks_are_gapless",
    "assert_content_top10_lists_are_full",
    "assert_qoe_session_counts_match_sessions",
)
# Cautious: a test on a selected model that also needs an unselected one (another
# team's mart relating to dim_dates) is left to that team's selection.
BUILD_ARGS = [
    "build",
    "--target",
    "duckdb",
    "--select",
    *(f"+{model}" for model in GOLD_MODELS),
    *KPI_TESTS,
    "--indirect-selection",
    "cautious",
]

# One broken mart row per cross-check: (data test, SQL run against the built warehouse).
MUTATIONS = {
    "assert_engagement_watch_hours_match_sessions": """
        update gold.mart_daily_engagement set watch_hours = watch_hours + 0.0001
        where activity_date = (select min(activity_date) from gold.mart_daily_engagement)
          and country_code = (
              select min(country_code) from gold.mart_daily_engagement
              where activity_date = (select min(activity_date) from gold.mart_daily_engagement))
    """,
    "mart_top10_titles_daily_ranks_are_gapless": """
        delete from gold.mart_top10_titles_daily
        where title_rank = 2
          and (activity_date, country_code) in (
              select activity_date, country_code from gold.mart_top10_titles_daily
              where title_rank = 3 order by activity_date, country_code limit 1)
    """,
    "mart_top10_titles_weekly_ranks_are_gapless": """
        update gold.mart_top10_titles_weekly set hours_viewed = hours_viewed + 1000
        where title_rank = 3
          and (activity_week, country_code) in (
              select activity_week, country_code from gold.mart_top10_titles_weekly
              where title_rank = 3 order by activity_week, country_code limit 1)
    """,
    "assert_content_top10_lists_are_full": """
        delete from gold.mart_top10_titles_weekly
        where (activity_week, country_code, title_rank) in (
            select activity_week, country_code, title_rank from gold.mart_top10_titles_weekly
            where title_rank = 10 order by all limit 1)
    """,
    "assert_content_title_hours_match_sessions": """
        delete from gold.mart_title_performance_weekly
        where (activity_week, title_id) in (
            select activity_week, title_id from gold.mart_title_performance_weekly
            where sessions > 0 order by activity_week, title_id limit 1)
    """,
    "assert_qoe_session_counts_match_sessions": """
        update gold.mart_qoe_daily set exits_before_video_start = exits_before_video_start + 1
        where (activity_date, cdn, device, country_code) in (
            select activity_date, cdn, device, country_code from gold.mart_qoe_daily
            order by activity_date, cdn, device, country_code limit 1)
    """,
}
# The mart keeps 0.1 ms (decimal(18,1)); the slack covers NumPy's float error at a half.
DECIMAL_ROUNDING_MS = 0.05 + 1e-6


@dataclass(frozen=True)
class GoldBuild:
    folder: Path
    lake: Path
    workspace: DbtWorkspace
    outcome: DbtOutcome

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.workspace.duckdb_path), read_only=True) as con:
            return con.sql(sql).fetchall()

    def status_of(self, node_name: str) -> str:
        (status,) = [
            r["status"]
            for r in self.outcome.run_results["results"]
            if r["unique_id"].split(".")[:3] in (["model", "flick", node_name], ["test", "flick", node_name])
        ]
        return status


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> GoldBuild:
    folder = tmp_path_factory.mktemp("gold_core")
    lake = folder / "lake"
    generate_lake(GeneratorConfig(lake_root=lake, **LAKE_OPTIONS))
    workspace = DbtWorkspace.in_folder(folder / "warehouse", lake_root=lake)
    return GoldBuild(folder, lake, workspace, run_dbt(BUILD_ARGS, workspace))


def test_gold_marts_build_green_with_contracts_unit_tests_and_kpi_checks(build: GoldBuild) -> None:
    assert build.outcome.succeeded, build.outcome.output[-5000:]
    assert build.outcome.failures() == []
    for model in GOLD_MODELS:
        assert build.status_of(model) == "success"
        (row_count,) = build.query(f"select count(*) from gold.{model}")[0]
        assert row_count > 0, f"gold.{model} is empty"
    for kpi_test in KPI_TESTS:
        assert build.status_of(kpi_test) == "pass"
    unit_tests = [r for r in build.outcome.run_results["results"] if r["unique_id"].startswith("unit_test.flick.")]
    gold_unit_models = {r["unique_id"].split(".")[2] for r in unit_tests}
    assert {"dim_titles", "fct_playback_sessions", "mart_title_performance_daily", "mart_qoe_daily"} <= gold_unit_models


def test_the_lake_spans_two_iso_weeks(build: GoldBuild) -> None:
    weeks = build.query("select distinct activity_week from gold.mart_top10_titles_weekly order by activity_week")
    assert [str(week) for (week,) in weeks] == ["2026-09-28", "2026-10-05"]


@pytest.mark.parametrize("kpi_test", sorted(MUTATIONS))
def test_kpi_cross_check_fails_when_its_mart_is_broken(build: GoldBuild, tmp_path: Path, kpi_test: str) -> None:
    assert build.status_of(kpi_test) == "pass", "the cross-check must pass on the untouched build"
    broken = copy_of(build.workspace, tmp_path)
    with duckdb.connect(str(broken.duckdb_path)) as con:
        con.execute(MUTATIONS[kpi_test])
        assert con.fetchall()[0][0] == 1, "the mutation must touch exactly one row"

    outcome = run_dbt(["test", "--target", "duckdb", "--select", kpi_test], broken)

    assert not outcome.succeeded
    (result,) = outcome.run_results["results"]
    assert result["status"] == "fail"
    assert result["failures"] >= 1


def test_video_start_percentiles_match_numpy(build: GoldBuild) -> None:
    sessions = build.query(
        "select session_date, cdn, device, country_code, video_start_time_ms from gold.fct_playback_sessions"
        " where video_start_time_ms is not null"
    )
    by_group: dict[tuple, list[int]] = {}
    for *group, start_ms in sessions:
        by_group.setdefault(tuple(group), []).append(start_ms)
    mart = build.query(
        "select activity_date, cdn, device, country_code, video_start_time_p50_ms, video_start_time_p95_ms"
        " from gold.mart_qoe_daily where video_started_sessions > 0"
    )
    assert len(mart) == len(by_group) > 0
    for *group, p50, p95 in mart:
        starts = np.array(by_group[tuple(group)])
        # NumPy's default "linear" method is percentile_cont's interpolation.
        assert float(p50) == pytest.approx(np.percentile(starts, 50), abs=DECIMAL_ROUNDING_MS)
        assert float(p95) == pytest.approx(np.percentile(starts, 95), abs=DECIMAL_ROUNDING_MS)
