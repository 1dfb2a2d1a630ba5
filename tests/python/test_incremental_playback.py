"""Incremental `playback_events` gives the same table as a full refresh (DuckDB).

The lake first holds only its early ingest days; the later days (with their
late events for earlier sessions and re-deliveries) then land in the same
folders, as they would in ADLS, and an incremental run must catch up to
exactly what a `--full-refresh` build of the whole lake gives.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from flick_ops.dbt_invocation import DbtWorkspace, run_dbt

pytestmark = pytest.mark.dbt

EARLY_DAYS = 4
# Shorter than the early window, so older ingest dates are only reprocessed
# through the sessions that new events touch.
LOOKBACK = {"incremental_lookback_days": 1}
# Seeds and models only, in one invocation per step: tests run elsewhere.
BUILD = ["build", "--select", "+playback_events", "--exclude", "resource_type:test", "resource_type:unit_test"]
BUILD += ["--vars", json.dumps(LOOKBACK)]


def _hold_back_later_days(lake: Path, holding: Path, first_held_day: str) -> list[Path]:
    """Move every ingest_date partition from first_held_day on out of the lake; returns where each came from."""
    moved = []
    for partition in sorted(lake.glob("bronze/*/*/ingest_date=*")):
        if partition.name.removeprefix("ingest_date=") >= first_held_day:
            target = holding / partition.relative_to(lake)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(partition, target)
            moved.append(partition)
    return moved


def _land(holding: Path, lake: Path, partitions: list[Path]) -> None:
    for partition in partitions:
        shutil.move(holding / partition.relative_to(lake), partition)


def _playback_events(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.sql("select * from silver.playback_events order by event_id").fetchall()


def _dates_in(database: Path) -> list[str]:
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.sql("select distinct cast(_ingest_date as varchar) from silver.playback_events").fetchall()
    return sorted(row[0] for row in rows)


def test_incremental_run_on_later_days_equals_full_refresh(tmp_lake, tmp_path: Path) -> None:
    lake = tmp_lake(accounts=150, days=7, events_per_day=600, dirty_rate=0.03, seed=11)
    all_days = sorted({p.name.removeprefix("ingest_date=") for p in lake.glob("bronze/playback/events/ingest_date=*")})
    held = _hold_back_later_days(lake, tmp_path / "held", all_days[EARLY_DAYS])
    assert held, "the lake should have later days to hold back"

    incremental = DbtWorkspace.in_folder(tmp_path / "incremental", lake_root=lake)
    first_build = run_dbt(BUILD, incremental)
    assert first_build.succeeded, first_build.output[-3000:]
    assert _dates_in(incremental.duckdb_path) == all_days[:EARLY_DAYS]

    _land(tmp_path / "held", lake, held)
    caught_up = run_dbt(BUILD, incremental)
    assert caught_up.succeeded, caught_up.output[-3000:]
    assert "incremental" in caught_up.output

    rebuilt = DbtWorkspace.in_folder(tmp_path / "full_refresh", lake_root=lake)
    full_refresh = run_dbt([*BUILD, "--full-refresh"], rebuilt)
    assert full_refresh.succeeded, full_refresh.output[-3000:]

    incremental_rows = _playback_events(incremental.duckdb_path)
    full_refresh_rows = _playback_events(rebuilt.duckdb_path)
    assert len(incremental_rows) > 1000
    assert _dates_in(incremental.duckdb_path) == all_days
    assert incremental_rows == full_refresh_rows
