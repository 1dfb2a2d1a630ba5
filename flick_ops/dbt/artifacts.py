"""The one reader of dbt's artifacts (manifest, run results, source freshness) and of the run history's
record of a build, and which build is being released.

dbt rewrites `target/run_results.json` on every command (`dbt docs generate`,
`dbt ls`, a `dbt retry`), so "the last invocation" says nothing about the
warehouse. What a gate must read is the record of the last `dbt build`: the
run history keeps one per `flick-ops run` (each node's result over its build
and retry attempts, beside the manifest), and `target/` holds one when the last
command run there was a `dbt build` (`make demo`, `make build`). The newer of
the two is the build being released; an explicit folder overrides both.

A run's record is its manifest and one run results per attempt (`attempt-1/`, `attempt-2/`, ...: the
build, then each `dbt retry`). Read as one build, each node's result is the one of the last attempt that
ran it: after a retry, the retry's own results hold only what it re-ran. A run may also keep `carried/`:
results it did not run again because they cannot differ from an earlier clean run's (the unit tests of an
unchanged project, which read fixtures, not the warehouse); a node the build ran wins over a carried one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

BUILD_COMMAND = "build"
MANIFEST = "manifest.json"
RUN_RESULTS = "run_results.json"
SOURCES = "sources.json"
FILES = (MANIFEST, RUN_RESULTS)
ATTEMPT_FOLDER = "attempt-{number}"
CARRIED_FOLDER = "carried"
FAILED_STATUSES = frozenset({"error", "fail", "runtime error", "skipped"})


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
        """The artifacts in a target folder, or a run history folder's record of its build (attempts merged)."""
        folder = Path(folder)
        attempts = attempt_results(folder)
        if attempts and (folder / MANIFEST).is_file():
            merged = merge_attempts(attempts)
            ran = {result["unique_id"] for result in merged["results"]}
            carried = [result for result in carried_results(folder) if result["unique_id"] not in ran]
            merged = {**merged, "results": [*carried, *merged["results"]]}
            return cls(_read(folder / MANIFEST) or {}, merged, folder)
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
        if (run / MANIFEST).is_file() and attempt_results(run):
            yield BuildArtifacts.load(run)
            return


def attempt_folder(number: int) -> str:
    """Where a run keeps the run results of its n-th dbt attempt (1: the build, then each retry)."""
    return ATTEMPT_FOLDER.format(number=number)


def attempt_results(run_folder: Path) -> list[dict]:
    """The run results of each dbt attempt a run kept, first attempt first."""
    folders = sorted(Path(run_folder).glob(attempt_folder(number="*")), key=lambda path: int(path.name.split("-")[1]))
    return [results for folder in folders if (results := _read(folder / RUN_RESULTS))]


def carried_results(run_folder: Path) -> list[dict]:
    """The results a run carried from an earlier clean run instead of running them again (empty if none)."""
    return list((_read(Path(run_folder) / CARRIED_FOLDER / RUN_RESULTS) or {}).get("results", []))


def keep_carried(run_folder: Path, results: Sequence[Mapping[str, Any]], from_run: str) -> None:
    """Keep in a run's record the results it carries from `from_run`, each saying where it comes from."""
    folder = Path(run_folder) / CARRIED_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    note = f"carried from run {from_run}: the project is unchanged"
    carried = [{**result, "message": note, "execution_time": 0.0, "timing": []} for result in results]
    (folder / RUN_RESULTS).write_text(json.dumps({"results": carried}), encoding="utf-8")


def merge_attempts(attempts: Sequence[Mapping[str, Any]]) -> dict:
    """One build's run results from its attempts: each node's result in the last attempt that ran it."""
    by_id = {result["unique_id"]: result for attempt in attempts for result in attempt.get("results", [])}
    return {**attempts[-1], "args": attempts[0].get("args", {}), "results": list(by_id.values())}


def failed_results(run_results: Mapping[str, Any] | None) -> list[dict]:
    """Nodes that errored, failed or were skipped (warnings are not failures)."""
    return [r for r in (run_results or {}).get("results", []) if r.get("status") in FAILED_STATUSES]


def read_manifest(folder: Path) -> dict:
    """The manifest in a target or run folder; empty when there is none."""
    return _read(Path(folder) / MANIFEST) or {}


def read_sources(folder: Path) -> dict | None:
    """dbt's source freshness measurements (sources.json) in a folder, if any."""
    return _read(Path(folder) / SOURCES)


def invocation_id(target_dir: Path) -> str | None:
    results = read_run_results(target_dir)
    return results["metadata"]["invocation_id"] if results else None


def read_run_results(folder: Path) -> dict | None:
    """The run results in a target folder, if any."""
    return _read(Path(folder) / RUN_RESULTS)


def fresh_run_results(target_dir: Path, previous_invocation: str | None) -> dict | None:
    """The run results in target/, unless they are still those of the previous invocation."""
    results = read_run_results(target_dir)
    if results is None or results["metadata"]["invocation_id"] == previous_invocation:
        return None
    return results


def clear_results(target_dir: Path, *, keep_run_results: bool = False) -> None:
    """Remove the result artifacts a dbt invocation writes, so a stale one never passes for its own."""
    for name in (SOURCES,) if keep_run_results else (RUN_RESULTS, SOURCES):
        (Path(target_dir) / name).unlink(missing_ok=True)


def _read(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
