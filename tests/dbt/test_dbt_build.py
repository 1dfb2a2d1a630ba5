"""The acceptance runs: `dbt build` on DuckDB over the generator's default lake
(dirty rows included) and over a lake with 5% dirty rows; and what a build's parse is reused by."""

from __future__ import annotations

from pathlib import Path

import duckdb
from workspaces import copy_of

from flick_ops.dbt.runner import PARSE_CACHE, DbtWorkspace, run_dbt
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


# What dbt says when it throws its saved parse away and parses the whole project again.
FULL_PARSE = "Unable to do partial parsing"


def test_a_copy_of_a_build_starts_from_its_parse(default_warehouse, tmp_path: Path) -> None:
    """Over the same project and lake, a workspace started from a build's parse cache re-parses nothing: the
    profile dbt hashes into the cache names the warehouse by its file name, not by the folder it is in."""
    copy = copy_of(default_warehouse.workspace, tmp_path / "copy")
    outcome = run_dbt(["parse", "--target", "duckdb"], copy)  # dbt hashes the command line's target too
    assert outcome.succeeded, outcome.output[-3000:]
    assert FULL_PARSE not in outcome.output, outcome.output[-3000:]


def test_the_parse_of_a_side_target_becomes_the_builds_when_it_has_none(default_warehouse, tmp_path: Path) -> None:
    """A first run's selection check parses in a side target; the build's first command starts from that parse."""
    workspace = DbtWorkspace.in_folder(tmp_path, lake_root=default_warehouse.workspace.lake_root)
    checked = run_dbt(["ls", "--select", "dim_dates"], workspace.side_target("selection"))
    assert checked.succeeded, checked.output[-3000:]
    assert (workspace.target_path / PARSE_CACHE).exists()
    outcome = run_dbt(["parse"], workspace)
    assert outcome.succeeded, outcome.output[-3000:]
    assert FULL_PARSE not in outcome.output, outcome.output[-3000:]
