"""What happened to each dbt node over a run's attempts, and why.

A run is one `dbt build` plus any `dbt retry` attempts; each retry re-runs only
what failed or was skipped, so a node's outcome is its result in the last
attempt that ran it. From the outcomes and the manifest's graph this module
separates root causes (failed nodes none of whose ancestors failed) from
casualties (nodes skipped, or failed, because something upstream did), and
names the consumers (exposures) that are affected.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

FAILED = frozenset({"error", "fail", "runtime error"})
SKIPPED = "skipped"


@dataclass(frozen=True)
class NodeOutcome:
    unique_id: str
    status: str
    message: str
    started_at: str | None
    finished_at: str | None
    execution_time: float
    attempt: int

    @property
    def resource_type(self) -> str:
        return self.unique_id.split(".", 1)[0]

    @property
    def name(self) -> str:
        """The unique id without resource type and project (and a data test's hash suffix)."""
        parts = self.unique_id.split(".")[2:]
        return ".".join(parts[:-1] if self.resource_type == "test" and len(parts) > 1 else parts)

    @property
    def failed(self) -> bool:
        return self.status in FAILED


@dataclass(frozen=True)
class Diagnosis:
    root_causes: tuple[NodeOutcome, ...]
    casualties: tuple[NodeOutcome, ...]  # skipped, or failed with a failed ancestor
    affected_exposures: tuple[str, ...]
    unpublishable_models: frozenset[str]  # models that failed, were skipped, or whose tests failed

    @property
    def clean(self) -> bool:
        return not self.root_causes and not self.casualties


def merge_attempts(attempts: Sequence[Mapping]) -> dict[str, NodeOutcome]:
    """Each node's outcome in the last attempt (run_results.json documents, first attempt first) that ran it."""
    outcomes: dict[str, NodeOutcome] = {}
    for number, run_results in enumerate(attempts, start=1):
        for result in run_results.get("results", []):
            outcomes[result["unique_id"]] = _outcome(result, number)
    return outcomes


def _outcome(result: Mapping, attempt: int) -> NodeOutcome:
    timing = {step["name"]: step for step in result.get("timing", [])}
    started = (timing.get("compile") or timing.get("execute") or {}).get("started_at")
    finished = (timing.get("execute") or timing.get("compile") or {}).get("completed_at")
    return NodeOutcome(
        unique_id=result["unique_id"],
        status=result["status"],
        message=result.get("message") or "",
        started_at=started,
        finished_at=finished,
        execution_time=float(result.get("execution_time") or 0.0),
        attempt=attempt,
    )


def diagnose(outcomes: Mapping[str, NodeOutcome], manifest: Mapping) -> Diagnosis:
    parents: Mapping[str, list[str]] = manifest.get("parent_map", {})
    failed = {uid for uid, outcome in outcomes.items() if outcome.failed}
    root_causes, casualties = [], []
    for uid, outcome in sorted(outcomes.items()):
        if outcome.failed and not (_ancestors(uid, parents) & failed):
            root_causes.append(outcome)
        elif outcome.failed or outcome.status == SKIPPED:
            casualties.append(outcome)
    unpublishable = _unpublishable_models(outcomes, manifest)
    exposures = descendants(unpublishable, manifest.get("child_map", {}))
    return Diagnosis(
        root_causes=tuple(root_causes),
        casualties=tuple(casualties),
        affected_exposures=tuple(sorted(uid for uid in exposures if uid.startswith("exposure."))),
        unpublishable_models=frozenset(unpublishable),
    )


def _unpublishable_models(outcomes: Mapping[str, NodeOutcome], manifest: Mapping) -> set[str]:
    """Models that did not build, plus models a failing test reads (their data did not pass)."""
    nodes = manifest.get("nodes", {})
    bad = set()
    for uid, outcome in outcomes.items():
        if not (outcome.failed or outcome.status == SKIPPED):
            continue
        if uid.startswith("test."):
            if outcome.failed:
                bad.update(
                    p for p in nodes.get(uid, {}).get("depends_on", {}).get("nodes", []) if not p.startswith("source.")
                )
        elif not uid.startswith("unit_test."):
            bad.add(uid)
    return bad


def _ancestors(uid: str, parents: Mapping[str, list[str]]) -> set[str]:
    return _walk([uid], parents) - {uid}


def descendants(uids: Iterable[str], children: Mapping[str, list[str]]) -> set[str]:
    """The nodes given and every node downstream of them."""
    return _walk(uids, children)


def _walk(start: Iterable[str], edges: Mapping[str, list[str]]) -> set[str]:
    seen = set(start)
    queue = deque(seen)
    while queue:
        for neighbour in edges.get(queue.popleft(), []):
            if neighbour not in seen:
                seen.add(neighbour)
                queue.append(neighbour)
    return seen


def compiled_sql_path(unique_id: str, manifest: Mapping, target_path: Path) -> Path | None:
    """Where dbt wrote the node's compiled SQL (unit tests have no compiled_path in the manifest)."""
    node = manifest.get("nodes", {}).get(unique_id)
    if node and node.get("compiled_path"):
        return Path(target_path, node["compiled_path"])  # absolute when DBT_TARGET_PATH is
    unit_test = manifest.get("unit_tests", {}).get(unique_id)
    if unit_test:
        defined_in = PurePosixPath(unit_test["original_file_path"])
        return Path(
            target_path,
            "compiled",
            unit_test["package_name"],
            defined_in,
            defined_in.parent,
            f"{unit_test['name']}.sql",
        )
    return None
