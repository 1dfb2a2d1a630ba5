"""Run dbt for this project the same way everywhere: CLI, tests and pipelines.

Each invocation is a separate process with a time limit: dbt keeps
process-wide state (adapters, flags, parsed manifests) and a hung adapter
connection must never hang a pipeline. The environment is set so that the
project's own profiles, lake and e-mail hash salt are used (`flick_ops.salt`:
never a default), and nothing is sent home.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from flick_ops.salt import SALT_VARIABLE, email_hash_salt

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TIMEOUT_SECONDS = 1800
PARSE_CACHE = "partial_parse.msgpack"
FAILED_STATUSES = frozenset({"error", "fail", "skipped", "runtime error"})


@dataclass(frozen=True)
class DbtWorkspace:
    """Where one dbt run reads its lake and writes its warehouse and artifacts."""

    lake_root: Path
    duckdb_path: Path
    target_path: Path
    log_path: Path
    project_dir: Path = PROJECT_ROOT

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
        build's artifacts alone (docs, selection checks); seeded with the build's parse cache, so dbt re-parses
        only what changed."""
        folder = Path(self.target_path) / name
        folder.mkdir(parents=True, exist_ok=True)
        cache = Path(self.target_path) / PARSE_CACHE
        if cache.exists() and not (folder / PARSE_CACHE).exists():
            shutil.copyfile(cache, folder / PARSE_CACHE)
        return replace(self, target_path=folder)

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


@dataclass(frozen=True)
class DbtOutcome:
    args: tuple[str, ...]
    returncode: int
    output: str
    run_results: dict | None

    @property
    def succeeded(self) -> bool:
        return self.returncode == 0

    def failures(self) -> list[dict]:
        """Nodes that errored, failed or were skipped, as dbt reported them (warnings are not failures)."""
        if not self.run_results:
            return []
        return [r for r in self.run_results.get("results", []) if r.get("status") in FAILED_STATUSES]


def _profiles_dir(project_dir: Path) -> Path:
    """The user's DBT_PROFILES_DIR if set, else the project (profiles.yml made from the example)."""
    configured = os.environ.get("DBT_PROFILES_DIR")
    if configured:
        return Path(configured)
    profiles = project_dir / "profiles.yml"
    if not profiles.exists():
        profiles.write_text((project_dir / "profiles.example.yml").read_text(encoding="utf-8"), encoding="utf-8")
    return project_dir


def run_dbt(
    args: Sequence[str],
    workspace: DbtWorkspace,
    *,
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS,
    extra_env: Mapping[str, str] | None = None,
) -> DbtOutcome:
    """Run `dbt <args>` in the project; never raises on dbt failure, only on a time-out."""
    command = [sys.executable, "-c", "from dbt.cli.main import cli; cli()", *args]
    results_file = Path(workspace.target_path) / "run_results.json"
    results_file.unlink(missing_ok=True)  # a stale file from an earlier run must not pass for this one
    Path(workspace.duckdb_path).parent.mkdir(parents=True, exist_ok=True)
    completed = subprocess.run(
        command,
        cwd=workspace.project_dir,
        env=workspace.environment(extra_env),
        capture_output=True,
        text=True,
        timeout=timeout_seconds,
        check=False,
    )
    run_results = json.loads(results_file.read_text(encoding="utf-8")) if results_file.exists() else None
    return DbtOutcome(tuple(args), completed.returncode, completed.stdout + completed.stderr, run_results)
