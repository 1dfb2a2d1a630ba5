"""The one way this project runs dbt: CLI commands, the pipeline, docs, Spark checks, tests and benchmarks.

Each invocation is a child process (`flick_ops.dbt.child`) with a time limit. dbt keeps process-wide
state (flags, adapter connections, a partially parsed manifest keyed on environment variables), so a
second invocation in the same process can silently reuse the first one's lake or warehouse, and a hung
adapter connection must be killable without killing the caller. The child drives dbt through its Python
API and reports each finished node as one line, so a caller that wants progress (the pipeline) gets
node events while dbt runs; the others just wait for the outcome.

The environment is set in one place (`DbtWorkspace.environment`): the project's own profiles, lake,
warehouse, target and log folders and e-mail hash salt (`flick_ops.salt`: never a default), and nothing
is sent home. The result artifacts are read through `flick_ops.dbt.artifacts`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from flick_ops.dbt import artifacts
from flick_ops.salt import SALT_VARIABLE, email_hash_salt

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TIMEOUT_SECONDS = 1800
PARSE_CACHE = "partial_parse.msgpack"
EVENT_PREFIX = "@@flick-node "
# Exit codes of the child, the same as dbt's own CLI.
DBT_SUCCEEDED, DBT_NODES_FAILED, DBT_CRASHED = 0, 1, 2


@dataclass(frozen=True)
class DbtWorkspace:
    """Where one dbt run reads its lake and writes its warehouse and artifacts."""

    lake_root: Path
    duckdb_path: Path
    target_path: Path
    log_path: Path
    project_dir: Path = PROJECT_ROOT
    # A side target's build folder: the parse this side target makes becomes the build's, if it has none yet.
    parse_cache_home: Path | None = None

    @classmethod
    def default(cls, project_dir: Path = PROJECT_ROOT) -> DbtWorkspace:
        """The local demo's layout: lake/, warehouse/flick.duckdb, target/, logs/ in the project."""
        project_dir = Path(project_dir)
        return cls(
            lake_root=Path(os.environ.get("FLICK_LAKE_ROOT", project_dir / "lake")),
            duckdb_path=Path(os.environ.get("FLICK_DUCKDB_PATH", project_dir / "warehouse" / "flick.duckdb")),
            target_path=project_dir / "target",
            log_path=project_dir / "logs",
            project_dir=project_dir,
        )

    @classmethod
    def in_folder(cls, folder: Path, lake_root: Path, project_dir: Path = PROJECT_ROOT) -> DbtWorkspace:
        folder = Path(folder)
        return cls(
            lake_root=Path(lake_root),
            duckdb_path=folder / "flick.duckdb",
            target_path=folder / "target",
            log_path=folder / "logs",
            project_dir=Path(project_dir),
        )

    def side_target(self, name: str) -> DbtWorkspace:
        """This workspace with its own target folder, <target>/<name>/, for dbt commands that must leave the
        build's artifacts alone (docs, selection checks). The two share one parse: the side target starts from
        the build's parse cache, so dbt re-parses only what changed, and the build starts from the side
        target's when it has none (the selection check that opens a first run parses for the build)."""
        folder = Path(self.target_path) / name
        folder.mkdir(parents=True, exist_ok=True)
        copy_parse_cache(Path(self.target_path), folder)
        return replace(self, target_path=folder, parse_cache_home=Path(self.target_path))

    def environment(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "DO_NOT_TRACK": "1",
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                "DBT_PROFILES_DIR": str(_profiles_dir(self.project_dir)),
                "FLICK_LAKE_ROOT": str(Path(self.lake_root).absolute()),
                "FLICK_DUCKDB_PATH": str(Path(self.duckdb_path).resolve()),
                "DBT_TARGET_PATH": str(Path(self.target_path).resolve()),
                "DBT_LOG_PATH": str(Path(self.log_path).resolve()),
            }
        )
        salt = email_hash_salt(self.project_dir)
        if salt is not None:  # without one, a build that hashes e-mails fails rather than use a known salt
            env[SALT_VARIABLE] = salt
        if extra:
            env.update(extra)
        return env

    def child_process(self, extra: Mapping[str, str] | None = None) -> tuple[Path, dict[str, str]]:
        """The working folder and environment of a dbt child process.

        dbt keeps its parse (`partial_parse.msgpack`) only while the profile it hashed is unchanged, and the
        profile holds the warehouse's path. So the child runs in the warehouse's folder and names the file
        relative to it: every workspace whose warehouse is called flick.duckdb hashes the same profile, and
        one started from another's parse cache (a side target, a copy of a build) re-parses only what changed.
        """
        env = self.environment(extra)
        warehouse = Path(self.duckdb_path)
        if str(warehouse) == ":memory:":
            return Path(self.project_dir), env
        env["FLICK_DUCKDB_PATH"] = warehouse.name
        env["DBT_PROJECT_DIR"] = str(Path(self.project_dir).resolve())
        return warehouse.resolve().parent, env


@dataclass(frozen=True)
class NodeEvent:
    """One node finished (dbt's NodeFinished event)."""

    unique_id: str
    status: str
    execution_time: float
    message: str


@dataclass(frozen=True)
class DbtOutcome:
    """What one dbt invocation did: its exit code, console output and result artifacts."""

    args: tuple[str, ...]
    exit_code: int
    output: str
    run_results: dict | None
    sources: dict | None = None
    nodes: tuple[NodeEvent, ...] = ()  # every node that finished, in order (sources.json leaves out errored ones)
    timed_out: bool = False

    @property
    def succeeded(self) -> bool:
        return self.exit_code == DBT_SUCCEEDED

    @property
    def crashed(self) -> bool:
        """dbt itself failed (could not connect, parse, ...) rather than some nodes failing."""
        return self.exit_code not in (DBT_SUCCEEDED, DBT_NODES_FAILED) or self.timed_out

    def failures(self) -> list[dict]:
        """Nodes that errored, failed or were skipped, as dbt reported them (warnings are not failures)."""
        return artifacts.failed_results(self.run_results)


def run_dbt(
    args: Sequence[str],
    workspace: DbtWorkspace,
    *,
    on_node: Callable[[NodeEvent], None] | None = None,
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS,
    extra_env: Mapping[str, str] | None = None,
) -> DbtOutcome:
    """Run `dbt <args>` in the project in a child process; never raises on dbt failure or a time-out.

    `on_node` is called with each node as it finishes. A time-out stops dbt and is reported as a crash.
    """
    target_path = Path(workspace.target_path)
    # `dbt retry` reads the previous run results, so they stay; any other stale artifact must not pass for
    # this invocation's, and neither may the previous results if retry dies before writing its own.
    previous = artifacts.invocation_id(target_path) if _command(args) == "retry" else None
    artifacts.clear_results(target_path, keep_run_results=previous is not None)
    Path(workspace.duckdb_path).parent.mkdir(parents=True, exist_ok=True)
    cwd, env = workspace.child_process(extra_env)
    child = subprocess.Popen(
        [sys.executable, "-m", "flick_ops.dbt.child", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    timer = threading.Timer(timeout_seconds, child.kill)
    timer.start()
    output: list[str] = []
    nodes: list[NodeEvent] = []
    try:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith(EVENT_PREFIX):
                nodes.append(NodeEvent(**json.loads(line[len(EVENT_PREFIX) :])))
                if on_node:
                    on_node(nodes[-1])
            else:
                output.append(line)
        exit_code = child.wait()
    finally:
        timed_out = not timer.is_alive() and child.returncode not in (DBT_SUCCEEDED, DBT_NODES_FAILED, DBT_CRASHED)
        timer.cancel()
    if workspace.parse_cache_home is not None:
        copy_parse_cache(target_path, Path(workspace.parse_cache_home))
    if timed_out:
        output.append(f"dbt timed out after {timeout_seconds} s and was stopped\n")
    return DbtOutcome(
        args=tuple(args),
        exit_code=exit_code,
        output="".join(output),
        run_results=artifacts.fresh_run_results(target_path, previous),
        sources=artifacts.read_sources(target_path),
        nodes=tuple(nodes),
        timed_out=timed_out,
    )


def copy_parse_cache(source: Path, destination: Path) -> None:
    """Start `destination` (a target folder) from `source`'s parse cache, unless it has one of its own. dbt
    checks a cache before it uses it (same dbt, profile, vars and files, else it re-parses what differs)."""
    cache, copy = source / PARSE_CACHE, destination / PARSE_CACHE
    if cache.exists() and not copy.exists():
        partial = destination / f".{PARSE_CACHE}.{os.getpid()}"
        shutil.copyfile(cache, partial)
        os.replace(partial, copy)  # a dbt starting in `destination` meanwhile sees no cache or a whole one


def _command(args: Sequence[str]) -> str | None:
    """The dbt subcommand in an argument list (the first argument that is not a flag)."""
    return next((arg for arg in args if not arg.startswith("-")), None)


def _profiles_dir(project_dir: Path) -> Path:
    """The user's DBT_PROFILES_DIR if set, else the project (profiles.yml made from the example)."""
    configured = os.environ.get("DBT_PROFILES_DIR")
    if configured:
        return Path(configured)
    profiles = project_dir / "profiles.yml"
    if not profiles.exists():
        profiles.write_text((project_dir / "profiles.example.yml").read_text(encoding="utf-8"), encoding="utf-8")
    return project_dir
