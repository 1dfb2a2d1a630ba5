"""`flick-ops compile`: every model and snapshot compiled offline for Synapse and Databricks, as the adapter sends it.

The module compiles the whole project for both engines once (dbt run and
snapshot, in a `fresh` and an `existing` warehouse; ~40 s per engine on two
cores) and checks what the engines would receive: physical settings,
incremental and snapshot paths, and that every statement parses.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flick_ops.compile.dialects import check_compilation
from flick_ops.compile.harness import OfflineCompileError, compile_offline
from flick_ops.compile.recorder import OfflineCompilation
from flick_ops.dbt.runner import PROJECT_ROOT


def expected_nodes() -> set[str]:
    models = {f"model.flick.{p.stem}" for p in (PROJECT_ROOT / "models").rglob("*.sql")}
    snapshots = {f"snapshot.flick.{p.stem}" for p in (PROJECT_ROOT / "snapshots").glob("*.sql")}
    return models | snapshots


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, OfflineCompilation]:
    out = tmp_path_factory.mktemp("offline")
    return {target: compile_offline(target, out / target) for target in ("synapse", "databricks")}


def statements(compilation: OfflineCompilation, node: str, mode: str) -> str:
    return "\n".join(compilation.for_node(node, mode))


@pytest.mark.parametrize("target", ["synapse", "databricks"])
def test_every_model_and_snapshot_compiles_in_both_modes(compiled: dict[str, OfflineCompilation], target: str) -> None:
    compilation = compiled[target]
    for mode in ("fresh", "existing"):
        assert set(compilation.nodes(mode)) == expected_nodes(), f"{target} {mode}"
    index = json.loads((compilation.out_dir / "index.json").read_text())
    fact = index["modes"]["fresh"]["model.flick.fct_playback_sessions"]
    assert (compilation.out_dir / fact["file"]).read_text().count("-- statement ") == len(fact["statements"])


@pytest.mark.parametrize("target", ["synapse", "databricks"])
def test_every_statement_passes_the_dialect_checks(compiled: dict[str, OfflineCompilation], target: str) -> None:
    findings = check_compilation(compiled[target])
    assert findings == [], "\n".join(str(f) for f in findings[:20])


def test_every_synapse_dispatch_macro_is_rendered_and_so_checked(compiled: dict[str, OfflineCompilation]) -> None:
    """Each synapse__/fabric__ macro of the project went into the statements the dialect checks read."""
    definition = re.compile(r"\{%-?\s*macro\s+((?:synapse|fabric)__\w+)\s*\(")
    dispatched = {
        f"macro.flick.{name}"
        for path in (PROJECT_ROOT / "macros").rglob("*.sql")
        for name in definition.findall(path.read_text())
    }
    assert len(dispatched) >= 15, dispatched
    assert dispatched - compiled["synapse"].rendered_macros == set()


def test_synapse_tables_carry_their_folder_distribution_and_index(compiled: dict[str, OfflineCompilation]) -> None:
    synapse = compiled["synapse"]
    fact = statements(synapse, "fct_playback_sessions", "fresh")
    assert "DISTRIBUTION = HASH(account_id)" in fact and "CLUSTERED COLUMNSTORE INDEX" in fact
    assert "DISTRIBUTION = REPLICATE" in statements(synapse, "dim_dates", "fresh")
    assert "DISTRIBUTION = ROUND_ROBIN" in statements(synapse, "mart_daily_engagement", "fresh")
    assert "HEAP" in statements(synapse, "int_playback_events_checked", "fresh")


def test_databricks_tables_are_delta_with_liquid_clustering_on_facts(compiled: dict[str, OfflineCompilation]) -> None:
    databricks = compiled["databricks"]
    fact = statements(databricks, "fct_playback_sessions", "fresh")
    assert "create or replace table" in fact and "using delta" in fact
    assert "CLUSTER BY (session_date, account_id)" in fact
    assert "CLUSTER BY" not in statements(databricks, "dim_dates", "fresh")


@pytest.mark.parametrize("target", ["synapse", "databricks"])
def test_snapshots_merge_into_the_existing_table(compiled: dict[str, OfflineCompilation], target: str) -> None:
    for snapshot in ("snap_accounts", "snap_titles"):
        fresh = statements(compiled[target], snapshot, "fresh").lower()
        existing = statements(compiled[target], snapshot, "existing").lower()
        assert "merge into" not in fresh, f"{target} {snapshot}: a first run creates the table"
        assert "merge into" in existing or "update" in existing, f"{target} {snapshot}"
        # The check strategy compares the tracked columns; an empty comparison would version nothing.
        assert "(()" not in existing


def test_cli_writes_one_file_per_node_and_an_index(tmp_path: Path) -> None:
    out = tmp_path / "synapse"
    completed = subprocess.run(
        [sys.executable, "-m", "flick_ops.cli", "compile", "--target", "synapse", "--out", str(out), "-s", "dim_dates"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert "synapse fresh:" in completed.stdout and "every statement parses; no T-SQL traps" in completed.stdout
    index = json.loads((out / "index.json").read_text())
    assert set(index["modes"]["existing"]) >= {"model.flick.dim_dates"}
    assert (out / index["modes"]["fresh"]["model.flick.dim_dates"]["file"]).exists()


def test_a_run_past_its_time_limit_is_stopped(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(OfflineCompileError, match="time limit"):
        compile_offline("databricks", tmp_path / "slow", timeout_seconds=1)
    assert time.monotonic() - started < 30


def test_an_unknown_target_is_a_usage_error(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "flick_ops.cli", "compile", "--target", "oracle", "--out", str(tmp_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert "oracle" in completed.stderr
