"""Benchmark: the warehouse at 1M and 10M playback events on this machine, beside what reading Bronze once costs.

For each size, a 31-day lake is generated (accounts grow with the events:
1M events → 5,000 accounts, 10M → 30,000) and the warehouse is built from its
first 30 days, brought up to date twice, then built once more with nothing new:

* generate: `flick-ops generate` of the 31 days (events per second);
* read-once floor: DuckDB reading every Bronze table the build reads, once,
  through the very read functions the sources use (their `external_location`)
  and with the DuckDB settings the dbt profile gives (threads, memory limit).
  Every documented column of every row is decoded: a CSV column by the CSV
  reader, a JSON-lines field by one JSON parse of its line (the JSON sources
  land as one text column, which the staging models parse). `max()` over each
  column forces the decoding; a bare `count(*)` would let the CSV reader count
  lines without parsing them, which no model can do;
* full build: `dbt build` of seeds and models (tests and snapshots excluded,
  so the Spark row builds the same nodes) on days 1-30 into an empty warehouse;
* incremental, new day: day 31's files of every source land, and the same
  `dbt build` runs again on the warehouse the full build left;
* incremental, late events: 0.5% of days 28-30's playback events were held
  back from the lake and now arrive, enqueued on day 32, and the build runs again;
* incremental, nothing new: the same build once more with nothing landed, what
  any incremental run costs before its new data (dbt's own work per node and
  the models rebuilt whole);
* Spark (1M and under): the same build on local Apache Spark through dbt-spark
  (`flick_ops.spark`), days 1-30, loading the lake included.

After each incremental build every incremental model must have taken dbt's
incremental path (its run SQL changes the table in place rather than
recreating it) and the rows the landing added must show up; otherwise the
benchmark fails, because it would be timing something else.

Every step runs in its own process; its peak memory is the largest sum of RSS
over the process and all its descendants (dbt's and Spark's JVM included),
sampled every 0.2 s. The acceptance checks of issue 9 are printed under the
table, each with PASS or MISS.

    python -m benchmarks.scale --sizes 1m,10m        # what `python -m benchmarks` runs
    python -m benchmarks.scale --sizes 100k --skip-spark   # a quick look
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import click
import duckdb
import yaml

from flick_ops.dbt_invocation import PROJECT_ROOT, DbtWorkspace
from flick_ops.spark.parity import BUILD_ARGS

RESULTS_FILE = Path(__file__).resolve().parent / "results" / "scale.json"
DAYS = 30
START = date(2026, 10, 1)
LATE_SHARE_PER_MILLE = 5  # of days 28-30's playback lines held back and delivered late
LATE_DAYS = 3
SAMPLE_SECONDS = 0.2
STEP_TIMEOUT_SECONDS = 4 * 3600
SPARK_MAX_EVENTS = 1_000_000  # local Spark on 2 cores: larger lakes take hours
DBT = (sys.executable, "-c", "from dbt.cli.main import cli; cli()")
_LAKE_ROOT_EXPRESSION = re.compile(r"\{\{ var\(\"lake_root\"\).*?env_var\([^)]*\) \}\}")

# Issue 9's acceptance targets.
MAX_FULL_BUILD_TO_FLOOR = 5.0
MAX_INCREMENTAL_SHARE = 0.15
MAX_PEAK_RSS_MB = 4096
MIN_SPARK_TO_DUCKDB = 5.0

FULL_BUILD = "dbt full build (30 days)"
NEW_DAY = "dbt incremental: one new day"
LATE_EVENTS = "dbt incremental: late events"
NOTHING_NEW = "dbt incremental: nothing new"
FLOOR = "read-once floor (all Bronze)"
SPARK = "Spark full build (30 days)"
GENERATE = "generate (31 days)"
DUCKDB_STEPS = (FLOOR, FULL_BUILD, NEW_DAY, LATE_EVENTS, NOTHING_NEW)


@dataclass(frozen=True)
class Size:
    label: str
    events: int

    @property
    def accounts(self) -> int:
        # 5,000 accounts at 1M events, 30,000 at 10M: more viewers, and more viewing each.
        return max(200, int(round(5_000 * (self.events / 1_000_000) ** 0.778, -2)))


@dataclass(frozen=True)
class Row:
    benchmark: str
    size: str
    events: int
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    ratio_to_floor: float | None = None
    note: str = ""
    slowest_nodes: tuple[str, ...] = ()  # of a dbt build, where its time went


@dataclass(frozen=True)
class Check:
    check: str
    size: str
    measured: str
    target: str
    passed: bool
    applies_at: str  # the size issue 9 states the target for


@dataclass(frozen=True)
class Measured:
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    output: str


class StepFailed(RuntimeError):
    pass


def parse_size(text: str) -> Size:
    match = re.fullmatch(r"(\d+)([km])", text.strip().lower())
    if not match:
        raise click.BadParameter(f"{text!r}: sizes look like 100k, 1m or 10m")
    return Size(text.strip().lower(), int(match[1]) * {"k": 1_000, "m": 1_000_000}[match[2]])


# ---- measuring one step ----------------------------------------------------------------------


def measure(command: list[str], *, env: dict[str, str] | None = None, cwd: Path = PROJECT_ROOT) -> Measured:
    """Run `command` to the end; wall and CPU seconds, and the peak RSS of its whole process tree."""
    cpu_before = _children_cpu_seconds()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = TreeUsage(0, 0.0)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(SAMPLE_SECONDS):
            now = _tree_usage(process.pid)
            peak = TreeUsage(max(peak.rss_kb, now.rss_kb), max(peak.cpu_seconds, now.cpu_seconds))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        output, _ = process.communicate(timeout=STEP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        _kill_tree(process)
        raise StepFailed(f"{' '.join(command[:4])}... ran over {STEP_TIMEOUT_SECONDS} s") from None
    except BaseException:
        _kill_tree(process)  # interrupted: leave no dbt build or JVM running behind
        raise
    finally:
        stop.set()
        sampler.join()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise StepFailed(f"{' '.join(command[:4])}... exited {process.returncode}: {output[-4000:]}")
    # getrusage counts every descendant that was waited for, to the last tick; the samples also
    # count one that never is (PySpark leaves its JVM to end on its own when Python exits).
    cpu_seconds = max(_children_cpu_seconds() - cpu_before, peak.cpu_seconds)
    return Measured(seconds, cpu_seconds, peak.rss_kb / 1024, output)


@dataclass(frozen=True)
class TreeUsage:
    rss_kb: int
    cpu_seconds: float


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tree_usage(pid: int) -> TreeUsage:
    """RSS and CPU time, so far, of `pid` and its descendants (a descendant's once it ends is its parent's)."""
    rss_kb, cpu_ticks = 0, 0
    for current in _process_tree(pid):
        try:
            rss_kb += _rss_kb(current)
            # Fields 14-17 of /proc/<pid>/stat: user and system time, own and of children waited for.
            fields = Path(f"/proc/{current}/stat").read_text().rpartition(")")[2].split()
            cpu_ticks += sum(int(ticks) for ticks in fields[11:15])
        except (FileNotFoundError, ProcessLookupError):
            continue  # ended since the tree was listed
    return TreeUsage(rss_kb, cpu_ticks / os.sysconf("SC_CLK_TCK"))


def _process_tree(pid: int) -> list[int]:
    """`pid` and its living descendants, parents first."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop(0)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue  # ended between two reads
        tree.append(current)
    return tree


def _kill_tree(process: subprocess.Popen) -> None:
    for pid in _process_tree(process.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
    process.communicate()


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0  # a zombie has no memory left


# ---- lakes ------------------------------------------------------------------------------------


def generate(size: Size, folder: Path) -> tuple[Path, Measured]:
    lake = folder / "generated"
    command = [sys.executable, "-m", "flick_ops.cli", "generate", "--lake", str(lake), "--quiet"]
    command += ["--days", str(DAYS + 1), "--accounts", str(size.accounts)]
    command += ["--events-per-day", str(size.events // DAYS), "--start-date", START.isoformat()]
    return lake, measure(command)


def first_30_days(generated: Path, lake: Path) -> int:
    """Hard-link days 1-30 of every source into `lake`, holding back late events of days 28-30; returns events."""
    day_31 = START + timedelta(days=DAYS)
    events = 0
    for path in sorted((generated / "bronze").rglob("ingest_date=*/*")):
        ingest_date = date.fromisoformat(path.parent.name.removeprefix("ingest_date="))
        if ingest_date >= day_31:
            continue
        target = lake / path.relative_to(generated)
        target.parent.mkdir(parents=True, exist_ok=True)
        if _is_playback(path) and ingest_date > day_31 - timedelta(days=LATE_DAYS + 1):
            kept = [line for line in _lines(path) if not _held_back(line)]
            target.write_text("".join(kept), encoding="utf-8")
        else:
            os.link(path, target)
        if _is_playback(path):
            events += _line_count(target)
    return events


def land_day_31(generated: Path, lake: Path) -> int:
    """Every source's files of day 31, as the day's landing delivers them; returns the playback events."""
    day_31 = f"ingest_date={START + timedelta(days=DAYS)}"
    events = 0
    for path in sorted((generated / "bronze").rglob(f"{day_31}/*")):
        target = lake / path.relative_to(generated)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, target)
        if _is_playback(path):
            events += _line_count(path)
    return events


def land_late_events(generated: Path, lake: Path) -> int:
    """The held-back events of days 28-30, as a device syncing them on day 32 delivers them."""
    day_32 = START + timedelta(days=DAYS + 1)
    late: list[str] = []
    for days_back in range(LATE_DAYS):
        folder = generated / "bronze/playback/events" / f"ingest_date={START + timedelta(days=DAYS - 1 - days_back)}"
        for path in sorted(folder.glob("*.jsonl")):
            late.extend(_delivered_on(line, day_32) for line in _lines(path) if _held_back(line))
    target = lake / "bronze/playback/events" / f"ingest_date={day_32}" / "part-00000.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(late), encoding="utf-8")
    return len(late)


def _is_playback(path: Path) -> bool:
    return path.parts[-4:-2] == ("playback", "events")


def _lines(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="\n") as handle:
        return handle.readlines()


def _line_count(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


def _held_back(line: str) -> bool:
    # Whole, readable events only, picked by a hash so the choice is the same on every run.
    if not line.rstrip().endswith("}"):
        return False
    return int(hashlib.blake2b(line.encode(), digest_size=4).hexdigest(), 16) % 1000 < LATE_SHARE_PER_MILLE


def _delivered_on(line: str, day: date) -> str:
    event = json.loads(line)
    event["enqueued_time"] = f"{day.isoformat()}T00:30:00.000Z"
    return json.dumps(event, separators=(",", ":")) + "\n"


# ---- DuckDB as the profile sets it up -------------------------------------------------------------


def profile_settings(folder: Path, lake: Path) -> dict[str, str]:
    """memory_limit and threads as DuckDB reports them on a connection of the dbt profile.

    Asked through dbt in a workspace of its own, so that the full build still
    parses the project from scratch.
    """
    workspace = DbtWorkspace.in_folder(folder / "settings-probe", lake_root=lake)
    query = "select current_setting('memory_limit') as memory_limit, current_setting('threads') as threads"
    command = [*DBT, "show", "--inline", query, "--output", "json", "--log-format", "json", "--target", "duckdb"]
    output = measure(command, env=workspace.environment()).output
    for line in output.splitlines():
        data = json.loads(line).get("data", {}) if line.startswith("{") else {}
        if "preview" in data:
            (settings,) = json.loads(data["preview"])
            return {name: str(value) for name, value in settings.items()}
    raise StepFailed(f"dbt show printed no settings: {output[-2000:]}")


def describe_settings(settings: dict[str, str]) -> str:
    memory_limit = os.environ.get("FLICK_DUCKDB_MEMORY_LIMIT")
    source = f"FLICK_DUCKDB_MEMORY_LIMIT={memory_limit}" if memory_limit else "the profile's default"
    return (
        f"DuckDB as the dbt profile sets it up: memory_limit {settings['memory_limit']} ({source}), "
        f"threads {settings['threads']}, spilling to <warehouse>.tmp"
    )


# ---- the read-once floor -------------------------------------------------------------------------


@dataclass(frozen=True)
class BronzeTable:
    name: str
    reader: str  # the source's read function, pointed at the lake
    columns: tuple[str, ...]  # as documented in the source YAML


def bronze_tables(lake: Path) -> list[BronzeTable]:
    """Every Bronze source table the build reads, with the read function its `external_location` gives.

    Tables without documented columns (the `*_lines` views of CSV files) are
    left out: only a data test reads them, and the benchmark builds no tests.
    """
    tables = []
    for path in sorted(PROJECT_ROOT.glob("models/bronze/*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]:
            for table in source["tables"]:
                columns = tuple(column["name"] for column in table.get("columns", []))
                if not columns:
                    continue
                location = _location(table) or _location(source)
                located = _LAKE_ROOT_EXPRESSION.sub(lambda _: str(lake.resolve()), location)
                reader = located.replace("${name}", table["name"])
                tables.append(BronzeTable(f"{source['name']}.{table['name']}", reader, columns))
    return tables


def _location(node: dict) -> str | None:
    return ((node.get("config") or {}).get("meta") or {}).get("external_location")


def decode_all_columns(table: BronzeTable) -> str:
    """A query that decodes every documented column of every row of `table`, with each column's maximum.

    A column the reader gives is decoded by the reader; the others are fields
    of the JSON line in `value`, all taken with one parse of the line (`try`:
    Bronze keeps malformed lines, which decode to nulls).
    """
    with duckdb.connect() as connection:
        given = {row[0] for row in connection.sql(f"describe select * from {table.reader}").fetchall()}
    in_json = [column for column in table.columns if column not in given]
    if not in_json:
        return f"select max(columns(*)) from {table.reader}"
    if "value" not in given:
        raise StepFailed(f"{table.name}: documented columns {in_json} are neither read nor in a JSON `value` line")
    paths = ", ".join(f"'$.{column}'" for column in in_json)
    fields = ", ".join(f'fields[{i}] as "{column}"' for i, column in enumerate(in_json, start=1))
    decoded_by_reader = ", ".join(f'"{column}"' for column in sorted(given - {"value"}))
    return (
        f"select max(columns(*)) from (select {decoded_by_reader}, {fields} from ("
        f"select *, try(json_extract_string(value, [{paths}])) as fields from {table.reader}))"
    )


_FLOOR_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import duckdb
    settings, queries = json.loads(sys.argv[1])
    connection = duckdb.connect()
    connection.execute(f"set threads = {int(settings['threads'])}")
    connection.execute("set memory_limit = ?", [settings["memory_limit"]])
    for query in queries:
        connection.execute(query).fetchall()
    """
)


def read_once(lake: Path, settings: dict[str, str]) -> Measured:
    queries = [decode_all_columns(table) for table in bronze_tables(lake)]
    return measure([sys.executable, "-c", _FLOOR_SCRIPT, json.dumps([settings, queries])])


# ---- dbt builds ----------------------------------------------------------------------------------


def dbt_build(workspace: DbtWorkspace) -> Measured:
    # dbt leaves earlier runs' SQL in target/run; only this run's may speak for it.
    shutil.rmtree(workspace.target_path / "run", ignore_errors=True)
    return measure([*DBT, *BUILD_ARGS, "--target", "duckdb"], env=workspace.environment())


def slowest_nodes(target_path: Path, count: int = 5) -> tuple[str, ...]:
    results = json.loads((target_path / "run_results.json").read_text(encoding="utf-8"))["results"]
    ranked = sorted(results, key=lambda result: result["execution_time"], reverse=True)[:count]
    return tuple(f"{result['unique_id'].split('.')[-1]} {result['execution_time']:.1f} s" for result in ranked)


def incremental_models(workspace: DbtWorkspace) -> dict[str, str]:
    """Each incremental model's relation, by model name, from the last run's manifest."""
    manifest = json.loads((workspace.target_path / "manifest.json").read_text(encoding="utf-8"))
    return {
        node["name"]: node["relation_name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("materialized") == "incremental"
    }


def recreated_models(workspace: DbtWorkspace) -> list[str]:
    """Incremental models the last run rebuilt from scratch: their run SQL creates the table instead of changing it."""
    manifest = json.loads((workspace.target_path / "manifest.json").read_text(encoding="utf-8"))
    recreated = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["config"].get("materialized") != "incremental":
            continue
        run_sql = workspace.target_path / "run" / node["package_name"] / node["original_file_path"]
        if not run_sql.exists() or run_sql.read_text(encoding="utf-8").lstrip().lower().startswith("create"):
            recreated.append(node["name"])
    return sorted(recreated)


def row_counts(workspace: DbtWorkspace, relations: dict[str, str]) -> dict[str, int]:
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as connection:
        return {name: connection.sql(f"select count(*) from {rel}").fetchall()[0][0] for name, rel in relations.items()}


def incremental_build(workspace: DbtWorkspace, name: str) -> Measured:
    """`dbt build` on the warehouse; fails if an incremental model was rebuilt from scratch."""
    build = dbt_build(workspace)
    recreated = recreated_models(workspace)
    if recreated:
        raise StepFailed(f"{name}: rebuilt from scratch instead of incrementally: {', '.join(recreated)}")
    return build


def incremental_step(workspace: DbtWorkspace, landed: int, name: str) -> tuple[Measured, str]:
    """Build after a landing; fails unless every incremental model ran incrementally and took on rows."""
    if landed == 0:
        raise StepFailed(f"{name}: nothing landed")
    relations = incremental_models(workspace)
    before = row_counts(workspace, relations)
    build = incremental_build(workspace, name)
    after = row_counts(workspace, relations)
    moved = {model: after[model] - before[model] for model in relations}
    if not any(moved.values()):
        raise StepFailed(f"{name}: {landed:,} events landed but no incremental model changed its row count")
    return build, ", ".join(f"{model} {change:+,} rows" for model, change in sorted(moved.items()))


def spark_build(lake: Path, folder: Path) -> Measured:
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from flick_ops.commands.parity import _profiles_dir
        from flick_ops.spark.parity import build_spark
        from flick_ops.dbt_invocation import PROJECT_ROOT
        from flick_ops.salt import require_salt
        from flick_ops.spark.session import local_spark_session
        work = Path(sys.argv[2])
        session = local_spark_session(work / "spark-session", email_hash_salt=require_salt(PROJECT_ROOT))
        statuses = build_spark(session, Path(sys.argv[1]), work, _profiles_dir(work))
        failed = {name: status for name, status in statuses.items() if status not in ("success", "no-op")}
        sys.exit(f"not built on Spark: {failed}" if failed else 0)
        """
    )
    return measure([sys.executable, "-c", script, str(lake), str(folder)])


# ---- one size ---------------------------------------------------------------------------------


def run_size(size: Size, scratch: Path) -> tuple[list[Row], dict[str, str]]:
    """The DuckDB rows of one size, and the DuckDB settings they ran with."""
    folder = scratch / size.label
    generated, generation = generate(size, folder)
    lake = folder / "lake"
    events = first_30_days(generated, lake)
    generated_events = sum(_line_count(path) for path in generated.glob("bronze/playback/events/*/*.jsonl"))
    throughput = f"{generated_events / generation.seconds:,.0f} events/s, all six sources"
    rows = [Row(GENERATE, size.label, generated_events, *_figures(generation), note=throughput)]
    _progress(size, f"generated {generated_events:,} events", generation)

    settings = profile_settings(folder, lake)
    _progress(size, describe_settings(settings))
    floor = read_once(lake, settings)
    rows.append(Row(FLOOR, size.label, events, *_figures(floor), 1.0, "every documented column decoded"))
    _progress(size, "read-once floor", floor)

    workspace = DbtWorkspace.in_folder(folder / "duckdb", lake_root=lake)
    full = dbt_build(workspace)
    slowest = slowest_nodes(workspace.target_path)
    rows.append(Row(FULL_BUILD, size.label, events, *_figures(full), full.seconds / floor.seconds, "", slowest))
    _progress(size, "full build", full)

    for name, land in ((NEW_DAY, land_day_31), (LATE_EVENTS, land_late_events)):
        landed = land(generated, lake)
        build, moved = incremental_step(workspace, landed, name)
        note = f"{100 * build.seconds / full.seconds:.0f}% of the full build; {moved}"
        ratio = build.seconds / floor.seconds
        rows.append(Row(name, size.label, landed, *_figures(build), ratio, note, slowest_nodes(workspace.target_path)))
        _progress(size, name, build)
    idle = incremental_build(workspace, NOTHING_NEW)
    note = f"{100 * idle.seconds / full.seconds:.0f}% of the full build: the cost of a run before its new data"
    ratio = idle.seconds / floor.seconds
    rows.append(Row(NOTHING_NEW, size.label, 0, *_figures(idle), ratio, note, slowest_nodes(workspace.target_path)))
    _progress(size, NOTHING_NEW, idle)
    return rows, settings


def spark_row(size: Size, scratch: Path, rows: list[Row]) -> Row:
    """The DuckDB full build's lake, built on local Spark; a failure is reported in the row, not raised."""
    folder = scratch / size.label
    lake = folder / "spark-lake"
    events = first_30_days(folder / "generated", lake)
    duckdb_full, floor = (_row(rows, size.label, name) for name in (FULL_BUILD, FLOOR))
    try:
        spark = spark_build(lake, folder / "spark")
    except StepFailed as exc:
        return Row(SPARK, size.label, events, 0.0, 0.0, 0.0, None, f"not measured: {str(exc)[-300:]}")
    note = f"Spark / DuckDB = {spark.seconds / duckdb_full.seconds:.1f}x"
    _progress(size, "Spark full build", spark)
    slowest = slowest_nodes(folder / "spark" / "spark" / "target")  # where flick_ops.spark.parity puts it
    return Row(SPARK, size.label, events, *_figures(spark), spark.seconds / floor.seconds, note, slowest)


def _row(rows: list[Row], size: str, benchmark: str) -> Row:
    return next(row for row in rows if row.size == size and row.benchmark == benchmark)


def _figures(measured: Measured) -> tuple[float, float, float]:
    return round(measured.seconds, 2), round(measured.cpu_seconds, 2), round(measured.peak_rss_mb, 1)


def _progress(size: Size, what: str, measured: Measured | None = None) -> None:
    figures = f": {measured.seconds:.0f} s, peak {measured.peak_rss_mb:,.0f} MB" if measured else ""
    click.echo(f"{size.label}: {what}{figures}", err=True)


# ---- acceptance ---------------------------------------------------------------------------------


def acceptance_checks(rows: list[Row]) -> list[Check]:
    """Issue 9's targets, for every size measured (each names the size the issue states it for)."""
    checks = []
    for size in dict.fromkeys(row.size for row in rows):
        floor, full, new_day = (_row(rows, size, name) for name in (FLOOR, FULL_BUILD, NEW_DAY))
        ratio, share = full.seconds / floor.seconds, new_day.seconds / full.seconds
        peak = max(row.peak_rss_mb for row in rows if row.size == size and row.benchmark in DUCKDB_STEPS)
        checks += [
            Check(
                "full build / floor",
                size,
                f"{ratio:.1f}x",
                f"<= {MAX_FULL_BUILD_TO_FLOOR:.0f}x",
                ratio <= MAX_FULL_BUILD_TO_FLOOR,
                "10m",
            ),
            Check(
                "incremental one day / full build",
                size,
                f"{share:.0%}",
                f"< {MAX_INCREMENTAL_SHARE:.0%}",
                share < MAX_INCREMENTAL_SHARE,
                "10m",
            ),
            Check(
                "peak RSS of the floor and dbt builds",
                size,
                f"{peak:,.0f} MB",
                f"< {MAX_PEAK_RSS_MB} MB",
                peak < MAX_PEAK_RSS_MB,
                "10m",
            ),
        ]
        spark = next((row for row in rows if row.size == size and row.benchmark == SPARK and row.seconds), None)
        if spark:
            speedup = spark.seconds / full.seconds
            checks.append(
                Check(
                    "Spark / DuckDB, full build",
                    size,
                    f"{speedup:.1f}x",
                    f">= {MIN_SPARK_TO_DUCKDB:.0f}x",
                    speedup >= MIN_SPARK_TO_DUCKDB,
                    "1m",
                )
            )
    return checks


# ---- report -------------------------------------------------------------------------------------


def table(rows: list[Row], checks: list[Check], settings: str) -> str:
    lines = [
        "| benchmark | size | events | seconds | CPU seconds | peak RSS MB | ratio to floor | note |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        ratio = f"{row.ratio_to_floor:.1f}" if row.ratio_to_floor is not None else ""
        lines.append(
            f"| {row.benchmark} | {row.size} | {row.events:,} | {row.seconds:.1f} | {row.cpu_seconds:.1f} "
            f"| {row.peak_rss_mb:,.0f} | {ratio} | {row.note} |"
        )
    lines += ["", settings, "", "| acceptance check | size | measured | target | result | issue states it at |"]
    lines.append("|---|---|---:|---|---|---|")
    for check in checks:
        result = "PASS" if check.passed else "MISS"
        lines.append(
            f"| {check.check} | {check.size} | {check.measured} | {check.target} | {result} | {check.applies_at} |"
        )
    lines += ["", "Slowest nodes of each build:"]
    lines += [f"- {row.benchmark}, {row.size}: {', '.join(row.slowest_nodes)}" for row in rows if row.slowest_nodes]
    return "\n".join(lines)


def run(sizes: list[Size], skip_spark: bool) -> dict:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="flick-bench-scale-") as scratch:
        for size in sizes:
            size_rows, settings = run_size(size, Path(scratch))
            rows += size_rows
            shutil.rmtree(Path(scratch) / size.label / "duckdb")  # a 10M warehouse is gigabytes
        # Last, so that a slow or failing Spark never costs the DuckDB figures.
        if not skip_spark:
            rows += [spark_row(size, Path(scratch), rows) for size in sizes if size.events <= SPARK_MAX_EVENTS]
    checks = acceptance_checks(rows)
    largest_full = [row for row in rows if row.benchmark == FULL_BUILD][-1]
    return {
        "benchmark": "scale",
        "items": largest_full.events,
        "unit": "events",
        "seconds": largest_full.seconds,
        "cpu_seconds": largest_full.cpu_seconds,
        "items_per_second": round(largest_full.events / largest_full.seconds),
        "peak_rss_mb": largest_full.peak_rss_mb,
        "details": {
            "build": " ".join(BUILD_ARGS),
            "duckdb_settings": settings,
            "rows": [asdict(row) for row in rows],
            "checks": [asdict(check) for check in checks],
            "table": table(rows, checks, describe_settings(settings)),
        },
    }


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--sizes", default="1m,10m", show_default=True, help="Playback events per lake, comma separated.")
@click.option("--skip-spark", is_flag=True, help="Leave out the local Spark build (1M and under only).")
def main(sizes: str, skip_spark: bool) -> None:
    """Time generation, the read-once floor, full and incremental builds, and Spark, at each size."""
    result = run([parse_size(size) for size in sizes.split(",")], skip_spark)
    RESULTS_FILE.parent.mkdir(exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    # The JSON last: `python -m benchmarks` reads the last line and prints the table itself.
    click.echo(result["details"]["table"])
    click.echo(json.dumps(result))


if __name__ == "__main__":
    main()
