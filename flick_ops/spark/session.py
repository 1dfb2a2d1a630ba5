"""A local Apache Spark session that sees the lake the way the Bronze models expect.

On DuckDB the Bronze sources read the lake's intake zone (`_intake/`, the
files `flick_ops.lake.intake` checked) in place through each source's
`external_location` (models/bronze/*/_*__sources.yml). Spark has no such hook,
so this module runs the intake and loads every checked file into the source's
table (`landing_<source>.<table>`) with the same columns DuckDB's reader gives:

* JSON lines: `value` (one line of text), `filename`, `ingest_date`;
* CSV entities: every column of the intake's canonical copy as a string
  (the contract's columns, `_raw_payload`, `_intake_issue`), plus `filename`
  and `ingest_date`;
* the intake manifest (`landing_intake.landed_files`), from its parquet file.

The source YAML stays the one statement of where each table lives: the lake
folder and the reader kind are taken from its `external_location`.

dbt-spark's `method: session` connects with `SparkSession.builder.getOrCreate()`,
so dbt run in the same process after `local_spark_session()` sees these tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flick_ops.lake.contract import LAKE_FOLDER, declared_tables
from flick_ops.lake.intake import intake_root, run_intake

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SPARK_SALT_VARIABLE = "flick_email_hash_salt"

# `.../_intake/${name}.parquet`: a file the intake writes, read whole.
_INTAKE_FILE = re.compile(r"/_intake/(?P<name>\w+|\$\{name\})\.parquet")


@dataclass(frozen=True)
class LandingTable:
    """One Bronze source table: where its files lie and how DuckDB reads them."""

    schema: str
    name: str
    lake_folder: str  # relative to the intake zone, e.g. bronze/vendor/catalog; or the intake's own parquet file
    extension: str  # of the files: jsonl, csv or parquet
    reads_lines: bool  # one `value` column per line, rather than parsed CSV columns

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"


def landing_tables(project_dir: Path = PROJECT_ROOT) -> list[LandingTable]:
    """Every Bronze source table declared in the project's source YAML."""
    return [
        _landing_table(table.schema, table.name, table.external_location, table.declared_in)
        for table in declared_tables(project_dir)
    ]


def _landing_table(schema: str, name: str, location: str, declared_in: Path) -> LandingTable:
    intake_file = _INTAKE_FILE.search(location)
    if intake_file is not None:
        file_name = name if intake_file["name"] == "${name}" else intake_file["name"]
        return LandingTable(schema, name, f"{file_name}.parquet", "parquet", reads_lines=False)
    match = LAKE_FOLDER.search(location)
    if match is None:
        raise ValueError(f"{declared_in}: source table {schema}.{name} has no lake folder in its external_location")
    entity = name if match["entity"] == "${name}" else match["entity"]
    return LandingTable(
        schema=schema,
        name=name,
        lake_folder=f"bronze/{match['source']}/{entity}",
        extension=match["ext"],
        reads_lines="columns={'value'" in location,
    )


def local_spark_session(work_dir: Path, *, email_hash_salt: str | None = None) -> SparkSession:
    """A small local session (2 cores, UTC) whose warehouse and metastore live under work_dir.

    The salt becomes the session variable the `spark__email_hash_salt` macro
    reads, so it never appears in SQL that dbt writes to target/ or its log.
    """
    from pyspark.sql import SparkSession

    work_dir = Path(work_dir).resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("flick-parity")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.sql.warehouse.dir", str(work_dir / "spark-warehouse"))
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    # Declared even without a salt, so salted_hash fails with its own message rather than an unresolved name.
    session.sql(f"declare or replace variable {SPARK_SALT_VARIABLE} string")
    if email_hash_salt:
        session.sql(f"set var {SPARK_SALT_VARIABLE} = :salt", args={"salt": email_hash_salt})
    return session


def load_landing_tables(session: SparkSession, lake_root: Path, project_dir: Path = PROJECT_ROOT) -> None:
    """(Re)load every Bronze source table from the lake's intake zone into a parquet table of the session's warehouse."""
    lake_root = Path(lake_root).resolve()
    run_intake(lake_root, project_dir)
    for table in landing_tables(project_dir):
        session.sql(f"create database if not exists {table.schema}")
        if table.extension == "parquet":
            frame = session.read.parquet(str(intake_root(lake_root) / table.lake_folder))
        else:
            frame = _read_landed_files(session, intake_root(lake_root) / table.lake_folder, table)
        frame.write.mode("overwrite").format("parquet").saveAsTable(table.qualified_name)


def _read_landed_files(session: SparkSession, folder: Path, table: LandingTable) -> DataFrame:
    files = sorted(folder.glob(f"ingest_date=*/*.{table.extension}"))
    if not files:
        raise FileNotFoundError(f"{table.qualified_name}: no landed *.{table.extension} files under {folder}")
    if table.reads_lines:
        frame = session.read.option("pathGlobFilter", f"*.{table.extension}").text(str(folder))
        return _with_lineage(frame, folder)
    # The intake's canonical copies of an entity all carry the same header.
    return _read_csv_files(session, folder, files)


def _read_csv_files(session: SparkSession, folder: Path, files: list[Path]) -> DataFrame:
    # RFC 4180 as the contract says: quoted fields may hold commas, quotes and
    # newlines. No schema inference: Bronze takes every field as text.
    frame = session.read.option("basePath", str(folder)).csv(
        [str(path) for path in files],
        header=True,
        multiLine=True,
        quote='"',
        escape='"',
        inferSchema=False,
    )
    return _with_lineage(frame, folder)


def _with_lineage(frame: DataFrame, folder: Path) -> DataFrame:
    """DuckDB's `filename` (the plain path, as globbed) and hive `ingest_date` columns.

    The path is rebuilt from the folder, the partition and the file name rather
    than taken from Spark's file URI, which percent-encodes and adds `file:`;
    `_bronze_row_id` hashes it, so it must be the same text on both engines.
    """
    from pyspark.sql import functions as F

    filename = F.concat(
        F.lit(f"{folder}/ingest_date="),
        F.date_format("ingest_date", "yyyy-MM-dd"),
        F.lit("/"),
        F.col("_metadata.file_name"),
    )
    return frame.withColumn("ingest_date", F.col("ingest_date").cast("date")).withColumn("filename", filename)
