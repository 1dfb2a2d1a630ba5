"""Drive dbt through its Python API (`dbtRunner`), one child process per invocation.

Why a child process and not `dbtRunner` in the pipeline's own process: dbt
keeps process-wide state (flags, adapter connections, a partially parsed
manifest keyed on environment variables), so a second invocation in the same
process can silently reuse the first one's lake or warehouse; and a hung
adapter connection must be killable without killing the pipeline. The child
calls `dbtRunner(callbacks=[...]).invoke(args)` and reports each finished
node as one JSON line, so the parent can show progress while dbt runs; the
full results are read from the run_results.json / sources.json dbt writes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from flick_ops.dbt_invocation import DbtWorkspace

EVENT_PREFIX = "@@flick-node "
DEFAULT_TIMEOUT_SECONDS = 1800
# Exit codes of the child, the same as dbt's own CLI.
DBT_SUCCEEDED, DBT_NODES_FAILED, DBT_CRASHED = 0, 1, 2
ARTIFACTS = ("run_results.json", "sources.json")


@dataclass(frozen=True)
class NodeEvent:
    """One node finished (dbt's NodeFinished event)."""

    unique_id: str
    status: str
    execution_time: float
    message: str


@dataclass(frozen=True)
class DbtInvocation:
    """What one dbt invocation did: its exit code, console output and result artifacts."""

    args: tuple[str, ...]
    exit_code: int
    output: str
    run_results: dict | None
    sources: dict | None
    nodes: tuple[NodeEvent, ...] = ()  # every node that finished, in order (sources.json leaves out errored ones)
    timed_out: bool = False

    @property
    def succeeded(self) -> bool:
        return self.exit_code == DBT_SUCCEEDED

    @property
    def crashed(self) -> bool:
        """dbt itself failed (could not connect, parse, ...) rather than some nodes failing."""
        return self.exit_code not in (DBT_SUCCEEDED, DBT_NODES_FAILED) or self.timed_out


def invoke_dbt(
    args: Sequence[str],
    workspace: DbtWorkspace,
    *,
    on_node: Callable[[NodeEvent], None] | None = None,
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS,
    extra_env: Mapping[str, str] | None = None,
) -> DbtInvocation:
    """Run `dbt <args>` through dbtRunner in a child process; never raises on dbt failure."""
    target_path = Path(workspace.target_path)
    # `dbt retry` reads the previous run_results.json, so it stays; any other stale artifact must not pass
    # for this invocation's, and neither may the previous results if retry dies before writing its own.
    previous = _invocation_id(target_path / "run_results.json") if _command(args) == "retry" else None
    for artifact in ARTIFACTS:
        if not (previous and artifact == "run_results.json"):
            (target_path / artifact).unlink(missing_ok=True)
    Path(workspace.duckdb_path).parent.mkdir(parents=True, exist_ok=True)
    child = subprocess.Popen(
        [sys.executable, "-m", "flick_ops.run.dbt_child", *args],
        cwd=workspace.project_dir,
        env=workspace.environment(extra_env),
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
    if timed_out:
        output.append(f"dbt timed out after {timeout_seconds} s and was stopped\n")
    return DbtInvocation(
        args=tuple(args),
        exit_code=exit_code,
        output="".join(output),
        run_results=_fresh_results(target_path / "run_results.json", previous),
        sources=_read_json(target_path / "sources.json"),
        nodes=tuple(nodes),
        timed_out=timed_out,
    )


def _command(args: Sequence[str]) -> str | None:
    """The dbt subcommand in an argument list (the first argument that is not a flag)."""
    return next((arg for arg in args if not arg.startswith("-")), None)


def _invocation_id(path: Path) -> str | None:
    results = _read_json(path)
    return results["metadata"]["invocation_id"] if results else None


def _fresh_results(path: Path, previous_invocation: str | None) -> dict | None:
    results = _read_json(path)
    if results is None or results["metadata"]["invocation_id"] == previous_invocation:
        return None
    return results


def _read_json(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
