"""The Synapse trap corpus through `flick-ops compile --target synapse`, as a user runs it.

tests/synapse_corpus/traps holds one construct a dedicated SQL pool rejects
per model, each naming in its header the finding it must produce
(`{# finding: <check> | <detail> #}`); tests/synapse_corpus/near_misses holds
look-alikes that are valid on a dedicated pool and must pass. Each folder is
compiled once, planted in a scratch copy of the project (--extra-models):
two offline compilations, run side by side, for every model in the corpus.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from flick_ops.dbt.runner import PROJECT_ROOT

CORPUS = PROJECT_ROOT / "tests" / "synapse_corpus"
TRAPS = sorted((CORPUS / "traps").glob("*.sql"))
NEAR_MISSES = sorted((CORPUS / "near_misses").glob("*.sql"))
_EXPECTED = re.compile(r"\{# finding: (?P<check>.+?) \| (?P<detail>.+?) #\}")
_FINDING = re.compile(r"^synapse \w+ model\.flick\.(?P<model>\w+) statement \d+: (?P<check>.+?): (?P<detail>.*)$")


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str

    def findings(self) -> dict[str, list[tuple[str, str]]]:
        by_model: dict[str, list[tuple[str, str]]] = {}
        for line in self.stderr.splitlines():
            match = _FINDING.match(line)
            if match:
                by_model.setdefault(match["model"], []).append((match["check"], match["detail"]))
        return by_model


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    out = tmp_path_factory.mktemp("corpus")
    command = [str(Path(sys.executable).with_name("flick-ops")), "compile", "--target", "synapse"]
    processes = {
        folder: subprocess.Popen(
            [*command, "--extra-models", str(CORPUS / folder), "--out", str(out / folder)],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for folder in ("traps", "near_misses")
    }
    results = {}
    for folder, process in processes.items():
        stdout, stderr = process.communicate(timeout=900)
        results[folder] = Run(process.returncode, stdout, stderr)
    return results


def expected_finding(model: Path) -> tuple[str, str]:
    match = _EXPECTED.search(model.read_text())
    assert match, f"{model.name} does not name the finding it must produce"
    return match["check"], match["detail"]


def test_the_corpus_has_forty_traps_and_as_many_near_misses() -> None:
    assert len(TRAPS) >= 40
    assert len(NEAR_MISSES) >= len(TRAPS)
    assert all(expected_finding(trap) for trap in TRAPS)


def test_traps_exit_3_naming_each_construct_and_model(runs: dict[str, Run]) -> None:
    run = runs["traps"]
    assert run.returncode == 3, run.stderr[-2000:]
    findings = run.findings()
    missed = []
    for trap in TRAPS:
        check, detail = expected_finding(trap)
        if not any(c == check and detail in d for c, d in findings.get(trap.stem, [])):
            missed.append(f"{trap.stem}: expected {check}: {detail}; got {findings.get(trap.stem)}")
    assert not missed, "\n".join(missed)


def test_each_trap_holds_only_its_own_construct(runs: dict[str, Run]) -> None:
    # sqlfluff's parse failure may accompany a construct T-SQL cannot even parse; nothing else may.
    for model, found in runs["traps"].findings().items():
        expected_check, _ = expected_finding(CORPUS / "traps" / f"{model}.sql")
        assert {check for check, _ in found} - {expected_check, "tsql parse"} == set(), (model, found)


def test_near_misses_exit_0(runs: dict[str, Run]) -> None:
    run = runs["near_misses"]
    assert run.returncode == 0, run.stderr[-4000:]
    assert "nothing a dedicated SQL pool rejects" in run.stdout
    assert f"synapse: {len(NEAR_MISSES)} nodes" in run.stdout
