"""Gold consumer marts (subscriptions, app, ML, marketing) on a real generated
lake and a real dbt build: the selection builds green with its unit and
cross-check tests, the checks are not vacuous, and they fail when the logic
they guard is broken."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from flick_ops.dbt.runner import DbtOutcome, DbtWorkspace, run_dbt
from flick_ops.generate import generate_lake
from flick_ops.generate.world import GeneratorConfig

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONSUMER_FOLDERS = ("subscriptions", "app", "ml", "marketing")
CONSUMER_MODELS = (
    "mart_subscriptions_monthly",
    "mart_retention_cohorts",
    "mart_continue_watching",
    "ml_account_features",
    "ml_title_features",
    "ml_account_title_interactions",
    "mart_marketing_segments",
)
SEGMENTS = ("new", "engaged", "binge_watcher", "lapsing", "churn_risk", "win_back")
# The consumer marts and everything upstream; a test runs only when all its models are built
# (the other Gold marts' relationships to the dimensions would otherwise be picked up).
SELECT_CONSUMERS = (
    "--indirect-selection",
    "cautious",
    "--select",
    *(f"+path:models/gold/{folder}" for folder in CONSUMER_FOLDERS),
)
# Two weeks of viewing, dense enough that every segment has members and profiles resume several titles.
LAKE_CONFIG = {"seed": 11, "accounts": 300, "days": 14, "events_per_day": 3000, "dirty_rate": 0.02}

# Each mutation breaks one KPI's logic in a way the named cross-check must catch:
# (model file under models/gold, text to replace, replacement, data test that must fail).
MUTATIONS = (
    (
        "subscriptions/mart_subscriptions_monthly.sql",
        "sum(case when is_active_at_end = 1 then monthly_list_price_cents else 0 end)",
        "sum(case when is_active_at_start = 1 then monthly_list_price_cents else 0 end)",
        "assert_subscriptions_mrr_matches_silver_periods",
    ),
    (
        "ml/ml_account_title_interactions.sql",
        "sum(watch_hours) as watch_hours",
        "max(watch_hours) as watch_hours",
        "assert_ml_interaction_watch_hours_match_sessions",
    ),
    (
        "app/mart_continue_watching.sql",
        "partition by unfinished_sessions.profile_id",
        "partition by unfinished_sessions.account_id",
        "mart_continue_watching_ranks_are_gapless",
    ),
    (
        "marketing/mart_marketing_segments.sql",
        "'rule': 'active_days_28d >= 4'",
        "'rule': 'active_days_28d >= 3'",
        "assert_marketing_segments_match_rules_rechecked_from_silver",
    ),
)


def _ignored_in_copies(_folder: str, names: list[str]) -> set[str]:
    return {name for name in names if name in {".venv", "target", "logs", "lake", "warehouse", ".git", ".flick"}}


def _query(workspace: DbtWorkspace, sql: str) -> list[tuple]:
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as con:
        return con.sql(sql).fetchall()


def _mutated_project(destination: Path) -> Path:
    """A copy of the repository with every mutation applied (each must hit exactly one place)."""
    shutil.copytree(PROJECT_ROOT, destination, ignore=_ignored_in_copies)
    for model_file, original, mutated, _ in MUTATIONS:
        path = destination / "models" / "gold" / model_file
        sql = path.read_text(encoding="utf-8")
        assert sql.count(original) == 1, f"mutation target not found once in {model_file}: {original}"
        path.write_text(sql.replace(original, mutated), encoding="utf-8")
    return destination


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtWorkspace, DbtOutcome]:
    lake_root = tmp_path_factory.mktemp("consumers_lake") / "lake"
    generate_lake(GeneratorConfig(lake_root=lake_root, **LAKE_CONFIG))
    workspace = DbtWorkspace.in_folder(tmp_path_factory.mktemp("consumers_build"), lake_root=lake_root)
    return workspace, run_dbt(["build", "--target", "duckdb", *SELECT_CONSUMERS], workspace)


def test_consumer_marts_build_green_with_their_unit_and_cross_check_tests(built) -> None:
    _, outcome = built
    assert outcome.succeeded, outcome.output[-5000:]
    assert outcome.failures() == []
    ran = {result["unique_id"] for result in outcome.run_results["results"]}
    assert {f"model.flick.{model}" for model in CONSUMER_MODELS} <= ran
    expected_checks = {check for *_, check in MUTATIONS}
    assert expected_checks <= {unique_id.split(".")[2] for unique_id in ran if unique_id.startswith("test.")}
    assert any(unique_id.startswith("unit_test.flick.mart_subscriptions_monthly.") for unique_id in ran)
    assert any(unique_id.startswith("unit_test.flick.mart_continue_watching.") for unique_id in ran)


def test_every_consumer_mart_and_segment_has_rows(built) -> None:
    """The cross-checks prove something only if there is something to check."""
    workspace, outcome = built
    assert outcome.succeeded
    for model in CONSUMER_MODELS:
        assert _query(workspace, f"select count(*) from gold.{model}")[0][0] > 0, model
    segments = dict(
        _query(workspace, "select segment_name, count(*) from gold.mart_marketing_segments group by segment_name")
    )
    assert set(segments) == set(SEGMENTS), segments
    resumed = _query(workspace, "select max(continue_watching_rank) from gold.mart_continue_watching")[0][0]
    assert resumed > 1, "no profile has two titles to continue; the rank checks prove nothing"


def test_latest_month_end_subscribers_are_the_accounts_subscribed_now(built) -> None:
    """The latest month ends with the data, so its active subscribers per plan are Silver's open periods."""
    workspace, outcome = built
    assert outcome.succeeded
    mart = _query(
        workspace,
        """
        select plan_id, active_subscribers, mrr_usd
        from gold.mart_subscriptions_monthly
        where activity_month = (select max(activity_month) from gold.mart_subscriptions_monthly)
          and active_subscribers > 0
        order by plan_id
        """,
    )
    subscribed_now = _query(
        workspace,
        """
        select accounts.plan_id, count(*), sum(plans.monthly_price_cents) / 100
        from silver.accounts
        inner join reference.plans on accounts.plan_id = plans.plan_id
        where accounts.is_subscribed = 1
        group by accounts.plan_id
        order by accounts.plan_id
        """,
    )
    assert subscribed_now, "no subscribed accounts in the lake"
    assert [(plan, count, float(mrr)) for plan, count, mrr in mart] == [
        (plan, count, float(mrr)) for plan, count, mrr in subscribed_now
    ]


def test_kpi_cross_checks_fail_when_the_logic_breaks(built, tmp_path: Path) -> None:
    workspace, outcome = built
    assert outcome.succeeded
    project = _mutated_project(tmp_path / "project")
    scratch = DbtWorkspace.in_folder(tmp_path / "run", lake_root=workspace.lake_root, project_dir=project)
    scratch.target_path.mkdir(parents=True)
    shutil.copy(workspace.duckdb_path, scratch.duckdb_path)
    mutated_models = [Path(model_file).stem for model_file, *_ in MUTATIONS]
    checks = [check for *_, check in MUTATIONS]

    rebuilt = run_dbt(["run", "--target", "duckdb", "--select", *mutated_models], scratch)
    assert rebuilt.succeeded, rebuilt.output[-5000:]
    checked = run_dbt(["test", "--target", "duckdb", "--select", *checks], scratch)

    statuses = {result["unique_id"].split(".")[2]: result["status"] for result in checked.run_results["results"]}
    assert statuses == dict.fromkeys(checks, "fail")
