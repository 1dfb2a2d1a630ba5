"""`flick-ops parity`: build on local Apache Spark and on DuckDB from one lake and compare every Gold model."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from flick_ops.dbt.runner import PROJECT_ROOT

EXIT_MISMATCH = 1
# Small enough for a local Spark session on 2 cores to build in a few minutes.
TINY_LAKE = {"accounts": 100, "days": 3, "events_per_day": 1000}
JAVA_INSTALL = "sudo apt-get install openjdk-17-jre-headless (Debian/Ubuntu), or set JAVA_HOME to a Java 17"


class ParityFailed(click.ClickException):
    exit_code = EXIT_MISMATCH


@click.command(epilog="Exit codes: 0 every Gold model matches, 1 a build failed or a model differs, 2 usage error.")
@click.option(
    "--lake",
    "lake_root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Existing lake to build from.  [default: a tiny generated lake: 100 accounts, 3 days, 1000 events a day]",
)
@click.option(
    "--work-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where both warehouses, dbt artifacts and logs go (must not hold an earlier run).  [default: a temporary folder]",
)
def parity(lake_root: Path | None, work_dir: Path | None) -> None:
    """Run seeds and models on local Spark (dbt-spark, session) and on DuckDB, then compare Gold.

    Every Gold model must have the same keys on both engines, numbers equal
    within rel 1e-6 / abs 1e-9 and timestamps equal to the millisecond. Spark
    exercises the spark__ macros that Databricks also dispatches to.
    Snapshots are not compared here (they need a second landing to show
    history): tests/integration/test_spark_incremental_snapshots.py runs them on
    Spark with the project's parquet materialization. Needs Java 17 and the
    `engines` extra.
    """
    from flick_ops.errors import require_program
    from flick_ops.salt import require_salt
    from flick_ops.spark.parity import ParityError, run_parity

    # Both engines hash with the checkout's salt, so hashed columns compare too.
    salt = require_salt(PROJECT_ROOT)
    java_home = os.environ.get("JAVA_HOME")
    require_program(
        "local Spark (pyspark)",
        "java",
        JAVA_INSTALL,
        candidates=(Path(java_home) / "bin" / "java",) if java_home else (),
    )
    with tempfile.TemporaryDirectory(prefix="flick-parity-") as scratch:
        work = Path(work_dir or scratch).resolve()
        if work.exists() and any(work.iterdir()):
            raise click.BadParameter(f"{work} is not empty", param_hint="--work-dir")
        lake = lake_root or _tiny_lake(work / "lake")
        try:
            report = run_parity(lake, work, _profiles_dir(work), email_hash_salt=salt)
        except ParityError as exc:
            raise ParityFailed(str(exc)) from exc
    click.echo(report.describe())
    if not report.passed:
        raise ParityFailed("Spark and DuckDB disagree (see the report above)")


def _tiny_lake(root: Path) -> Path:
    from flick_ops.generate import generate_lake
    from flick_ops.generate.world import GeneratorConfig

    generate_lake(GeneratorConfig(lake_root=root, **TINY_LAKE))
    return root


def _profiles_dir(work: Path) -> Path:
    """The user's profiles if they have a spark target, else a copy of the project's example (which has one)."""
    configured = Path(os.environ.get("DBT_PROFILES_DIR", PROJECT_ROOT))
    profiles = configured / "profiles.yml"
    if profiles.exists() and "type: spark" in profiles.read_text(encoding="utf-8"):
        return configured
    example = work / "profiles"
    example.mkdir(parents=True, exist_ok=True)
    (example / "profiles.yml").write_text(
        (PROJECT_ROOT / "profiles.example.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return example
