"""Publish, share and run judge one build alike: one run history, the verdict per model from each.

The run history is written by hand (no dbt build): the shipped specs' models, a build attempt and a retry,
a `warn` test, a failed unit test (dbt then skips its model) and a test skipped while its model built.
`flick-ops publish` and `flick-ops share` read it from the command line; the run judges it the way the
pipeline does after its build (its diagnosis, then the release's hold-backs).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from flick_ops.cli import main
from flick_ops.dbt.runner import PROJECT_ROOT
from flick_ops.publish import load_spec
from flick_ops.release import held_back, lake_only_fit
from flick_ops.run.history import RunRecord
from flick_ops.run.nodes import diagnose, merge_attempts
from flick_ops.share.spec import load_spec as load_shares_spec

PUBLISH_SPEC = PROJECT_ROOT / "deploy" / "publish.yml"
SHARES_SPEC = PROJECT_ROOT / "deploy" / "shares.yml"
AS_OF = "2026-12-01"  # the shipped share spec's expiry dates are checked as of this day
WARNED = "mart_title_performance_daily"  # a warn-severity test: informational, the model may leave
UNIT_FAILED = "mart_title_performance_weekly"  # its unit test failed, so dbt skipped the model
TEST_SKIPPED = "ml_account_features"  # built, but a test reading it was skipped
RETRIED = "dim_titles"  # errored in the build, built and tested green by the retry
REFUSED = {UNIT_FAILED, TEST_SKIPPED}


def _models() -> set[str]:
    spec = load_spec(PUBLISH_SPEC)
    shares = load_shares_spec(SHARES_SPEC)
    shared = {dataset.model for share in shares.shares for dataset in share.datasets}
    return {entry.model for entry in spec.entries} | set(spec.lake_only) | shared


def _result(unique_id: str, status: str) -> dict:
    return {"unique_id": unique_id, "status": status, "message": f"{status} in the test build", "timing": []}


def _run_results(results: list[dict], command: str, generated_at: str) -> dict:
    return {
        "metadata": {"invocation_id": command, "generated_at": generated_at},
        "args": {"which": command},
        "results": results,
    }


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run history holding one run: its manifest and the run results of its build and its retry."""
    root = tmp_path_factory.mktemp("runs")
    record = RunRecord.create(root)
    nodes, unit_tests, parents, build, retry = {}, {}, {}, [], []
    for name in sorted(_models()):
        model, test = f"model.flick.{name}", f"test.flick.not_null_{name}_id.abc123"
        nodes[model] = {
            "unique_id": model,
            "resource_type": "model",
            "name": name,
            "schema": "gold",
            "original_file_path": f"models/gold/partners/{name}.sql",
            "tags": [],
            "config": {"contract": {"enforced": True}},
            "columns": {"id": {"name": "id", "tags": []}},
        }
        nodes[test] = {
            "unique_id": test,
            "resource_type": "test",
            "attached_node": model,
            "depends_on": {"nodes": [model]},
        }
        parents[model], parents[test] = [], [model]
        status, test_status = {
            WARNED: ("success", "warn"),
            UNIT_FAILED: ("skipped", "skipped"),
            TEST_SKIPPED: ("success", "skipped"),
            RETRIED: ("error", "skipped"),
        }.get(name, ("success", "pass"))
        build += [_result(model, status), _result(test, test_status)]
        if name == UNIT_FAILED:
            unit = f"unit_test.flick.{name}.scores_are_bounded"
            unit_tests[unit] = {"unique_id": unit, "name": "scores_are_bounded", "depends_on": {"nodes": [model]}}
            build.append(_result(unit, "fail"))
        if name == RETRIED:
            retry += [_result(model, "success"), _result(test, "pass")]
    manifest = {
        "metadata": {"project_name": "flick"},
        "nodes": nodes,
        "unit_tests": unit_tests,
        "parent_map": parents,
        "child_map": {},
        "exposures": {},
    }
    (record.folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for number, (results, command, at) in enumerate(
        [(build, "build", "2026-11-30T05:00:00Z"), (retry, "retry", "2026-11-30T05:10:00Z")], start=1
    ):
        (record.folder / f"attempt-{number}").mkdir()
        (record.folder / f"attempt-{number}" / "run_results.json").write_text(
            json.dumps(_run_results(results, command, at)), encoding="utf-8"
        )
    return root


def _refused_models(output: str) -> set[str]:
    """The models named in a refusal's `  - entry (model): reason` lines."""
    return set(re.findall(r"^  - \S+ \((\w+)\): ", output, flags=re.MULTILINE))


def _publish_verdict(run_folder: Path, tmp_path: Path) -> set[str]:
    args = [
        "publish",
        "--dbt-target-dir", str(run_folder),
        "--warehouse", str(tmp_path / "no-warehouse.duckdb"),
        "--lake", str(tmp_path / "lake"),
        "--state-dir", str(tmp_path / "state"),
        "--local-path", str(tmp_path / "local.duckdb"),
        "--quiet",
    ]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 3, result.output
    assert not (tmp_path / "lake").exists() and not (tmp_path / "local.duckdb").exists()
    return _refused_models(result.output)


def _share_verdict(run_folder: Path) -> set[str]:
    args = ["share", "--dbt-target-dir", str(run_folder), "--as-of", AS_OF, "--dry-run"]
    result = CliRunner().invoke(main, args, env={"AZURE_SUBSCRIPTION_ID": ""})
    assert result.exit_code == 3, result.output
    return _refused_models(result.output)


def _run_verdict(run_folder: Path) -> set[str]:
    record = RunRecord(run_folder)
    spec, build = load_spec(PUBLISH_SPEC), record.build()
    diagnosis = diagnose(merge_attempts(record.attempts()), record.manifest())
    held, _failed = held_back(spec, build, unpublishable=diagnosis.unpublishable_models)
    lake = {model for model, reason in lake_only_fit(spec, build).items() if reason is not None}
    return {spec.entry(name).model for name in held} | lake


def test_publish_share_and_run_refuse_the_same_models_of_one_run(history: Path, tmp_path: Path) -> None:
    run_folder = RunRecord.open(history).folder
    published = {entry.model for entry in load_spec(PUBLISH_SPEC).entries} | set(load_spec(PUBLISH_SPEC).lake_only)
    shared = {dataset.model for share in load_shares_spec(SHARES_SPEC).shares for dataset in share.datasets}

    by_publish = _publish_verdict(run_folder, tmp_path)
    by_share = _share_verdict(run_folder)
    by_run = _run_verdict(run_folder)

    assert by_publish == REFUSED & published
    assert by_share == REFUSED & shared
    assert by_run == REFUSED & published
    for model in sorted(_models()):
        verdicts = {
            "publish": model in by_publish if model in published else None,
            "share": model in by_share if model in shared else None,
            "run": model in by_run if model in published else None,
        }
        assert len({v for v in verdicts.values() if v is not None}) == 1, (model, verdicts)
