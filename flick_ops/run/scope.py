"""What a run builds: everything, only what newly landed files reach, or nothing at all.

A daily run should cost what landed, not what is stored. Gold is a function of
the landed files and the project (no model reads the clock), so a run can
compare both with the last run that built and published cleanly:

- **nothing**: the same project, the same warehouse and not one landed file
  new or changed since that run. Its Gold is still current and was published;
  the run measures freshness and stops there.
- **landed**: the same project and warehouse, but new files landed. dbt builds
  the sources those files belong to and everything downstream
  (`source:<source>.<entity>+`), and the tests of incremental models read
  only the rows this run wrote (the `tested_rows` macro, switched on by the
  environment variable FLICK_TESTS_WRITTEN_SINCE); a key test still compares
  every written key with the stored ones.
- **everything**: the first run, a changed project (models, macros, seeds,
  tests, deploy settings, target, lake, publish destination, e-mail salt), a
  warehouse that is not the one the last run left, a last run that did not
  end cleanly or did not publish, a `--select`, or `--full-tests`: the whole
  build with every test.

What a clean run leaves for the next one is its `RunState` in `scope.json` in
its history folder.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path

from flick_ops.run.history import RunRecord, run_ids

EVERYTHING, LANDED, NOTHING = "everything", "landed", "nothing"
STATE_FILE = "scope.json"
TESTS_SINCE_ENV = "FLICK_TESTS_WRITTEN_SINCE"
LANDED_FROM_ENV = "FLICK_TESTS_LANDED_FROM"
_ENGINE_PACKAGES = ("dbt-core", "dbt-adapters", "dbt-duckdb", "duckdb", "dbt-spark", "dbt-databricks", "dbt-synapse")
_INGEST_DATE = re.compile(r"/ingest_date=(\d{4}-\d{2}-\d{2})/")
# What dbt reads from the project (and what publish reads from deploy/): a change to any of it can change Gold.
_PROJECT_PARTS = ("dbt_project.yml", "models", "macros", "seeds", "snapshots", "tests/data_tests", "analyses", "deploy")
# The intake's own manifest is a source too: every run that takes in files rebuilds what reads it.
_INTAKE_SOURCE = "intake.landed_files"


@dataclass(frozen=True)
class RunState:
    """What a run that built and published cleanly leaves for the next to compare with."""

    project: str  # fingerprint of the project, target, selection and salt
    warehouse: str | None  # identity of the warehouse file after the run (None: not a local file)
    landed: dict[str, list[int]] = field(default_factory=dict)  # landed file -> [size, modified_ns]
    entities: dict[str, str] = field(default_factory=dict)  # landed file -> its source.entity


@dataclass(frozen=True)
class Scope:
    kind: str  # everything, landed or nothing
    reason: str
    since_run: str | None = None  # the clean run compared with
    entities: tuple[str, ...] = ()  # source.entity with new or changed files (kind landed)
    landed_from: dict[str, str] = field(default_factory=dict)  # source.entity -> earliest ingest date landed

    def tests_env(self, since: datetime) -> dict[str, str]:
        """What a landed run tells its tests: the rows written since `since` (`tested_rows`) and the ingest
        dates from the earliest one that landed, per entity (`landed_since`)."""
        if self.kind != LANDED:
            return {}
        return {TESTS_SINCE_ENV: f"{since:%Y-%m-%d %H:%M:%S.%f}", LANDED_FROM_ENV: json.dumps(self.landed_from)}

    @property
    def selectors(self) -> tuple[str, ...]:
        """dbt selectors for a landed run: every entity that got files, and the intake manifest."""
        return tuple(f"source:{entity}+" for entity in (*self.entities, _INTAKE_SOURCE))

    def describe(self) -> str:
        if self.kind == NOTHING:
            return f"nothing new landed since run {self.since_run}, which built and published cleanly: {self.reason}"
        if self.kind == LANDED:
            return (
                f"what landed since run {self.since_run} reaches ({', '.join(self.entities)}); "
                "tests read the rows this run writes"
            )
        return f"everything, every test: {self.reason}"


def project_fingerprint(project_dir: Path, settings: Sequence[str], salt: str | None) -> str:
    """One hash of every project file dbt or publish reads, the run's settings, the e-mail salt and the
    versions of dbt and the engines (an upgrade can change what a model gives as much as an edit).

    `settings` are what else decides the result: target, selection, publish destination, lake.
    """
    digest = hashlib.sha256()
    digest.update(json.dumps(engine_versions()).encode())
    for path in _project_files(Path(project_dir)):
        digest.update(str(path.relative_to(project_dir)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(json.dumps(list(settings)).encode())
    # The salt changes every hashed e-mail; only its hash enters the fingerprint, which is kept in the history.
    digest.update(hashlib.sha256((salt or "").encode()).digest())
    return digest.hexdigest()


def engine_versions() -> list[str]:
    """`package==version` of dbt, its adapters and the engines installed here."""
    found = []
    for package in _ENGINE_PACKAGES:
        try:
            found.append(f"{package}=={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            continue
    return found


def warehouse_identity(duckdb_path: Path | None) -> str | None:
    """The warehouse file as the run left it (size and modification time); None when it is not a local file."""
    if duckdb_path is None or not Path(duckdb_path).is_file():
        return None
    stat = Path(duckdb_path).stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def landed_state(files: Iterable) -> tuple[dict[str, list[int]], dict[str, str]]:
    """The intake's landed files as the run saw them: path -> [size, modified_ns], and path -> source.entity
    for the files Bronze reads."""
    landed, entities = {}, {}
    for landed_file in files:
        landed[landed_file.landed_file] = [landed_file.size_bytes, landed_file.modified_ns]
        if not landed_file.is_quarantined:  # a quarantined file reaches Bronze only through the intake manifest
            entities[landed_file.landed_file] = f"{landed_file.source}.{landed_file.entity}"
    return landed, entities


def last_clean_state(history_root: Path, before: str) -> tuple[str, RunState] | None:
    """The newest run before `before` that built, and its state if it ended cleanly (exit 0).

    Runs that stopped before building (stale sources, anomalies) or built nothing are passed over: they
    changed nothing. A newer run that built and failed ends the search with None, since the warehouse may
    hold part of its work.
    """
    for run_id in reversed([run for run in run_ids(history_root) if run < before]):
        record = RunRecord(Path(history_root) / run_id)
        summary = record.summary()
        if "build" not in summary and summary.get("scope", {}).get("kind") != NOTHING:
            continue
        state_path = record.folder / STATE_FILE
        if summary.get("exit_code") != 0 or not state_path.exists():
            return None
        return run_id, RunState(**json.loads(state_path.read_text(encoding="utf-8")))
    return None


def last_build(history_root: Path, run_id: str | None) -> RunRecord | None:
    """The run that built what `run_id` stands on: that run itself if it ran a dbt build, else the run its
    scope was measured against, and so on back (a "nothing new" run builds nothing). None when the chain
    ends without a build."""
    seen: set[str] = set()
    while run_id and run_id not in seen:
        seen.add(run_id)
        record = RunRecord(Path(history_root) / run_id)
        if record.attempts():
            return record
        run_id = record.summary().get("scope", {}).get("since_run")
    return None


def decide(now: RunState, previous: tuple[str, RunState] | None, *, full_tests: bool, select: Sequence[str]) -> Scope:
    if full_tests:
        return Scope(EVERYTHING, "--full-tests")
    if select:
        return Scope(EVERYTHING, "a selected run (--select) builds its selection whole")
    if previous is None:
        return Scope(EVERYTHING, "no earlier run in the history built and published cleanly")
    run_id, before = previous
    if before.project != now.project:
        return Scope(EVERYTHING, f"the project changed since run {run_id}", run_id)
    if now.warehouse is None or before.warehouse != now.warehouse:
        return Scope(EVERYTHING, f"the warehouse is not the one run {run_id} left", run_id)
    changed = [path for path, stat in now.landed.items() if before.landed.get(path) != stat]
    removed = [path for path in before.landed if path not in now.landed]
    if not changed and not removed:
        return Scope(NOTHING, "Gold is as that run published it", run_id)
    owners = {**before.entities, **now.entities}
    landed_from: dict[str, str] = {}
    for path in (*changed, *removed):
        if path in owners and (partition := _INGEST_DATE.search(path)):
            entity = owners[path]
            landed_from[entity] = min(landed_from.get(entity, partition[1]), partition[1])
    entities = sorted({owners[path] for path in (*changed, *removed) if path in owners})
    if not entities:  # files that belong to no known entity were quarantined; the intake source still moved
        return Scope(LANDED, "only quarantined files landed", run_id)
    reason = f"{len(changed)} new or changed and {len(removed)} removed files"
    return Scope(LANDED, reason, run_id, tuple(entities), dict(sorted(landed_from.items())))


def save_state(record: RunRecord, state: RunState) -> None:
    (record.folder / STATE_FILE).write_text(json.dumps(asdict(state)), encoding="utf-8")


def _project_files(project_dir: Path) -> list[Path]:
    files = []
    for part in _PROJECT_PARTS:
        path = project_dir / part
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return sorted(files)
