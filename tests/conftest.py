"""Shared fixtures (small generated lakes on disk) and the kind of each test, from the folder it is in."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from shared_builds import shared_build

from flick_ops.dbt.runner import DbtOutcome, DbtWorkspace, run_dbt
from flick_ops.generate import generate_lake
from flick_ops.generate.world import GeneratorConfig

# The tests' own e-mail hash salt, set explicitly: the project has no default one, and a developer's
# checkout salt (.flick/email_hash_salt) must not decide what tests compute. Every dbt child inherits it.
TEST_EMAIL_HASH_SALT = "pytest-email-hash-salt"
os.environ["FLICK_EMAIL_HASH_SALT"] = TEST_EMAIL_HASH_SALT

# The `cosmos_server` fixture: a local Cosmos DB protocol server (tests/support/cosmos) for publisher tests.
pytest_plugins = ["cosmos_server"]

# Small enough to generate in about a second, large enough that every entity
# but the studio originals has 100+ rows (so each dirty kind shows up).
SMALL_LAKE = {"accounts": 400, "days": 15, "events_per_day": 500, "dirty_rate": 0.02, "seed": 7}

# A test's kind is its folder under tests/, and its marker: `pytest -m unit` runs only the unit tests.
TESTS_ROOT = Path(__file__).resolve().parent
KINDS = ("unit", "dbt", "integration")


# The slowest modules, slowest first: `make test` hands whole modules to two workers in collection order
# (--dist loadfile), so the long ones start early and the short ones fill in around them.
SLOWEST_FIRST = (
    "integration/test_run_scope.py",
    "integration/test_spark_incremental_snapshots.py",
    "dbt/test_incremental_playback.py",
    "integration/test_run_anomalies.py",
    "integration/test_run_pipeline.py",
    "integration/test_file_zoo.py",
    "integration/test_offline_compile.py",
    "dbt/test_silver_content.py",
    "integration/test_spark_parity.py",
    "dbt/test_dbt_build.py",
    "dbt/test_gold_consumers.py",
    "dbt/test_semantic_layer.py",
)


def _module(item: pytest.Item) -> str:
    return item.path.resolve().relative_to(TESTS_ROOT).as_posix()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        kind = _module(item).split("/")[0]
        if kind not in KINDS:
            raise pytest.UsageError(f"{item.nodeid}: a test module belongs in one of tests/{{{','.join(KINDS)}}}/")
        item.add_marker(kind)
    rank = {module: position for position, module in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(_module(item), len(rank)))


@pytest.fixture(scope="session")
def tmp_lake(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Factory: generate a lake in a fresh temporary folder (SMALL_LAKE, overridden by keyword) and return its root."""

    def make(**options: object) -> Path:
        root = tmp_path_factory.mktemp("lake")
        config = GeneratorConfig(lake_root=root, **{**SMALL_LAKE, **options})
        generate_lake(config)
        return root

    return make


@dataclass(frozen=True)
class BuiltWarehouse:
    workspace: DbtWorkspace
    build: DbtOutcome


@pytest.fixture(scope="session")
def default_warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """The local demo as a user gets it: the generator's default lake, then a full `dbt build` on DuckDB.
    Built once per test run; each worker reads its own copy (shared_build)."""

    def build(workspace: DbtWorkspace) -> DbtOutcome:
        generate_lake(GeneratorConfig(lake_root=workspace.lake_root))
        return run_dbt(["build", "--target", "duckdb"], workspace)

    return BuiltWarehouse(*shared_build(tmp_path_factory, "default_warehouse", build))


def run_command_args(project: Path, lake: Path, warehouse: Path, as_of: str, *extra: str) -> list[str]:
    """`flick-ops run` arguments that keep a test's lake, sink, publish state, history and alerts in its folders."""
    return [
        "run",
        "--project-dir", str(project),
        "--lake", str(lake),
        "--as-of", as_of,
        "--skip-share",
        "--local-sink", str(warehouse / "local_cosmos.duckdb"),
        "--publish-state", str(warehouse / "publish_state"),
        "--history", str(warehouse / "runs"),
        "--alert-log", str(warehouse / "alerts.jsonl"),
        *extra,
    ]  # fmt: skip
