"""The acceptance runs: `dbt build` on DuckDB over the generator's default lake
(dirty rows included) and over a lake with 5% dirty rows."""

from __future__ import annotations

from pathlib import Path

import duckdb

from flick_ops.dbt.runner import DbtWorkspace, run_dbt
from flick_ops.generate import generate_lake
from flick_ops.generate.world import GeneratorConfig


def _build(tmp_path: Path, **config) -> tuple[DbtWorkspace, object]:
    lake = tmp_path / "lake"
    generate_lake(GeneratorConfig(lake_root=lake, **config))
    workspace = DbtWorkspace.in_folder(tmp_path, lake_root=lake)
    outcome = run_dbt(["build", "--target", "duckdb"], workspace)
    return workspace, outcome


def test_dbt_build_is_green_on_the_default_lake(default_warehouse) -> None:
    outcome = default_warehouse.build
    assert outcome.succeeded, outcome.output[-5000:]
    assert outcome.failures() == []


def test_every_bronze_model_is_in_the_warehouse(default_warehouse) -> None:
    workspace, outcome = default_warehouse.workspace, default_warehouse.build
    assert outcome.succeeded
    built = {
        r["unique_id"].split(".")[-1]
        for r in outcome.run_results["results"]
        if r["unique_id"].startswith("model.") and r["status"] == "success"
    }
    bronze_models = {p.stem for p in (workspace.project_dir / "models" / "bronze").rglob("stg_*.sql")}
    assert bronze_models, "no Bronze models found"
    assert bronze_models <= built
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as con:
        views = {
            row[0]
            for row in con.sql(
                "select table_name from information_schema.tables where table_schema = 'bronze'"
            ).fetchall()
        }
    assert bronze_models <= views


def test_dbt_build_is_green_with_five_percent_dirty_rows(tmp_path: Path) -> None:
    _, outcome = _build(tmp_path, dirty_rate=0.05, accounts=400, days=7, events_per_day=5000)
    assert outcome.succeeded, outcome.output[-5000:]
    assert outcome.failures() == []
