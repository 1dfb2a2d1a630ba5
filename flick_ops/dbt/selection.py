"""A dbt selection that matches no node is a usage error, not an empty success.

dbt itself only warns (`NoNodesForSelectionCriteria`) and goes on to build,
compile or test nothing. `dbt ls` names each criterion that matched nothing;
it runs in its own target folder (`<target>/selection/`), so the build's
artifacts in target/ are never touched by the check.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import click

from flick_ops.dbt.runner import DbtWorkspace, run_dbt

SELECTION_FOLDER = "selection"
CHECK_TIMEOUT_SECONDS = 600


def unmatched_selectors(selectors: Sequence[str], workspace: DbtWorkspace, target: str = "duckdb") -> list[str]:
    """The selectors (as dbt reads them) that match no enabled node of the project."""
    if not selectors:
        return []
    scratch = workspace.side_target(SELECTION_FOLDER)
    outcome = run_dbt(
        ["ls", "--log-format", "json", "--target", target, "--output", "name", "--select", *selectors],
        scratch,
        timeout_seconds=CHECK_TIMEOUT_SECONDS,
    )
    unmatched = []
    for line in outcome.output.splitlines():
        if '"NoNodesForSelectionCriteria"' in line:
            try:
                unmatched.append(json.loads(line)["data"]["spec_raw"])
            except (ValueError, KeyError):
                continue
    if not outcome.succeeded and not unmatched:
        tail = "\n".join(outcome.output.strip().splitlines()[-5:])
        raise click.UsageError(f"dbt could not resolve the selection {' '.join(selectors)}:\n{tail}")
    return unmatched


def require_matches(selectors: Sequence[str], workspace: DbtWorkspace, target: str = "duckdb") -> None:
    """Raise a usage error (exit 2) naming every selector that matches no node."""
    unmatched = unmatched_selectors(selectors, workspace, target)
    if unmatched:
        raise click.UsageError(
            f"the selection matches no node: {', '.join(repr(selector) for selector in unmatched)} "
            "(check the names with `dbt ls`); nothing was run"
        )
