"""Compile the project for Synapse or Databricks without a warehouse, as the adapter would run it.

`compile_offline` runs `dbt run` and `dbt snapshot` through dbt's Python API
in child processes, once per mode (`fresh`: nothing exists yet; `existing`:
everything does, so incremental and snapshot merge paths are taken), with
the adapter's connections replaced by recording stand-ins (see fakes.py).
Each child has a time limit: the Databricks adapter waits forever on a host
it cannot reach, and nothing offline may hang a build.

Run as `python -m flick_ops.compile.harness` it is that child.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flick_ops.compile.recorder import (
    MODES,
    OfflineCompilation,
    Statement,
    read_macro_log,
    read_statement_log,
    write_outputs,
)
from flick_ops.dbt.runner import PROJECT_ROOT, DbtWorkspace

TARGETS = ("synapse", "databricks")
# What dbt reads of the project; a scratch copy with extra models planted holds these and nothing else.
PROJECT_FILES = ("dbt_project.yml", "profiles.example.yml", "models", "macros", "snapshots", "seeds")
DEFAULT_TIMEOUT_SECONDS = 300
# Look-ups of columns nobody documented get the engine's plain text type.
_DEFAULT_COLUMN_TYPE = {"synapse": "varchar(4000)", "databricks": "string"}
# sqlglot's name for each target's SQL.
SQLGLOT_DIALECT = {"synapse": "tsql", "databricks": "databricks"}
# Stand-in credentials: offline nothing authenticates, and real secrets must not even be read.
_DUMMY_SECRETS = {
    "AZURE_TENANT_ID": "00000000-0000-0000-0000-000000000000",
    "AZURE_CLIENT_ID": "00000000-0000-0000-0000-000000000000",
    "AZURE_CLIENT_SECRET": "offline",
    "DATABRICKS_TOKEN": "offline",
}


class OfflineCompileError(RuntimeError):
    """dbt failed or ran out of time while compiling offline."""


@dataclass(frozen=True)
class _Child:
    mode: str
    process: subprocess.Popen[str]
    log: Path
    statements: Path
    macros: Path


def compile_offline(
    target: str,
    out_dir: Path,
    *,
    project_dir: Path = PROJECT_ROOT,
    select: Sequence[str] = (),
    extra_models: Path | None = None,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    progress: Callable[[str], None] = lambda message: None,
) -> OfflineCompilation:
    """Every statement dbt would send to `target` on a first and on a later run, written under out_dir.

    With extra_models (a folder of model files, such as the Synapse trap corpus), the project is copied
    to out_dir/_project with that folder planted as models/<its name>, and, unless `select` says
    otherwise, only the planted models are compiled: one dbt parse for all of them.
    """
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; choose one of {', '.join(TARGETS)}")
    out_dir = Path(out_dir).resolve()
    project_dir = Path(project_dir)
    if extra_models is not None:
        project_dir = plant_models(Path(extra_models), out_dir / "_project", project_dir)
        select = tuple(select) or (f"path:models/{Path(extra_models).name}",)
    started = time.monotonic()
    children = [_start_child(target, mode, out_dir, project_dir, select) for mode in MODES]
    progress(f"{target}: running dbt run + snapshot offline ({', '.join(MODES)}), at most {timeout_seconds:.0f} s")
    try:
        for child in children:
            _wait(child, target, deadline=started + timeout_seconds)
            count = len(read_statement_log(child.statements))
            progress(f"{target} {child.mode}: {count} statements in {time.monotonic() - started:.1f} s")
    finally:
        for child in children:
            _stop(child.process)
    statements: list[Statement] = []
    macros: set[str] = set()
    for child in children:
        statements.extend(read_statement_log(child.statements))
        macros |= read_macro_log(child.macros)
    compilation = OfflineCompilation.read(target, out_dir, statements, time.monotonic() - started, macros)
    index = write_outputs(compilation)
    progress(f"{target}: {len(compilation.nodes())} nodes, {len(statements)} statements -> {index}")
    return compilation


def plant_models(models: Path, into: Path, project_dir: Path = PROJECT_ROOT) -> Path:
    """A fresh copy of the dbt project in `into` (no lake, warehouse or artifacts), with `models` as models/<name>."""
    if not models.is_dir():
        raise OfflineCompileError(f"{models} is not a folder of models")
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    for name in PROJECT_FILES:
        source = project_dir / name
        if source.is_dir():
            shutil.copytree(source, into / name)
        else:
            shutil.copy2(source, into / name)
    planted = into / "models" / models.name
    if planted.exists():
        raise OfflineCompileError(f"the project already has a models/{models.name} folder")
    shutil.copytree(models, planted)
    return into


def _start_child(target: str, mode: str, out_dir: Path, project_dir: Path, select: Sequence[str]) -> _Child:
    work = out_dir / "_dbt" / mode
    work.mkdir(parents=True, exist_ok=True)
    workspace = DbtWorkspace(
        lake_root=project_dir / "lake",
        duckdb_path=work / "unused.duckdb",
        target_path=work / "target",
        log_path=work / "logs",
        project_dir=project_dir,
    )
    statements = work / "statements.jsonl"
    macros = work / "macros.txt"
    log = work / "dbt_output.log"
    command = [sys.executable, "-m", "flick_ops.compile.harness", "--target", target, "--mode", mode]
    command += ["--statements", str(statements), "--macros", str(macros)]
    command += [arg for s in select for arg in ("--select", s)]
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(
            command,
            cwd=project_dir,
            env=workspace.environment(_DUMMY_SECRETS),
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group, so a time-out stops everything it started
        )
    return _Child(mode, process, log, statements, macros)


def _wait(child: _Child, target: str, deadline: float) -> None:
    try:
        returncode = child.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
    except subprocess.TimeoutExpired as exc:
        raise OfflineCompileError(
            f"{target} {child.mode}: no result within the time limit; dbt's output is in {child.log}"
        ) from exc
    if returncode != 0:
        tail = "\n".join(child.log.read_text(encoding="utf-8").splitlines()[-30:])
        raise OfflineCompileError(f"{target} {child.mode}: dbt failed (exit {returncode}); {child.log} ends:\n{tail}")


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _run_child(target: str, mode: str, statements_path: Path, macros_path: Path, select: Sequence[str]) -> int:
    """In the child: parse, put the stand-ins in place, then run and snapshot as dbt would."""
    from dbt.cli.main import dbtRunner

    from flick_ops.compile.fakes import OfflineCatalog, install
    from flick_ops.compile.recorder import MacroLog, StatementLog

    selection = [arg for s in select for arg in ("--select", s)]
    parsed = dbtRunner().invoke(["parse", "--target", target, "--quiet"])
    if not parsed.success:
        print(f"dbt parse failed for target {target}: {parsed.exception}", file=sys.stderr)
        return 1
    manifest = parsed.result
    catalog = OfflineCatalog.from_manifest(manifest, mode, _DEFAULT_COLUMN_TYPE[target], SQLGLOT_DIALECT[target])
    install(manifest.metadata.adapter_type or target, catalog, StatementLog(statements_path, mode).record)
    MacroLog(macros_path).install()
    runner = dbtRunner(manifest=manifest)
    failed = False
    for command in ("run", "snapshot"):
        result = runner.invoke([command, "--target", target, *selection])
        if not result.success:
            failed = True
            print(f"dbt {command} failed offline for {target} ({mode}): {result.exception or 'see above'}")
    return 1 if failed else 0


def _main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="One offline dbt run (the child of compile_offline).")
    parser.add_argument("--target", required=True, choices=TARGETS)
    parser.add_argument("--mode", required=True, choices=MODES)
    parser.add_argument("--statements", required=True, type=Path)
    parser.add_argument("--macros", required=True, type=Path)
    parser.add_argument("--select", action="append", default=[])
    args = parser.parse_args(argv)
    return _run_child(args.target, args.mode, args.statements, args.macros, args.select)


if __name__ == "__main__":
    sys.exit(_main())
