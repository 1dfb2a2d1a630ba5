"""The one reader of dbt's artifacts: a build's manifest and run results, and which build is being released.

dbt rewrites `target/run_results.json` on every command (`dbt docs generate`,
`dbt ls`, a `dbt retry`), so "the last invocation" says nothing about the
warehouse. What a gate must read is the record of the last `dbt build`: the
run history keeps one per `flick-ops run` (each node's result over its build
and retry attempts, beside the manifest), and `target/` holds one when the last
command run there was a `dbt build` (`make demo`, `make build`). The newer of
the two is the build being released; an explicit folder overrides both.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

BUILD_COMMAND = "build"
FILES = ("manifest.json", "run_results.json")


class ArtifactsError(RuntimeError):
    """No usable record of a dbt build: missing or unreadable artifacts."""


@dataclass(frozen=True)
class BuildArtifacts:
    """One dbt invocation's manifest and run results (the folder is where they were read from, for messages)."""

    manifest: Mapping[str, Any]
    run_results: Mapping[str, Any]
    folder: Path | None = field(default=None, compare=False)

    @classmethod
    def load(cls, folder: Path) -> BuildArtifacts:
        folder = Path(folder)
        missing = [str(folder / name) for name in FILES if not (folder / name).is_file()]
        if missing:
            raise ArtifactsError(f"dbt artifacts not found: {', '.join(missing)}; run `dbt build` first")
        try:
            manifest, run_results = (json.loads((folder / name).read_text(encoding="utf-8")) for name in FILES)
        except (OSError, ValueError) as exc:
            raise ArtifactsError(f"cannot read the dbt artifacts in {folder}: {exc}") from exc
        return cls(manifest, run_results, folder)

    @property
    def command(self) -> str:
        """The dbt command that wrote the run results (`build`, `run`, `retry`, `generate`, ...)."""
        return str(self.run_results.get("args", {}).get("which", "?"))

    @property
    def generated_at(self) -> datetime | None:
        stamp = self.run_results.get("metadata", {}).get("generated_at")
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else None

    @property
    def invocation_id(self) -> str | None:
        return self.run_results.get("metadata", {}).get("invocation_id")

    def describe(self) -> str:
        """Which build this is, for messages: `dbt build` of <time>, from <folder>."""
        what = f"`dbt {self.command}`" if "which" in self.run_results.get("args", {}) else "the dbt build"
        when = f" of {self.generated_at:%Y-%m-%d %H:%M:%S} UTC" if self.generated_at else ""
        where = f" ({self.folder})" if self.folder else ""
        return f"{what}{when}{where}"

    @cached_property
    def results(self) -> dict[str, Mapping[str, Any]]:
        """Each node's result in this invocation, by unique id."""
        return {result["unique_id"]: result for result in self.run_results.get("results", [])}

    def status(self, unique_id: str) -> str | None:
        result = self.results.get(unique_id)
        return None if result is None else result.get("status")

    def model(self, name: str) -> Mapping[str, Any] | None:
        """The model node of that name (any package), or None."""
        return next(
            (
                node
                for node in self.manifest.get("nodes", {}).values()
                if node.get("resource_type") == "model" and node.get("name") == name
            ),
            None,
        )

    def tests_of(self, unique_id: str) -> list[str]:
        """The data tests that read the model (attached or not: a relationships test to it counts) and its unit tests."""
        tests = [
            test_id
            for test_id, node in self.manifest.get("nodes", {}).items()
            if node.get("resource_type") == "test"
            and (node.get("attached_node") == unique_id or unique_id in node.get("depends_on", {}).get("nodes", []))
        ]
        tests += [
            test_id
            for test_id, node in self.manifest.get("unit_tests", {}).items()
            if unique_id in node.get("depends_on", {}).get("nodes", [])
        ]
        return sorted(tests)

    def ancestors(self, unique_id: str) -> set[str]:
        parents = self.manifest.get("parent_map", {})
        seen: set[str] = set()
        frontier = list(parents.get(unique_id, []))
        while frontier:
            node = frontier.pop()
            if node not in seen:
                seen.add(node)
                frontier.extend(parents.get(node, []))
        return seen


def last_build(target_dir: Path, history_root: Path) -> BuildArtifacts:
    """The newest record of a `dbt build`: the run history's latest, or target/ when dbt's last command there was one."""
    candidates = [artifacts for artifacts in _build_records(Path(target_dir), Path(history_root))]
    if not candidates:
        raise ArtifactsError(
            f"no record of a `dbt build`: neither {Path(target_dir) / 'run_results.json'} (from a `dbt build`) "
            f"nor a run in {history_root}; run `make build` or `flick-ops run` first"
        )
    return max(candidates, key=lambda artifacts: artifacts.generated_at or datetime.min)


def release_artifacts(target_dir: Path | None, default_target: Path, history_root: Path) -> BuildArtifacts:
    """The build a gate reads: an explicit folder as it is, else `last_build` of the project."""
    return BuildArtifacts.load(target_dir) if target_dir is not None else last_build(default_target, history_root)


def _build_records(target_dir: Path, history_root: Path) -> Iterator[BuildArtifacts]:
    if all((target_dir / name).is_file() for name in FILES):
        artifacts = BuildArtifacts.load(target_dir)
        if artifacts.command == BUILD_COMMAND:
            yield artifacts
    runs = sorted((p for p in history_root.iterdir() if p.is_dir()), reverse=True) if history_root.is_dir() else []
    for run in runs:  # newest first: the latest run that recorded a build
        if all((run / name).is_file() for name in FILES):
            yield BuildArtifacts.load(run)
            return
