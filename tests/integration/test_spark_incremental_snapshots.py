"""The incremental playback models and both snapshots on local Apache Spark (dbt-spark session, parquet).

A tiny lake is built as it stood on day 5, then the later days land and a
second run catches up, on Spark and on DuckDB. Each of Spark's incremental
tables (validated events, events, sessions, the session fact, the daily
engagement and QoE marts) must equal its own full refresh and DuckDB's, and
each snapshot's history (versions, closed `dbt_valid_to`, tracked values)
must equal DuckDB's. About 4 minutes on 2 cores.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date

import duckdb
import pytest

pytest.importorskip("pyspark")
pytest.importorskip("dbt.adapters.spark")
if shutil.which("java") is None:
    pytest.skip("local Spark needs Java (17)", allow_module_level=True)

from flick_ops.dbt.runner import PROJECT_ROOT
from flick_ops.spark.parity import GoldModel, compare_tables
from flick_ops.spark.two_step import INCREMENTAL_MODELS, PLAYBACK_EVENTS, SNAPSHOTS, TwoStepRun, run_two_steps

# Nine days take in the second weekly vendor file (day 8), which re-rates titles.
LAKE = {"accounts": 100, "days": 9, "events_per_day": 500, "dirty_rate": 0.01, "seed": 5}
EARLY_LAST_DAY = date(2026, 10, 5)
SALT = "two-step-test-salt"


@pytest.fixture(scope="module")
def two_steps(tmp_lake, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoStepRun]:
    lake = tmp_lake(**LAKE)
    work = tmp_path_factory.mktemp("spark_two_step")
    profiles = work / "profiles"
    profiles.mkdir()
    shutil.copy(PROJECT_ROOT / "profiles.example.yml", profiles / "profiles.yml")
    run = run_two_steps(lake, EARLY_LAST_DAY, work, profiles, email_hash_salt=SALT)
    print(", ".join(f"{step} {seconds:.0f} s" for step, seconds in run.seconds.items()))
    yield run
    run.session.stop()


def _duckdb_table(run: TwoStepRun, model: GoldModel):
    with duckdb.connect(str(run.duckdb.duckdb_path), read_only=True) as connection:
        return connection.sql(f"select * from {model.relation}").to_arrow_table()


def test_the_second_run_appended_later_days(two_steps: TwoStepRun) -> None:
    assert two_steps.early_ingest_dates, "the first run builds the early days"
    assert max(two_steps.early_ingest_dates) <= EARLY_LAST_DAY
    events = two_steps.incremental[PLAYBACK_EVENTS.name]
    later_dates = {row["_ingest_date"] for row in events.select(["_ingest_date"]).to_pylist()}
    assert max(later_dates) > EARLY_LAST_DAY, "the second run appends the later days"


@pytest.mark.parametrize("model", INCREMENTAL_MODELS, ids=lambda model: model.name)
def test_incremental_model_equals_a_full_refresh_and_duckdb(two_steps: TwoStepRun, model: GoldModel) -> None:
    incremental = two_steps.incremental[model.name]
    assert incremental.num_rows > 0
    on_spark = compare_tables(model, two_steps.full_refresh[model.name], incremental)
    assert on_spark.matches, on_spark.examples
    on_duckdb = compare_tables(model, _duckdb_table(two_steps, model), incremental)
    assert on_duckdb.matches, on_duckdb.examples


@pytest.mark.parametrize("snapshot", SNAPSHOTS, ids=lambda snapshot: snapshot.name)
def test_snapshot_history_matches_duckdb(two_steps: TwoStepRun, snapshot: GoldModel) -> None:
    spark_history = two_steps.session.table(snapshot.relation)
    closed = spark_history.where("dbt_valid_to is not null").count()
    assert closed > 0, f"{snapshot.name}: the later days change some tracked values"
    # Every closed version ends exactly where its key's next version starts.
    unfollowed = two_steps.session.sql(
        f"""
        select count(*) from {snapshot.relation} as old
        left anti join {snapshot.relation} as new
            on old.{snapshot.key[0]} = new.{snapshot.key[0]} and new.dbt_valid_from = old.dbt_valid_to
        where old.dbt_valid_to is not null
        """
    ).collect()[0][0]
    assert unfollowed == 0

    comparison = compare_tables(snapshot, _duckdb_table(two_steps, snapshot), spark_history.toArrow())
    print(f"{snapshot.name}: {comparison.rows_spark} versions on Spark, {closed} closed")
    assert comparison.rows_duckdb == comparison.rows_spark
    assert comparison.matches, comparison.examples
