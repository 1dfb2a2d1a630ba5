"""The publish gate: only data from a dbt build whose models and tests passed leaves the warehouse.

It reads the last invocation's run_results.json with the manifest beside it.
Each published model must have been built successfully by that invocation, and
every data and unit test on it must have run and passed (a warning passes);
an upstream node that failed in the same invocation refuses too. Anything else
refuses with the failing nodes named, before a sink is touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flick_ops.publish.reader import GoldReader, WarehouseError

PASSING_STATUSES = frozenset({"success", "pass", "warn"})
FAILING_STATUSES = frozenset({"error", "fail", "skipped", "runtime error"})


class GateRefused(RuntimeError):
    """The last dbt build did not pass for the models to publish; nothing was sent."""


def check_gate(reader: GoldReader, models: Sequence[str]) -> None:
    """Raise GateRefused listing every reason the given models may not be published."""
    try:
        results = {result["unique_id"]: result for result in reader.run_results["results"]}
        problems = [problem for model in models for problem in _model_problems(reader, model, results)]
    except WarehouseError as exc:
        raise GateRefused(f"refusing to publish: {exc}") from exc
    if problems:
        command = reader.run_results.get("args", {}).get("which", "dbt")
        raise GateRefused(
            f"refusing to publish: the last dbt invocation (`dbt {command}`, "
            f"{reader.run_results['metadata']['generated_at']}) did not pass for the published models:\n  - "
            + "\n  - ".join(dict.fromkeys(problems))
            + "\nNothing was sent. Fix the failures and run `dbt build` again."
        )


def _model_problems(reader: GoldReader, model: str, results: dict[str, dict]) -> Iterable[str]:
    unique_id = reader.model_node(model)["unique_id"]
    result = results.get(unique_id)
    if result is None:
        yield f"{model} was not built by it"
    elif result["status"] not in PASSING_STATUSES:
        yield f"{unique_id}: {result['status']}{_message(result)}"
    for test_id in _tests_of(reader.manifest, unique_id):
        test = results.get(test_id)
        if test is None:
            yield f"{test_id}: did not run"
        elif test["status"] not in PASSING_STATUSES:
            yield f"{test_id}: {test['status']}{_message(test)}"
    for ancestor in _ancestors(reader.manifest, unique_id):
        upstream = results.get(ancestor)
        if upstream is not None and upstream["status"] in FAILING_STATUSES:
            yield f"{ancestor} (upstream of {model}): {upstream['status']}{_message(upstream)}"


def _tests_of(manifest: dict, unique_id: str) -> list[str]:
    """Data tests that read the model and unit tests of it."""
    tests = [
        test_id
        for test_id, node in manifest["nodes"].items()
        if node["resource_type"] == "test" and unique_id in node["depends_on"]["nodes"]
    ]
    tests += [
        test_id for test_id, node in manifest.get("unit_tests", {}).items() if unique_id in node["depends_on"]["nodes"]
    ]
    return sorted(tests)


def _ancestors(manifest: dict, unique_id: str) -> set[str]:
    parents = manifest["parent_map"]
    seen: set[str] = set()
    frontier = list(parents.get(unique_id, []))
    while frontier:
        node = frontier.pop()
        if node not in seen:
            seen.add(node)
            frontier.extend(parents.get(node, []))
    return seen


def _message(result: dict) -> str:
    message = (result.get("message") or "").strip().splitlines()
    return f" ({message[0][:200]})" if message else ""
