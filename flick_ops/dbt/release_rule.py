"""The one rule for what may leave the warehouse (Cosmos, the lake's gold zone, Data Share).

A model may leave when, in the build being released (`flick_ops.dbt.artifacts`):

- it is a Gold model (`models/gold/`), not in a private schema, and not tagged `pii`;
- its contract is enforced (its columns cannot drift under a consumer) and no column is tagged `pii`;
- it built (`success`), and every test that reads it, data and unit tests alike, ran and passed;
- nothing upstream of it failed in that build.

How results count, said once: a model passes only as `success`; a test passes as `pass` or `warn` (a
warn-severity test is informational by design); a test that was `skipped` (its model or a parent failed, or
a unit test of the model failed) or did not run at all does not pass; a failed unit test is a failed test.

Every refusal names the entry it is about (`publish.top10_daily`, `shares[2].datasets[0]`), the model, and
the column or node at fault.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from flick_ops.dbt.artifacts import FAILED_STATUSES, BuildArtifacts

GOLD_FOLDER = "models/gold/"
PRIVATE_SCHEMA_MARK = "private"
PII_TAG = "pii"
PASSING_MODEL_STATUSES = frozenset({"success"})
PASSING_TEST_STATUSES = frozenset({"pass", "warn"})


class ReleaseRefused(RuntimeError):
    """Something asked to leave the warehouse must not; `refusals` lists every `entry (model): reason`."""

    def __init__(self, action: str, refusals: list[str], artifacts: BuildArtifacts) -> None:
        self.refusals = refusals
        listed = "\n".join(f"  - {refusal}" for refusal in refusals)
        super().__init__(
            f"refusing to {action}: {len(refusals)} reason(s), checked against {artifacts.describe()}:\n{listed}\n"
            "Nothing was sent or written."
        )


def refusals(artifacts: BuildArtifacts, entries: Iterable[tuple[str, str]]) -> list[str]:
    """Every reason the (entry, model) pairs may not leave, each as `entry (model): reason`; empty when all may."""
    return [f"{entry} ({model}): {reason}" for entry, model in entries for reason in _reasons(artifacts, model)]


def check_release(artifacts: BuildArtifacts, entries: Iterable[tuple[str, str]], action: str) -> None:
    """Raise ReleaseRefused when any of the (entry, model) pairs may not leave the warehouse."""
    found = refusals(artifacts, entries)
    if found:
        raise ReleaseRefused(action, found, artifacts)


def fit_to_leave(artifacts: BuildArtifacts, model: str) -> bool:
    return not any(True for _ in _reasons(artifacts, model))


def tests_not_run(artifacts: BuildArtifacts, unique_id: str) -> list[str]:
    """The tests of the model that did not run in the build (they read a model outside its selection, say)."""
    return [test_id for test_id in artifacts.tests_of(unique_id) if artifacts.status(test_id) is None]


def _reasons(artifacts: BuildArtifacts, model: str) -> Iterator[str]:
    node = artifacts.model(model)
    if node is None:
        yield "no such model in the dbt manifest"
        return
    yield from _shape_reasons(node)
    yield from _build_reasons(artifacts, node["unique_id"])


def _shape_reasons(node: Mapping[str, Any]) -> Iterator[str]:
    path = str(node.get("original_file_path", ""))
    if not path.startswith(GOLD_FOLDER):
        yield f"only Gold models may leave the warehouse; this one is in {path}"
    schema = str(node.get("schema", ""))
    if PRIVATE_SCHEMA_MARK in schema.lower():
        yield f"it is in the private schema {schema}"
    if not node.get("config", {}).get("contract", {}).get("enforced", False):
        yield "the model's contract is not enforced (config.contract.enforced: true)"
    if PII_TAG in node.get("tags", []) or PII_TAG in node.get("config", {}).get("tags", []):
        yield f"the model is tagged {PII_TAG}"
    pii_columns = sorted(name for name, column in node.get("columns", {}).items() if _is_pii(column))
    if pii_columns:
        yield f"column(s) tagged {PII_TAG}: {', '.join(pii_columns)}"


def _build_reasons(artifacts: BuildArtifacts, unique_id: str) -> Iterator[str]:
    status = artifacts.status(unique_id)
    if status is None:
        yield f"not built by {artifacts.describe()}; run `dbt build` first"
        return
    if status not in PASSING_MODEL_STATUSES:
        yield f"{unique_id}: {status}{_message(artifacts, unique_id)}"
    for test_id in artifacts.tests_of(unique_id):
        test_status = artifacts.status(test_id)
        if test_status is None:
            yield f"{test_id}: did not run"
        elif test_status not in PASSING_TEST_STATUSES:
            yield f"{test_id}: {test_status}{_message(artifacts, test_id)}"
    for ancestor in sorted(artifacts.ancestors(unique_id)):
        if artifacts.status(ancestor) in FAILED_STATUSES:
            yield f"{ancestor} (upstream): {artifacts.status(ancestor)}{_message(artifacts, ancestor)}"


def _is_pii(column: Mapping[str, Any]) -> bool:
    tags = set(column.get("tags") or []) | set((column.get("config") or {}).get("tags") or [])
    return PII_TAG in tags


def _message(artifacts: BuildArtifacts, unique_id: str) -> str:
    lines = (artifacts.results[unique_id].get("message") or "").strip().splitlines()
    return f" ({lines[0][:200]})" if lines else ""
