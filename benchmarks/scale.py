"""Benchmark: the daily run, `flick-ops run`, at 1M and 10M playback events on this machine.

For each size, a 31-day lake is generated (accounts grow with the events:
1M events → 5,000 accounts, 10M → 30,000) and timed, step by step, against
a copy of the project (its own target/, so the checkout's is left alone):

* generate: `flick-ops generate` of the 31 days (events per second);
* native read floor: DuckDB's own readers, `read_json` and `read_csv`, reading
  every landed file of every Bronze feed once, every column as text, with the
  DuckDB settings the dbt profile gives (threads, memory limit). What the engine
  costs to read the lake before any parsing the project does;
* dbt build without tests, full: `dbt build` of seeds and models (tests and
  snapshots excluded, so the Spark row builds the same nodes) on days 1-30 into
  an empty warehouse, on a lake of its own;
* flick-ops run, first run: `flick-ops run --skip-share` (freshness, the build
  with its tests, publish to a local sink) on days 1-30 into an empty warehouse;
* flick-ops run, one new day: day 31's files of every source land, and the run
  again on the warehouse the first run left;
* flick-ops run, late events: 0.5% of days 28-30's playback events were held
  back from the lake and now arrive, enqueued on day 32, and the run again;
* flick-ops run, nothing new: the run once more with nothing landed;
* Spark (1M and under): the build without tests on local Apache Spark through
  dbt-spark (`flick_ops.spark`), days 1-30, loading the lake included.

Each run judges freshness on the lake's own time (`--as-of` the evening of
its last landed day) and keeps its history, alert log, local sink and publish
state in the benchmark's work folder. The runs get the profile's environment:
the warehouse and lake paths and a throwaway e-mail hash salt made for this
benchmark (never the checkout's salt file); nothing leaves the machine (no
Cosmos endpoint, webhook or Data Share).

After each run that follows a landing, every incremental model the run built
must have taken dbt's incremental path (its run SQL changes the table in place
rather than recreating it) and the landed rows must show up in them; the
acceptance line "incremental path" says whether they did.

Every step runs in its own process; its peak memory is the largest sum of RSS
over the process and all its descendants (dbt's and Spark's JVM included),
sampled every 0.2 s. A run's exit code is recorded, not raised: its figures
count either way. The acceptance checks are printed under the table, each
with PASS or MISS and the figures.

    python -m benchmarks.scale --sizes 1m,10m        # what `python -m benchmarks` runs
    python -m benchmarks.scale --sizes 100k --skip-spark   # a quick look
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import click
import duckdb

from flick_ops.dbt.artifacts import ArtifactsError, BuildArtifacts
from flick_ops.dbt.runner import PROJECT_ROOT, DbtWorkspace
from flick_ops.lake.contract import landed_entities
from flick_ops.run.history import run_ids
from flick_ops.salt import SALT_VARIABLE
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
FLICK_OPS = (sys.executable, "-m", "flick_ops.cli")
# Freshness is judged at this hour (UTC) of the newest landed ingest date, as a run that evening would.
AS_OF_HOUR = 23
# What a run could reach beyond this machine; the benchmark's runs get none of it.
OUTWARD_VARIABLES = ("FLICK_COSMOS_ENDPOINT", "FLICK_COSMOS_KEY", "FLICK_ALERT_WEBHOOK_URL", "AZURE_SUBSCRIPTION_ID")
# Not copied with the project: environments, artifacts, data and the checkout's own salt.
_NOT_COPIED = frozenset({".venv", ".git", ".flick", "target", "logs", "lake", "warehouse", "results", "node_modules"})

# The acceptance targets, at 10M events unless said otherwise.
MAX_FIRST_RUN_SECONDS = 150
MAX_NEW_DAY_SECONDS = 30
MAX_NOTHING_NEW_SECONDS = 10
MAX_FULL_BUILD_TO_FLOOR = 12.0
MAX_PEAK_RSS_MB = 4096
MIN_SPARK_TO_DUCKDB = 5.0
TARGET_SIZE = "10m"
SPARK_TARGET_SIZE = "1m"

GENERATE = "generate (31 days)"
FLOOR = "native read floor (all Bronze)"
FULL_BUILD = "dbt build without tests, full"
FIRST_RUN = "flick-ops run, first run (empty warehouse)"
NEW_DAY = "flick-ops run, one new day"
LATE_EVENTS = "flick-ops run, late events"
NOTHING_NEW = "flick-ops run, nothing new"
SPARK = "Spark build without tests, full"
RUNS = (FIRST_RUN, NEW_DAY, LATE_EVENTS, NOTHING_NEW)
# The steps of the warehouse itself, whose memory is judged (generating the lake and Spark's JVM are not).
WAREHOUSE_STEPS = (FLOOR, FULL_BUILD, *RUNS)
RUN_DESCRIPTION = (
    "flick-ops run --skip-share --as-of <23:00 of the newest ingest date>, with its own warehouse, history, "
    "alert log, local sink and publish state"
)
INCREMENTAL_PATH = "incremental path: incremental models changed in place, landed rows arrived"


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
    slowest_nodes: tuple[str, ...] = ()  # of a dbt build or run, where its time went
    exit_code: int | None = None  # of a `flick-ops run`
    incremental_problems: tuple[str, ...] = ()  # why a run after a landing did not take the incremental path


@dataclass(frozen=True)
class Check:
    check: str
    size: str
    measured: str
    target: str
    passed: bool
    applies_at: str  # the size the target is stated for


@dataclass(frozen=True)
class Measured:
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    output: str
    exit_code: int


class StepFailed(RuntimeError):
    pass


def parse_size(text: str) -> Size:
    match = re.fullmatch(r"(\d+)([km])", text.strip().lower())
    if not match:
        raise click.BadParameter(f"{text!r}: sizes look like 100k, 1m or 10m")
    return Size(text.strip().lower(), int(match[1]) * {"k": 1_000, "m": 1_000_000}[match[2]])


# ---- measuring one step ----------------------------------------------------------------------


def measure(
    command: list[str], *, env: dict[str, str] | None = None, cwd: Path = PROJECT_ROOT, check: bool = True
) -> Measured:
    """Run `command` to the end; wall and CPU seconds, the peak RSS of its whole process tree, and its exit code.

    A non-zero exit raises StepFailed unless `check` is false.
    """
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
    if check and process.returncode != 0:
        raise StepFailed(f"{' '.join(command[:4])}... exited {process.returncode}: {output[-4000:]}")
    # getrusage counts every descendant that was waited for, to the last tick; the samples also
    # count one that never is (PySpark leaves its JVM to end on its own when Python exits).
    cpu_seconds = max(_children_cpu_seconds() - cpu_before, peak.cpu_seconds)
    return Measured(seconds, cpu_seconds, peak.rss_kb / 1024, output, process.returncode)


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


def generate(size: Size, folder: Path, salt: str) -> tuple[Path, Measured]:
    lake = folder / "generated"
    command = [*FLICK_OPS, "generate", "--lake", str(lake), "--quiet"]
    command += ["--days", str(DAYS + 1), "--accounts", str(size.accounts)]
    command += ["--events-per-day", str(size.events // DAYS), "--start-date", START.isoformat()]
    return lake, measure(command, env=environment(salt))


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


def link_lake(lake: Path, into: Path) -> None:
    """Hard-link every landed file of `lake` into `into`: the same files, for another warehouse to read."""
    for path in sorted((lake / "bronze").rglob("*")):
        if path.is_file():
            target = into / path.relative_to(lake)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)


def copy_project(into: Path) -> Path:
    """The project as a checkout holds it, without environments, artifacts, data or the checkout's salt."""
    shutil.copytree(PROJECT_ROOT, into, ignore=lambda _folder, names: {name for name in names if name in _NOT_COPIED})
    return into


def environment(salt: str, *, duckdb_path: Path | None = None, lake: Path | None = None) -> dict[str, str]:
    """The benchmark's own environment for a step: its salt and paths, nothing that reaches beyond the machine."""
    env = {name: value for name, value in os.environ.items() if name not in OUTWARD_VARIABLES}
    env.update({"DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", SALT_VARIABLE: salt})
    if duckdb_path is not None:
        env["FLICK_DUCKDB_PATH"] = str(duckdb_path.resolve())
    if lake is not None:
        env["FLICK_LAKE_ROOT"] = str(lake.resolve())
    return env


# ---- DuckDB as the profile sets it up -------------------------------------------------------------


def profile_settings(workspace: DbtWorkspace, salt: str) -> dict[str, str]:
    """memory_limit and threads as DuckDB reports them on a connection of the dbt profile.

    Asked through dbt in a workspace of its own, so that the builds still
    parse the project from scratch.
    """
    query = "select current_setting('memory_limit') as memory_limit, current_setting('threads') as threads"
    command = [*DBT, "show", "--inline", query, "--output", "json", "--log-format", "json", "--target", "duckdb"]
    output = measure(command, env=workspace.environment({SALT_VARIABLE: salt}), cwd=workspace.project_dir).output
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


# ---- the native read floor -------------------------------------------------------------------------


@dataclass(frozen=True)
class NativeRead:
    name: str  # source.entity
    reader: str  # DuckDB's own reader of the entity's landed files, every column as text


def native_reads(lake: Path, project_dir: Path = PROJECT_ROOT) -> list[NativeRead]:
    """DuckDB's `read_json` / `read_csv` of each landed entity's files under bronze/, every column as text.

    The entities, formats and columns are the landing contract's (the source
    YAML). JSON lines get every documented field as VARCHAR (nested values as
    their JSON text); CSV files every header column, matched by name across
    files (a batch may drop columns). Rows the reader cannot take (a line cut
    off mid-object) are skipped, not fatal; the ingest date of the partition
    folder is read as text too.
    """
    reads = []
    for (source, name), entity in sorted(landed_entities(project_dir).items()):
        files = f"'{(lake / entity.lake_folder).resolve()}/*/*.{entity.file_format}'"
        if entity.file_format == "jsonl":
            columns = ", ".join(f"'{column}': 'VARCHAR'" for column in entity.column_names)
            reader = (
                f"read_json({files}, format='newline_delimited', columns={{{columns}}}, ignore_errors=true, "
                "hive_partitioning=true, hive_types_autocast=false)"
            )
        else:
            reader = (
                f"read_csv({files}, header=true, all_varchar=true, union_by_name=true, "
                "hive_partitioning=true, hive_types_autocast=false)"
            )
        reads.append(NativeRead(f"{source}.{name}", reader))
    return reads


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


def native_read_floor(lake: Path, project_dir: Path, settings: dict[str, str]) -> Measured:
    # max() of every column makes the reader decode every value; a bare count(*) would let it skip columns.
    queries = [f"select count(*), max(columns(*)) from {read.reader}" for read in native_reads(lake, project_dir)]
    return measure([sys.executable, "-c", _FLOOR_SCRIPT, json.dumps([settings, queries])])


# ---- dbt build without tests -----------------------------------------------------------------------


def dbt_build(workspace: DbtWorkspace, salt: str) -> Measured:
    env = workspace.environment({SALT_VARIABLE: salt})
    return measure([*DBT, *BUILD_ARGS, "--target", "duckdb"], env=env, cwd=workspace.project_dir)


def slowest_nodes(artifacts: BuildArtifacts, count: int = 5) -> tuple[str, ...]:
    ranked = sorted(artifacts.results.values(), key=lambda result: result["execution_time"], reverse=True)[:count]
    return tuple(f"{_node_name(artifacts, result['unique_id'])} {result['execution_time']:.1f} s" for result in ranked)


def _node_name(artifacts: BuildArtifacts, unique_id: str) -> str:
    # A test's unique id ends in a hash when its name is long; the manifest keeps the name.
    node = artifacts.manifest.get("nodes", {}).get(unique_id) or artifacts.manifest.get("unit_tests", {}).get(unique_id)
    return node["name"] if node else unique_id.split(".")[2]


# ---- flick-ops run ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSite:
    """Where the benchmark's runs keep everything: a project copy, its lake, and the warehouse folder."""

    project: Path
    lake: Path
    folder: Path  # warehouse, run history, alert log, local sink, publish state
    salt: str

    @property
    def duckdb_path(self) -> Path:
        return self.folder / "flick.duckdb"

    @property
    def history(self) -> Path:
        return self.folder / "runs"

    @property
    def target_path(self) -> Path:
        return self.project / "target"  # `flick-ops run` keeps dbt's target/ in its project

    def command(self, as_of: datetime) -> list[str]:
        return [
            *FLICK_OPS, "run",
            "--project-dir", str(self.project),
            "--lake", str(self.lake),
            "--as-of", f"{as_of:%Y-%m-%dT%H:%M}",
            "--skip-share",
            "--history", str(self.history),
            "--alert-log", str(self.folder / "alerts.jsonl"),
            "--local-sink", str(self.folder / "local_cosmos.duckdb"),
            "--publish-state", str(self.folder / "publish_state"),
        ]  # fmt: skip

    def run(self, as_of: datetime) -> Measured:
        # dbt leaves earlier runs' SQL in target/run; only this run's may speak for it.
        shutil.rmtree(self.target_path / "run", ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        env = environment(self.salt, duckdb_path=self.duckdb_path, lake=self.lake)
        return measure(self.command(as_of), env=env, cwd=self.project, check=False)

    def build_of_last_run(self) -> BuildArtifacts | None:
        """The manifest and each node's result of the last run's build; None when that run built nothing."""
        runs = run_ids(self.history)
        return _build_record(self.history / runs[-1]) if runs else None

    def last_build(self) -> BuildArtifacts | None:
        """The newest build any run recorded (a run with nothing new may build nothing)."""
        builds = (_build_record(self.history / run_id) for run_id in reversed(run_ids(self.history)))
        return next((build for build in builds if build is not None), None)


def _build_record(folder: Path) -> BuildArtifacts | None:
    """The manifest and run results in `folder` (a run's record of its dbt build, or a target/); None if missing."""
    try:
        return BuildArtifacts.load(folder)
    except ArtifactsError:
        return None


def as_of(landed_through: date) -> datetime:
    """The evening of the newest landed ingest date: when the daily run after that landing would run."""
    return datetime.combine(landed_through, clock_time(AS_OF_HOUR))


def incremental_models(artifacts: BuildArtifacts) -> dict[str, dict]:
    """Each incremental model's manifest node, by unique id."""
    return {
        unique_id: node
        for unique_id, node in artifacts.manifest["nodes"].items()
        if node["resource_type"] == "model" and node["config"].get("materialized") == "incremental"
    }


def recreated_models(artifacts: BuildArtifacts, target_path: Path) -> list[str]:
    """Incremental models the build ran that it rebuilt from scratch: their run SQL creates the table."""
    recreated = []
    for unique_id, node in incremental_models(artifacts).items():
        if artifacts.status(unique_id) != "success":
            continue  # not selected by this run, or failed: it changed nothing
        run_sql = target_path / "run" / node["package_name"] / node["original_file_path"]
        if not run_sql.exists() or run_sql.read_text(encoding="utf-8").lstrip().lower().startswith("create"):
            recreated.append(node["name"])
    return sorted(recreated)


def row_counts(duckdb_path: Path, relations: dict[str, str]) -> dict[str, int | None]:
    """Rows of each relation, by name; None for one the warehouse does not hold (a model that never built)."""
    counts: dict[str, int | None] = {}
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        for name, relation in relations.items():
            try:
                counts[name] = connection.sql(f"select count(*) from {relation}").fetchall()[0][0]
            except duckdb.CatalogException:
                counts[name] = None
    return counts


@dataclass(frozen=True)
class RunStep:
    measured: Measured
    build: BuildArtifacts | None
    moved: dict[str, int]  # incremental model -> rows it gained (or lost)
    problems: tuple[str, ...]


def run_after(site: RunSite, landed_through: date, landed: int) -> RunStep:
    """A run on the warehouse an earlier run left: did its incremental models change in place and take rows?"""
    earlier = site.last_build()
    models = incremental_models(earlier).values() if earlier else ()
    relations = {node["name"]: node["relation_name"] for node in models}
    before = row_counts(site.duckdb_path, relations) if relations else {}
    measured = site.run(as_of(landed_through))
    build = site.build_of_last_run()
    after = row_counts(site.duckdb_path, relations) if relations else {}
    moved = {
        name: count - before[name] for name, count in after.items() if count is not None and before[name] is not None
    }
    problems = []
    if earlier is None:
        problems.append("no earlier run built anything to run incrementally on")
    recreated = recreated_models(build, site.target_path) if build else []
    if recreated:
        problems.append(f"rebuilt from scratch: {', '.join(recreated)}")
    if landed and not any(moved.values()):
        problems.append(f"{landed:,} events landed but no incremental model changed its row count")
    return RunStep(measured, build, moved, tuple(problems))


# ---- one size ---------------------------------------------------------------------------------


def run_size(size: Size, scratch: Path, salt: str) -> tuple[list[Row], dict[str, str]]:
    """The DuckDB rows of one size, and the DuckDB settings they ran with."""
    folder = scratch / size.label
    generated, generation = generate(size, folder, salt)
    lake = folder / "lake"
    events = first_30_days(generated, lake)
    generated_events = sum(_line_count(path) for path in generated.glob("bronze/playback/events/*/*.jsonl"))
    throughput = f"{generated_events / generation.seconds:,.0f} events/s, all six sources"
    rows = [Row(GENERATE, size.label, generated_events, *_figures(generation), note=throughput)]
    _progress(size, f"generated {generated_events:,} events", generation)

    project = copy_project(folder / "project")
    build_lake = folder / "build-lake"
    link_lake(lake, build_lake)
    settings = profile_settings(DbtWorkspace.in_folder(folder / "settings-probe", build_lake, project), salt)
    _progress(size, describe_settings(settings))
    floor = native_read_floor(lake, project, settings)
    rows.append(Row(FLOOR, size.label, events, *_figures(floor), 1.0, "every landed file, every column as text"))
    _progress(size, FLOOR, floor)

    workspace = DbtWorkspace.in_folder(folder / "build", build_lake, project)
    full = dbt_build(workspace, salt)
    slowest = slowest_nodes(BuildArtifacts.load(workspace.target_path))
    rows.append(Row(FULL_BUILD, size.label, events, *_figures(full), full.seconds / floor.seconds, "", slowest))
    _progress(size, FULL_BUILD, full)
    shutil.rmtree(folder / "build")  # a 10M warehouse is gigabytes

    site = RunSite(project, lake, folder / "run", salt)
    first = site.run(as_of(START + timedelta(days=DAYS - 1)))
    rows.append(_run_row(FIRST_RUN, size, events, first, floor, site.build_of_last_run(), f"exit {first.exit_code}"))
    _progress(size, FIRST_RUN, first)

    day_31 = START + timedelta(days=DAYS)
    steps = ((NEW_DAY, land_day_31, day_31), (LATE_EVENTS, land_late_events, day_31 + timedelta(days=1)))
    for name, land, landed_through in steps:
        landed = land(generated, lake)
        if landed == 0:
            raise StepFailed(f"{name}: nothing landed")
        step = run_after(site, landed_through, landed)
        rows.append(_incremental_row(name, size, landed, step, floor, first))
        _progress(size, name, step.measured)
    idle = run_after(site, day_31 + timedelta(days=1), 0)
    rows.append(_incremental_row(NOTHING_NEW, size, 0, idle, floor, first))
    _progress(size, NOTHING_NEW, idle.measured)
    return rows, settings


def _run_row(
    name: str, size: Size, events: int, run: Measured, floor: Measured, build: BuildArtifacts | None, note: str
) -> Row:
    slowest = slowest_nodes(build) if build else ()
    ratio = run.seconds / floor.seconds
    return Row(name, size.label, events, *_figures(run), ratio, note, slowest, run.exit_code)


def _incremental_row(name: str, size: Size, events: int, step: RunStep, floor: Measured, first: Measured) -> Row:
    moved = ", ".join(f"{model} {change:+,} rows" for model, change in sorted(step.moved.items()) if change)
    built = "" if step.build else "; built nothing"
    share = f"{100 * step.measured.seconds / first.seconds:.0f}% of the first run"
    note = f"exit {step.measured.exit_code}; {share}{built}" + (f"; {moved}" if moved else "")
    row = _run_row(name, size, events, step.measured, floor, step.build, note)
    return Row(**{**asdict(row), "incremental_problems": step.problems})


def spark_build(lake: Path, folder: Path, salt: str) -> Measured:
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from flick_ops.commands.parity import _profiles_dir
        from flick_ops.spark.parity import build_spark
        from flick_ops.dbt.runner import PROJECT_ROOT
        from flick_ops.salt import require_salt
        from flick_ops.spark.session import local_spark_session
        work = Path(sys.argv[2])
        session = local_spark_session(work / "spark-session", email_hash_salt=require_salt(PROJECT_ROOT))
        statuses = build_spark(session, Path(sys.argv[1]), work, _profiles_dir(work))
        failed = {name: status for name, status in statuses.items() if status not in ("success", "no-op")}
        sys.exit(f"not built on Spark: {failed}" if failed else 0)
        """
    )
    return measure([sys.executable, "-c", script, str(lake), str(folder)], env=environment(salt))


def spark_row(size: Size, scratch: Path, rows: list[Row], salt: str) -> Row:
    """The DuckDB build's lake, built on local Spark; a failure is reported in the row, not raised."""
    folder = scratch / size.label
    lake = folder / "spark-lake"
    events = first_30_days(folder / "generated", lake)
    duckdb_full, floor = (_row(rows, size.label, name) for name in (FULL_BUILD, FLOOR))
    try:
        spark = spark_build(lake, folder / "spark", salt)
    except StepFailed as exc:
        return Row(SPARK, size.label, events, 0.0, 0.0, 0.0, None, f"not measured: {str(exc)[-300:]}")
    note = f"Spark / DuckDB = {spark.seconds / duckdb_full.seconds:.1f}x"
    _progress(size, SPARK, spark)
    spark_build_record = _build_record(folder / "spark" / "spark" / "target")  # where flick_ops.spark.parity puts it
    slowest = slowest_nodes(spark_build_record) if spark_build_record else ()
    return Row(SPARK, size.label, events, *_figures(spark), spark.seconds / floor.seconds, note, slowest)


def _row(rows: list[Row], size: str, benchmark: str) -> Row:
    return next(row for row in rows if row.size == size and row.benchmark == benchmark)


def _figures(measured: Measured) -> tuple[float, float, float]:
    return round(measured.seconds, 2), round(measured.cpu_seconds, 2), round(measured.peak_rss_mb, 1)


def _progress(size: Size, what: str, measured: Measured | None = None) -> None:
    figures = f": {measured.seconds:.0f} s, peak {measured.peak_rss_mb:,.0f} MB" if measured else ""
    exit_code = f", exit {measured.exit_code}" if measured and measured.exit_code else ""
    click.echo(f"{size.label}: {what}{figures}{exit_code}", err=True)


# ---- acceptance ---------------------------------------------------------------------------------


def acceptance_checks(rows: list[Row]) -> list[Check]:
    """The acceptance lines, for every size measured (each names the size its target is stated for)."""
    checks = []
    for size in dict.fromkeys(row.size for row in rows):
        floor, full, first, new_day, idle = (
            _row(rows, size, name) for name in (FLOOR, FULL_BUILD, FIRST_RUN, NEW_DAY, NOTHING_NEW)
        )
        first_passed = first.seconds <= MAX_FIRST_RUN_SECONDS and first.exit_code == 0
        ratio = full.ratio_to_floor if full.ratio_to_floor is not None else full.seconds / floor.seconds
        warehouse = [row for row in rows if row.size == size and row.benchmark in WAREHOUSE_STEPS]
        peak = max(warehouse, key=lambda row: row.peak_rss_mb)
        problems = [
            f"{row.benchmark}: {'; '.join(row.incremental_problems)}"
            for row in rows
            if row.size == size and row.incremental_problems
        ]
        checks += [
            Check(
                FIRST_RUN,
                size,
                f"{first.seconds:.0f} s, exit {first.exit_code}",
                f"<= {MAX_FIRST_RUN_SECONDS} s; exit 0",
                first_passed,
                TARGET_SIZE,
            ),
            _seconds_check(new_day, MAX_NEW_DAY_SECONDS),
            _seconds_check(idle, MAX_NOTHING_NEW_SECONDS),
            Check(
                f"{FULL_BUILD} / native read floor",
                size,
                f"{ratio:.1f}x",
                f"<= {MAX_FULL_BUILD_TO_FLOOR:.0f}x",
                ratio <= MAX_FULL_BUILD_TO_FLOOR,
                TARGET_SIZE,
            ),
            Check(
                "peak RSS, every warehouse step",
                size,
                f"{peak.peak_rss_mb:,.0f} MB ({peak.benchmark})",
                f"< {MAX_PEAK_RSS_MB:,} MB",
                peak.peak_rss_mb < MAX_PEAK_RSS_MB,
                TARGET_SIZE,
            ),
            Check(
                INCREMENTAL_PATH,
                size,
                " / ".join(problems) or "yes",
                "every run after a landing",
                not problems,
                "every size",
            ),
        ]
        spark = next((row for row in rows if row.size == size and row.benchmark == SPARK), None)
        if spark:
            speedup = spark.seconds / full.seconds
            checks.append(
                Check(
                    "Spark / DuckDB, dbt build without tests",
                    size,
                    f"{speedup:.1f}x" if spark.seconds else "not measured",
                    f">= {MIN_SPARK_TO_DUCKDB:.0f}x",
                    speedup >= MIN_SPARK_TO_DUCKDB,
                    SPARK_TARGET_SIZE,
                )
            )
    return checks


def _seconds_check(row: Row, limit: int) -> Check:
    exit_code = f", exit {row.exit_code}" if row.exit_code else ""
    return Check(
        row.benchmark, row.size, f"{row.seconds:.0f} s{exit_code}", f"<= {limit} s", row.seconds <= limit, TARGET_SIZE
    )


# ---- report -------------------------------------------------------------------------------------


def table(rows: list[Row], checks: list[Check], settings: str) -> str:
    lines = [
        "| benchmark | size | events | seconds | CPU seconds | peak RSS MB | exit | ratio to floor | note |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        ratio = f"{row.ratio_to_floor:.1f}" if row.ratio_to_floor is not None else ""
        exit_code = "" if row.exit_code is None else str(row.exit_code)
        lines.append(
            f"| {row.benchmark} | {row.size} | {row.events:,} | {row.seconds:.1f} | {row.cpu_seconds:.1f} "
            f"| {row.peak_rss_mb:,.0f} | {exit_code} | {ratio} | {row.note} |"
        )
    lines += ["", settings, "", "| acceptance check | size | measured | target | result | stated at |"]
    lines.append("|---|---|---:|---|---|---|")
    for check in checks:
        result = "PASS" if check.passed else "MISS"
        lines.append(
            f"| {check.check} | {check.size} | {check.measured} | {check.target} | {result} | {check.applies_at} |"
        )
    lines += ["", "Slowest nodes of each build or run (tests included in a run):"]
    lines += [f"- {row.benchmark}, {row.size}: {', '.join(row.slowest_nodes)}" for row in rows if row.slowest_nodes]
    return "\n".join(lines)


def run(sizes: list[Size], skip_spark: bool) -> dict:
    rows: list[Row] = []
    salt = secrets.token_hex(32)  # this benchmark's alone: never written down, gone when it ends
    with tempfile.TemporaryDirectory(prefix="flick-bench-scale-") as scratch:
        for size in sizes:
            size_rows, settings = run_size(size, Path(scratch), salt)
            rows += size_rows
            shutil.rmtree(Path(scratch) / size.label / "run")  # a 10M warehouse is gigabytes
        # Last, so that a slow or failing Spark never costs the DuckDB figures.
        if not skip_spark:
            rows += [spark_row(size, Path(scratch), rows, salt) for size in sizes if size.events <= SPARK_MAX_EVENTS]
    checks = acceptance_checks(rows)
    largest_first = [row for row in rows if row.benchmark == FIRST_RUN][-1]
    return {
        "benchmark": "scale",
        "items": largest_first.events,
        "unit": "events",
        "seconds": largest_first.seconds,
        "cpu_seconds": largest_first.cpu_seconds,
        "items_per_second": round(largest_first.events / largest_first.seconds),
        "peak_rss_mb": largest_first.peak_rss_mb,
        "details": {
            "run": RUN_DESCRIPTION,
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
    """Time the native read floor, dbt build without tests, and `flick-ops run` after each landing, at each size."""
    result = run([parse_size(size) for size in sizes.split(",")], skip_spark)
    RESULTS_FILE.parent.mkdir(exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    # The JSON last: `python -m benchmarks` reads the last line and prints the table itself.
    click.echo(result["details"]["table"])
    click.echo(json.dumps(result))


if __name__ == "__main__":
    main()
