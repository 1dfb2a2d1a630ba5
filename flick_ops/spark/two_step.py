"""Incremental models and snapshots on local Apache Spark: two runs over a lake that grows by later days.

A first run builds the lake as it stood on an early day; the later days (new
events, late events for earlier sessions, changed accounts, a re-rated
vendor catalogue) then land and a second run catches up, as a daily job
does. On Spark that exercises the `insert_overwrite` paths of the incremental
playback chain (checked events, events, sessions, the session fact and the
daily marts) and of the validated social mentions and review scores, and
the project's parquet snapshot materialisation (macros/spark/snapshot.sql).
DuckDB runs the same two steps in its own process meanwhile, so each
snapshot's history can be compared with DuckDB's, and Spark then rebuilds
the incremental models with `--full-refresh` to show the incremental run
lost or duplicated nothing.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from flick_ops.dbt.runner import DbtWorkspace, run_dbt
from flick_ops.lake.partitions import hold_back, land
from flick_ops.spark.parity import GoldModel, ParityError, run_dbt_on_spark
from flick_ops.spark.session import load_landing_tables, local_spark_session

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import SparkSession

# The incremental playback chain, upstream first, each with its key.
PLAYBACK_CHAIN = (
    GoldModel("int_playback_events_checked", "silver.int_playback_events_checked", ("_bronze_row_id",)),
    GoldModel("playback_events", "silver.playback_events", ("event_id",)),
    GoldModel("playback_sessions", "silver.playback_sessions", ("playback_session_key",)),
    GoldModel("fct_playback_sessions", "gold.fct_playback_sessions", ("playback_session_key",)),
    GoldModel("mart_daily_engagement", "gold.mart_daily_engagement", ("activity_date", "country_code", "device")),
    GoldModel("mart_qoe_daily", "gold.mart_qoe_daily", ("activity_date", "cdn", "device", "country_code")),
)
# Every incremental model the steps build: the chain, and the social mentions and review
# scores that its titles count.
INCREMENTAL_MODELS = (
    *PLAYBACK_CHAIN,
    GoldModel("int_social_mentions_validated", "silver.int_social_mentions_validated", ("_bronze_row_id",)),
    GoldModel("int_review_scores_validated", "silver.int_review_scores_validated", ("_bronze_row_id",)),
)
PLAYBACK_EVENTS = PLAYBACK_CHAIN[1]
# Key of a snapshot version: the snapshot's unique_key and when the version starts.
SNAPSHOTS = (
    GoldModel("snap_accounts", "silver.snap_accounts", ("account_id", "dbt_valid_from")),
    GoldModel("snap_titles", "silver.snap_titles", ("title_id", "dbt_valid_from")),
)
# Shorter than the gap between the two runs, so older ingest dates are only
# rewritten through the sessions that new events touch.
LOOKBACK_VARS = json.dumps({"incremental_lookback_days": 1})
STEP_ARGS = (
    "build",
    "--select",
    *(f"+{model.name}" for model in PLAYBACK_CHAIN[-2:]),
    *(f"+{snapshot.name}" for snapshot in SNAPSHOTS),
    "--exclude",
    "resource_type:test",
    "resource_type:unit_test",
    "--vars",
    LOOKBACK_VARS,
)
FULL_REFRESH_ARGS = (
    "run",
    "--select",
    *(model.name for model in INCREMENTAL_MODELS),
    # Tables between incremental models, rebuilt by every run; with them the chain is whole.
    "int_playback_event_deliveries",
    "int_playback_events_validated",
    "--full-refresh",
    "--vars",
    LOOKBACK_VARS,
)


@dataclass(frozen=True)
class TwoStepRun:
    """Both engines after the second step, and Spark's incremental models before and after a full refresh."""

    session: SparkSession
    duckdb: DbtWorkspace
    early_ingest_dates: tuple[date, ...]  # in Spark's playback_events after the first step
    incremental: dict[str, pa.Table]  # by model name
    full_refresh: dict[str, pa.Table]
    seconds: dict[str, float]


def run_two_steps(
    lake_root: Path, last_early_day: date, work_dir: Path, profiles_dir: Path, *, email_hash_salt: str
) -> TwoStepRun:
    """Build the lake as it stood on `last_early_day`, land the later days, catch up; on Spark and on DuckDB.

    The later days are moved out of the lake and back into the same folders,
    as they would land in ADLS: lineage columns (`filename`, `_bronze_row_id`)
    name the landed file, so they must not change between the runs.
    """
    work_dir = Path(work_dir)
    seconds: dict[str, float] = {}
    started = time.monotonic()
    duckdb_workspace = DbtWorkspace.in_folder(work_dir / "duckdb", lake_root=lake_root)
    environment = {"DBT_PROFILES_DIR": str(profiles_dir), "FLICK_EMAIL_HASH_SALT": email_hash_salt}
    session = _load_early_days(lake_root, last_early_day, work_dir, duckdb_workspace, environment, email_hash_salt)
    with ThreadPoolExecutor(max_workers=1) as pool:
        duckdb_step = pool.submit(_duckdb_step, duckdb_workspace, environment)
        _spark_step(STEP_ARGS, work_dir / "spark-early", profiles_dir)
        early_dates = session.sql(f"select distinct _ingest_date from {PLAYBACK_EVENTS.relation}").collect()
        load_landing_tables(session, lake_root)
        _spark_step(STEP_ARGS, work_dir / "spark-later", profiles_dir)
        seconds["Spark two steps"] = time.monotonic() - started
        incremental = _incremental_tables(session)
        _spark_step(FULL_REFRESH_ARGS, work_dir / "spark-full-refresh", profiles_dir)
        seconds["Spark full refresh"] = time.monotonic() - started - seconds["Spark two steps"]
        duckdb_step.result()
    seconds["all"] = time.monotonic() - started
    return TwoStepRun(
        session=session,
        duckdb=duckdb_workspace,
        early_ingest_dates=tuple(sorted(row[0] for row in early_dates)),
        incremental=incremental,
        full_refresh=_incremental_tables(session),
        seconds=seconds,
    )


def _incremental_tables(session: SparkSession) -> dict[str, pa.Table]:
    return {model.name: session.table(model.relation).toArrow() for model in INCREMENTAL_MODELS}


def _load_early_days(
    lake_root: Path,
    last_early_day: date,
    work_dir: Path,
    duckdb_workspace: DbtWorkspace,
    environment: dict[str, str],
    email_hash_salt: str,
) -> SparkSession:
    """Hold the later days back while DuckDB builds and Spark loads its landing tables; returns the session.

    DuckDB reads the lake in place while it builds; Spark only while loading,
    so its first dbt run may start after the later days are back.
    """
    held = hold_back(lake_root, work_dir / "held", lambda day: day > last_early_day)
    if not held:
        raise ParityError(f"{lake_root} has no ingest dates after {last_early_day} to land later")
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            duckdb_step = pool.submit(_duckdb_step, duckdb_workspace, environment)
            session = local_spark_session(work_dir / "spark-session", email_hash_salt=email_hash_salt)
            load_landing_tables(session, lake_root)
            duckdb_step.result()
    finally:
        land(work_dir / "held", lake_root, held)
    return session


def _spark_step(dbt_args: tuple[str, ...], target: Path, profiles_dir: Path) -> None:
    statuses = run_dbt_on_spark(dbt_args, target, profiles_dir)
    failed = {name: status for name, status in statuses.items() if status != "success"}
    if failed:
        raise ParityError(f"dbt {' '.join(dbt_args)} on Spark: {failed}; see {target}/logs")


def _duckdb_step(workspace: DbtWorkspace, environment: dict[str, str]) -> None:
    outcome = run_dbt(STEP_ARGS, workspace, extra_env=environment)
    if not outcome.succeeded:
        raise ParityError(f"dbt on DuckDB failed:\n{outcome.output[-4000:]}")
