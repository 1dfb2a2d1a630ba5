"""Spark parity: build the project on local Apache Spark and on DuckDB from the same lake, compare Gold.

Databricks dispatches to the `spark__` macros, so a local Spark run exercises
the SQL that Databricks gets, without a workspace. Both builds run seeds and
models (tests run in CI on DuckDB); every Gold model is then compared row by
row on its primary key:

* the same set of keys on both engines;
* numbers equal within `rel 1e-6` or `abs 1e-9` (decimals and doubles are
  summed in a different order on each engine);
* timestamps equal to the millisecond; everything else exactly equal.

Run it with `flick-ops parity`.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from flick_ops.dbt import artifacts
from flick_ops.dbt.runner import PROJECT_ROOT, DbtWorkspace, run_dbt
from flick_ops.spark.session import load_landing_tables, local_spark_session

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import SparkSession

RELATIVE_TOLERANCE = 1e-6
ABSOLUTE_TOLERANCE = 1e-9
# Seeds and models: both engines build the same nodes. Snapshots need a
# second landing to show anything, so flick_ops.spark.two_step runs them.
BUILD_ARGS = ("build", "--exclude", "resource_type:test", "resource_type:unit_test", "resource_type:snapshot")
MISMATCH_EXAMPLES = 3


class ParityError(RuntimeError):
    """A build failed, so there is nothing to compare."""


# When the run that wrote a row started: differs between any two builds, so never compared.
RUN_STAMPS = frozenset({"_refreshed_at"})


@dataclass(frozen=True)
class GoldModel:
    name: str
    relation: str  # schema.identifier, the same on both engines
    key: tuple[str, ...]


@dataclass(frozen=True)
class ModelComparison:
    model: GoldModel
    rows_duckdb: int
    rows_spark: int
    mismatches: int
    examples: tuple[str, ...] = ()

    @property
    def matches(self) -> bool:
        return self.mismatches == 0


@dataclass(frozen=True)
class ParityReport:
    comparisons: tuple[ModelComparison, ...]
    not_built_on_spark: tuple[str, ...]
    seconds: Mapping[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return bool(self.comparisons) and not self.not_built_on_spark and all(c.matches for c in self.comparisons)

    def describe(self) -> str:
        header = ("model", "key", "rows DuckDB", "rows Spark", "mismatches")
        rows = [
            (c.model.name, ", ".join(c.model.key), f"{c.rows_duckdb:,}", f"{c.rows_spark:,}", f"{c.mismatches:,}")
            for c in self.comparisons
        ]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
        lines = [
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in [header, *rows]
        ]
        lines.insert(1, "  ".join("-" * width for width in widths))
        for comparison in self.comparisons:
            lines.extend(f"  {comparison.model.name}: {example}" for example in comparison.examples)
        lines.extend(f"not built on Spark: {name}" for name in self.not_built_on_spark)
        timing = ", ".join(f"{step} {seconds:.0f} s" for step, seconds in self.seconds.items())
        matched = sum(c.matches for c in self.comparisons)
        verdict = "PASS" if self.passed else "FAIL"
        lines.append(f"{verdict}: {matched} of {len(self.comparisons)} Gold models match ({timing})")
        return "\n".join(lines)


def build_duckdb(lake_root: Path, work_dir: Path, profiles_dir: Path, email_hash_salt: str) -> DbtWorkspace:
    workspace = DbtWorkspace.in_folder(Path(work_dir) / "duckdb", lake_root=lake_root)
    environment = {"DBT_PROFILES_DIR": str(profiles_dir), "FLICK_EMAIL_HASH_SALT": email_hash_salt}
    outcome = run_dbt(BUILD_ARGS, workspace, extra_env=environment)
    if not outcome.succeeded:
        raise ParityError(f"dbt build on DuckDB failed:\n{outcome.output[-4000:]}")
    return workspace


def build_spark(session: SparkSession, lake_root: Path, work_dir: Path, profiles_dir: Path) -> dict[str, str]:
    """Load the lake into `session` and run dbt on it in this process; returns each node's status by name."""
    load_landing_tables(session, lake_root)
    return run_dbt_on_spark(BUILD_ARGS, Path(work_dir) / "spark", profiles_dir)


def run_dbt_on_spark(dbt_args: Sequence[str], target: Path, profiles_dir: Path) -> dict[str, str]:
    """Run dbt against the `spark` target in this process (the active session); returns each node's status by name."""
    from dbt.cli.main import dbtRunner

    # PySpark logs every failed statement with its JVM stack trace; dbt reports the error itself.
    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
    args = [
        *dbt_args,
        "--target",
        "spark",
        "--project-dir",
        str(PROJECT_ROOT),
        "--profiles-dir",
        str(profiles_dir),
        "--target-path",
        str(target / "target"),
        "--log-path",
        str(target / "logs"),
    ]
    result = dbtRunner().invoke(args)
    results = (artifacts.read_run_results(target / "target") or {}).get("results", [])
    if result.exception is not None or not results:
        raise ParityError(f"dbt {dbt_args[0]} on Spark did not run: {result.exception}")
    return {entry["unique_id"].split(".")[-1]: entry["status"] for entry in results}


def gold_models(target_path: Path) -> list[GoldModel]:
    """Every Gold model in the dbt manifest of a target folder with its primary key, taken from its key tests."""
    manifest = artifacts.read_manifest(target_path)
    keys = _primary_keys(manifest["nodes"].values())
    return sorted(
        (
            GoldModel(node["name"], f"{node['schema']}.{node['alias']}", keys.get(node["unique_id"], ()))
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and "gold" in node["tags"]
        ),
        key=lambda model: model.name,
    )


def _primary_keys(nodes: Iterable[dict]) -> dict[str, tuple[str, ...]]:
    """A composite-key test wins over a single `unique` column; among those, the first column tested."""
    composite: dict[str, tuple[str, ...]] = {}
    single: dict[str, str] = {}
    for node in nodes:
        metadata = node.get("test_metadata") or {}
        model_id = node.get("attached_node")
        if node["resource_type"] != "test" or not model_id:
            continue
        if metadata.get("name") == "unique_combination_of_columns":
            composite.setdefault(model_id, tuple(metadata["kwargs"]["combination_of_columns"]))
        elif metadata.get("name") == "unique":
            single.setdefault(model_id, metadata["kwargs"]["column_name"])
    return {**{model: (column,) for model, column in single.items()}, **composite}


def compare_gold(duckdb_path: Path, session: SparkSession, models: Sequence[GoldModel]) -> list[ModelComparison]:
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        return [
            compare_tables(
                model,
                connection.sql(f"select * from {model.relation}").to_arrow_table(),
                session.table(model.relation).toArrow(),
            )
            for model in models
        ]


def compare_tables(model: GoldModel, duckdb_table: pa.Table, spark_table: pa.Table) -> ModelComparison:
    """Row-by-row comparison of one model's rows from each engine on the model's key."""
    examples: list[str] = []
    column_difference = (set(duckdb_table.column_names) ^ set(spark_table.column_names)) - RUN_STAMPS
    if column_difference:
        examples.append(f"columns on one engine only: {sorted(column_difference)}")
    columns = [
        name for name in duckdb_table.column_names if name in spark_table.column_names and name not in RUN_STAMPS
    ]
    key = model.key or tuple(columns)
    duckdb_by_key = _by_key(duckdb_table.select(columns).to_pylist(), key)
    spark_by_key = _by_key(spark_table.select(columns).to_pylist(), key)
    mismatches = len(column_difference) + _duplicate_keys(duckdb_table, duckdb_by_key, "DuckDB", examples)
    mismatches += _duplicate_keys(spark_table, spark_by_key, "Spark", examples)
    for row_key in sorted(duckdb_by_key.keys() | spark_by_key.keys(), key=repr):
        difference = _row_difference(duckdb_by_key.get(row_key), spark_by_key.get(row_key), columns)
        if difference:
            mismatches += 1
            if len(examples) < MISMATCH_EXAMPLES:
                examples.append(f"key {row_key}: {difference}")
    return ModelComparison(model, duckdb_table.num_rows, spark_table.num_rows, mismatches, tuple(examples))


def _by_key(rows: list[dict], key: Sequence[str]) -> dict[tuple, dict]:
    return {tuple(_normalise(row[column]) for column in key): row for row in rows}


def _duplicate_keys(table: pa.Table, by_key: dict, engine: str, examples: list[str]) -> int:
    duplicates = table.num_rows - len(by_key)
    if duplicates:
        examples.append(f"{duplicates} rows on {engine} repeat a key")
    return duplicates


def _row_difference(duckdb_row: dict | None, spark_row: dict | None, columns: Sequence[str]) -> str:
    if duckdb_row is None:
        return "only on Spark"
    if spark_row is None:
        return "only on DuckDB"
    differing = [
        f"{column} DuckDB={duckdb_row[column]!r} Spark={spark_row[column]!r}"
        for column in columns
        if not values_match(duckdb_row[column], spark_row[column])
    ]
    return "; ".join(differing)


def values_match(left: Any, right: Any) -> bool:
    left, right = _normalise(left), _normalise(right)
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE)
    return left == right


def _normalise(value: Any) -> Any:
    """One representation per value across engines: numbers as float, timestamps as naive UTC to the millisecond."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | Decimal):
        return float(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value


def run_parity(lake_root: Path, work_dir: Path, profiles_dir: Path, *, email_hash_salt: str) -> ParityReport:
    """Build on DuckDB and on local Spark from the same lake, then compare every Gold model."""
    seconds: dict[str, float] = {}
    started = time.monotonic()
    # The DuckDB build is a separate process, so it runs while Spark builds.
    with ThreadPoolExecutor(max_workers=1) as pool:
        duckdb_build = pool.submit(build_duckdb, lake_root, work_dir, profiles_dir, email_hash_salt)
        session = local_spark_session(Path(work_dir) / "spark-session", email_hash_salt=email_hash_salt)
        statuses = build_spark(session, lake_root, work_dir, profiles_dir)
        seconds["Spark load and build"] = time.monotonic() - started
        duckdb_workspace = duckdb_build.result()
    seconds["both builds"] = time.monotonic() - started

    started = time.monotonic()
    models = gold_models(duckdb_workspace.target_path)
    built = [model for model in models if statuses.get(model.name) == "success"]
    comparisons = compare_gold(duckdb_workspace.duckdb_path, session, built)
    seconds["compare"] = time.monotonic() - started
    not_built = tuple(f"{m.name} ({statuses.get(m.name, 'not run')})" for m in models if m not in built)
    return ParityReport(tuple(comparisons), not_built, seconds)
