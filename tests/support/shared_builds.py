"""A dbt build made once per test run and read by every worker, whatever the number of workers.

With pytest-xdist each worker is a process with its own session fixtures, so a session-scoped build
would be made once per worker. `shared_build` makes it once: the first worker to ask builds it under a
file lock in the folder all workers of the run share (the parent of each worker's base temp folder,
as pytest-xdist's documentation suggests), the others wait and reuse it. Each worker then works on its
own copy of the warehouse and its dbt artifacts: DuckDB lets one process write a file or many read it,
and a dbt command on a copy (compile, docs generate, `mf`) opens it for writing. The lake is not
copied: the views read it by its absolute path, and the intake only ever replaces its manifest whole.
Without xdist the build is made in the session's own temp folder and used as it is.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

from flick_ops.dbt.runner import DbtOutcome, DbtWorkspace

OUTCOME_FILE = "outcome.json"
# Each worker's own working files, never copied from the build.
_NOT_COPIED = ("lake", "logs", OUTCOME_FILE)


def shared_build(
    factory: pytest.TempPathFactory, name: str, build: Callable[[DbtWorkspace], DbtOutcome]
) -> tuple[DbtWorkspace, DbtOutcome]:
    """`build(workspace)` once per test run in a folder named `name` (lake in <folder>/lake); this worker's
    workspace over it and the build's outcome."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        folder = factory.mktemp(name)
        workspace = DbtWorkspace.in_folder(folder, lake_root=folder / "lake")
        return workspace, build(workspace)

    shared = factory.getbasetemp().parent
    built = shared / name
    with FileLock(shared / f"{name}.lock"):
        if not (built / OUTCOME_FILE).exists():
            built.mkdir(exist_ok=True)
            outcome = build(DbtWorkspace.in_folder(built, lake_root=built / "lake"))
            (built / OUTCOME_FILE).write_text(json.dumps(_as_json(outcome)), encoding="utf-8")
    outcome = DbtOutcome(**_from_json(json.loads((built / OUTCOME_FILE).read_text(encoding="utf-8"))))

    copy = factory.mktemp(name)
    shutil.copytree(
        built, copy, ignore=lambda folder, _: _NOT_COPIED if Path(folder) == built else (), dirs_exist_ok=True
    )
    return DbtWorkspace.in_folder(copy, lake_root=built / "lake"), outcome


def _as_json(outcome: DbtOutcome) -> dict:
    # The node events are left out: a shared build's readers use its run results.
    return {
        "args": list(outcome.args),
        "exit_code": outcome.exit_code,
        "output": outcome.output,
        "run_results": outcome.run_results,
        "sources": outcome.sources,
        "timed_out": outcome.timed_out,
    }


def _from_json(document: dict) -> dict:
    return {**document, "args": tuple(document["args"])}
