"""Spark parity: every Gold model built on local Apache Spark equals DuckDB's build of the same lake.

Runs dbt-spark (`method: session`, parquet) in this process on a tiny lake,
which takes a few minutes on 2 cores, so both tests share one run.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

pytest.importorskip("pyspark")
pytest.importorskip("dbt.adapters.spark")
if shutil.which("java") is None:
    pytest.skip("local Spark needs Java (17)", allow_module_level=True)

from flick_ops.commands.parity import TINY_LAKE
from flick_ops.dbt.runner import PROJECT_ROOT
from flick_ops.spark.parity import ParityReport, compare_gold, gold_models, run_parity

# Models the issue names as the least the Spark run must cover.
REQUIRED_MODELS = {"fct_playback_sessions", "mart_title_performance_daily", "mart_subscriptions_monthly"}
SALT = "parity-test-salt"


@dataclass(frozen=True)
class ParityRun:
    report: ParityReport
    work_dir: Path
    session: object


@pytest.fixture(scope="module")
def parity_run(tmp_lake, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ParityRun]:
    lake = tmp_lake(**TINY_LAKE, dirty_rate=0.01, seed=5)
    work = tmp_path_factory.mktemp("parity")
    profiles = work / "profiles"
    profiles.mkdir()
    shutil.copy(PROJECT_ROOT / "profiles.example.yml", profiles / "profiles.yml")
    report = run_parity(lake, work, profiles, email_hash_salt=SALT)
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    yield ParityRun(report, work, session)
    session.stop()


def test_every_gold_model_matches_duckdb(parity_run: ParityRun) -> None:
    report = parity_run.report
    print(report.describe())
    compared = {comparison.model.name for comparison in report.comparisons}
    assert compared >= REQUIRED_MODELS
    assert report.not_built_on_spark == ()
    assert all(comparison.model.key for comparison in report.comparisons), "every Gold model has a primary key"
    assert all(
        comparison.rows_duckdb > 0 for comparison in report.comparisons if comparison.model.name in REQUIRED_MODELS
    )
    assert report.passed, report.describe()


def test_a_changed_duckdb_row_is_reported(parity_run: ParityRun) -> None:
    duckdb_path = parity_run.work_dir / "duckdb" / "flick.duckdb"
    model = next(
        m for m in gold_models(parity_run.work_dir / "duckdb" / "target") if m.name == "mart_title_performance_daily"
    )
    with duckdb.connect(str(duckdb_path)) as connection:
        table = model.relation.split(".")[-1]
        key_filter = " and ".join(f"{table}.{column} = first.{column}" for column in model.key)
        connection.execute(
            f"update {model.relation} set views = views + 1 "
            f"from (select {', '.join(model.key)} from {model.relation} limit 1) as first where {key_filter}"
        )

    [comparison] = compare_gold(duckdb_path, parity_run.session, [model])

    assert comparison.mismatches == 1
    assert "views" in comparison.examples[0]
