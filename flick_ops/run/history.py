"""Run history: one folder per pipeline run, so any earlier run can be examined.

Layout of `<history root>/<run_id>/` (the history root is warehouse/runs/ by default)::

    run.json                  what was asked and what came of it (written at the end)
    steps.jsonl               the pipeline's own step log, one line per step as it finishes
    freshness/sources.json    dbt's source freshness measurements
    attempt-1/run_results.json, attempt-2/... one per dbt build / dbt retry attempt
    manifest.json             the graph the run built (for root causes and exposures)
    compiled/<unique_id>.sql  the compiled SQL of each root-cause node

Run ids sort by start time (`20261127T210455Z-0412873f`: the second, its microseconds and a random
byte), so the newest run is the last folder. The dbt artifacts are read through `flick_ops.dbt.artifacts`,
which also reads the attempts as one build (what the release gates check).
"""

from __future__ import annotations

import json
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flick_ops.dbt import artifacts

FRESHNESS_FOLDER = "freshness"


class UnknownRun(LookupError):
    """No run with that id (or no runs at all) in the history."""


@dataclass(frozen=True)
class RunRecord:
    folder: Path

    @property
    def run_id(self) -> str:
        return self.folder.name

    @classmethod
    def create(cls, history_root: Path) -> RunRecord:
        # The microseconds keep two runs started in the same second in the order they started.
        now = datetime.now(UTC)
        run_id = f"{now:%Y%m%dT%H%M%SZ}-{now:%f}{secrets.token_hex(1)}"
        folder = Path(history_root) / run_id
        folder.mkdir(parents=True)
        return cls(folder)

    @classmethod
    def open(cls, history_root: Path, run_id: str | None = None) -> RunRecord:
        """The run with this id, or the latest run."""
        runs = run_ids(history_root)
        if not runs:
            raise UnknownRun(f"no pipeline runs recorded in {history_root}")
        if run_id is None:
            return cls(Path(history_root) / runs[-1])
        if run_id not in runs:
            raise UnknownRun(f"no run {run_id!r} in {history_root} (latest: {runs[-1]})")
        return cls(Path(history_root) / run_id)

    def log_step(self, step: str, outcome: str, started_at: datetime, **detail: object) -> None:
        entry = {
            "step": step,
            "outcome": outcome,
            "started_at": started_at.isoformat(timespec="seconds"),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **detail,
        }
        with (self.folder / "steps.jsonl").open("a", encoding="utf-8") as log:
            log.write(json.dumps(entry, default=str) + "\n")

    def keep(self, artifact: Path, as_name: str) -> None:
        """Copy a dbt artifact into the run folder (dbt overwrites target/ on its next invocation)."""
        if artifact.exists():
            destination = self.folder / as_name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(artifact, destination)

    def write_summary(self, summary: dict) -> None:
        (self.folder / "run.json").write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")

    def summary(self) -> dict:
        return _read(self.folder / "run.json") or {"run_id": self.run_id, "status": "unfinished"}

    def steps(self) -> list[dict]:
        path = self.folder / "steps.jsonl"
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []

    def attempts(self) -> list[dict]:
        """The run results of each dbt attempt, first attempt first."""
        return artifacts.attempt_results(self.folder)

    def manifest(self) -> dict:
        return artifacts.read_manifest(self.folder)

    def freshness(self) -> dict | None:
        return artifacts.read_sources(self.folder / FRESHNESS_FOLDER)

    def build(self) -> artifacts.BuildArtifacts:
        """The run's record of its `dbt build`: the manifest with each node's result in its last attempt."""
        return artifacts.BuildArtifacts.load(self.folder)


def run_ids(history_root: Path) -> list[str]:
    root = Path(history_root)
    return sorted(path.name for path in root.iterdir() if path.is_dir()) if root.exists() else []


def _read(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
