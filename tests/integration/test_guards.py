"""Guards that hold whatever the operator does, tried as an operator would on the default warehouse.

No personal data leaves (publish to the local sink or Cosmos, the lake export, share); the gates read the
build they release, not whatever dbt command ran last; no default salt; share and the lake export agree;
a selection that matches nothing is a usage error; expected failures end in one or two lines; documents
and Delta exports carry booleans and UTC instants, and an unchanged export commits nothing; the docs site
opens on a project overview.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import click
import duckdb
import pytest
import yaml
from click.testing import CliRunner
from deltalake import DeltaTable

from flick_ops.cli import main
from flick_ops.dbt.artifacts import FILES, BuildArtifacts, last_build
from flick_ops.dbt.release_rule import refusals
from flick_ops.dbt.runner import PROJECT_ROOT, DbtWorkspace, run_dbt
from flick_ops.docs import generate_docs
from flick_ops.publish import GateRefused, GoldReader, export_to_lake, load_spec
from flick_ops.publish.documents import build_documents
from flick_ops.share.policy import policy_violations
from flick_ops.share.spec import load_spec as load_shares_spec

PUBLISH_SPEC = PROJECT_ROOT / "deploy" / "publish.yml"
SHARES_SPEC = PROJECT_ROOT / "deploy" / "shares.yml"
AS_OF = "2026-12-01"  # the shipped share spec's expiry dates are checked as of this day
# The well-known key of the Cosmos DB emulator: a syntactically valid key that opens nothing real.
EMULATOR_KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
ACCOUNT_PII_COLUMNS = "column(s) tagged pii: email, full_name, last_login_ip"


@pytest.fixture(scope="module")
def build(default_warehouse) -> DbtWorkspace:
    assert default_warehouse.build.succeeded, default_warehouse.build.output[-3000:]
    return default_warehouse.workspace


@pytest.fixture(scope="module")
def artifacts_dir(default_warehouse, build: DbtWorkspace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default build's manifest and run results, as dbt wrote them, in a folder no later test rewrites."""
    folder = tmp_path_factory.mktemp("build_artifacts")
    shutil.copyfile(build.target_path / "manifest.json", folder / "manifest.json")
    (folder / "run_results.json").write_text(json.dumps(default_warehouse.build.run_results), encoding="utf-8")
    return folder


def _publish(build: DbtWorkspace, artifacts: Path, tmp_path: Path, *extra: str, env: dict | None = None):
    args = [
        "publish",
        "--warehouse", str(build.duckdb_path),
        "--dbt-target-dir", str(artifacts),
        "--lake", str(tmp_path / "lake"),
        "--state-dir", str(tmp_path / "state"),
        "--local-path", str(tmp_path / "local.duckdb"),
        "--quiet",
        *extra,
    ]  # fmt: skip
    return CliRunner().invoke(main, args, env=env)


def _written(tmp_path: Path) -> list[str]:
    return sorted(name for name in ("lake", "state", "local.duckdb") if (tmp_path / name).exists())


# 1. No personal data out --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sink",
    [["--sink", "local"], ["--sink", "cosmos", "--endpoint", "https://127.0.0.1:9/"]],
    ids=["local-sink", "cosmos"],
)
def test_a_spec_publishing_a_model_with_pii_is_refused_before_any_write(
    build: DbtWorkspace, artifacts_dir: Path, tmp_path: Path, sink: list[str]
) -> None:
    spec = tmp_path / "publish.yml"
    spec.write_text(PUBLISH_SPEC.read_text().replace("model: ml_account_features", "model: account_pii"))
    result = _publish(
        build, artifacts_dir, tmp_path, "--spec", str(spec), *sink, env={"FLICK_COSMOS_KEY": EMULATOR_KEY}
    )
    assert result.exit_code == 3, result.output
    assert f"publish.account_features (account_pii): {ACCOUNT_PII_COLUMNS}" in result.output
    assert "Traceback" not in result.output
    assert _written(tmp_path) == []


def test_the_lake_export_refuses_a_model_with_pii_before_writing(build: DbtWorkspace, artifacts_dir: Path, tmp_path):
    reader = GoldReader(build.duckdb_path, artifacts_dir)
    with pytest.raises(GateRefused) as refusal:
        export_to_lake(reader, ["mart_continue_watching", "account_pii"], tmp_path / "lake")
    assert f"lake_export.account_pii (account_pii): {ACCOUNT_PII_COLUMNS}" in str(refusal.value)
    assert not (tmp_path / "lake").exists()

    spec = tmp_path / "publish.yml"
    spec.write_text(_with_lake_export(PUBLISH_SPEC, "account_pii"))
    result = _publish(build, artifacts_dir, tmp_path, "--spec", str(spec), "--sink", "local")
    assert result.exit_code == 3, result.output
    assert f"lake_export.account_pii (account_pii): {ACCOUNT_PII_COLUMNS}" in result.output
    assert _written(tmp_path) == []


def _with_lake_export(spec: Path, model: str) -> str:
    document = yaml.safe_load(spec.read_text(encoding="utf-8"))
    document["lake_export"] = [*document.get("lake_export", []), model]
    return yaml.safe_dump(document, sort_keys=False)


# 2. Gates read the build they release ------------------------------------------------------------------------


def test_the_docs_site_leaves_the_build_for_publish_and_share_and_opens_on_an_overview(
    build: DbtWorkspace, tmp_path: Path
) -> None:
    results_before = (build.target_path / "run_results.json").read_bytes()
    site = generate_docs(build)
    assert site.folder == build.target_path / "docs"
    assert (build.target_path / "run_results.json").read_bytes() == results_before

    published = _publish(build, build.target_path, tmp_path, "--sink", "local")
    assert published.exit_code == 0, published.output
    shared = CliRunner().invoke(
        main,
        ["share", "--dry-run", "--dbt-target-dir", str(build.target_path), "--as-of", AS_OF],
        env={"AZURE_SUBSCRIPTION_ID": None},
    )
    assert shared.exit_code == 0, shared.output

    # 8. The site opens on the project's overview, not dbt's welcome page.
    overview = json.loads((site.folder / "manifest.json").read_text())["docs"]["doc.flick.__overview__"]
    for heading in ("# Flick analytics warehouse", "## The flow", "## Where to start", "## KPI glossary"):
        assert heading in overview["block_contents"]


def test_the_gates_read_the_last_build_not_the_last_dbt_command(
    build: DbtWorkspace, artifacts_dir: Path, tmp_path: Path
) -> None:
    target, history = tmp_path / "target", tmp_path / "runs"
    shutil.copytree(build.target_path, target, ignore=shutil.ignore_patterns("compiled", "run", "docs", "selection"))
    for name in FILES:
        shutil.copyfile(artifacts_dir / name, target / name)
    record = history / "20261201T000000Z-0a1b"
    (record / "attempt-1").mkdir(parents=True)  # a run's record, as `flick-ops run` keeps it
    shutil.copyfile(target / "manifest.json", record / "manifest.json")
    shutil.copyfile(target / "run_results.json", record / "attempt-1" / "run_results.json")
    # By hand, in the same target folder: a dbt command that rewrites run_results.json.
    by_hand = run_dbt(["compile", "--select", "dim_dates"], replace(build, target_path=target, log_path=tmp_path / "l"))
    assert by_hand.succeeded, by_hand.output[-2000:]
    assert BuildArtifacts.load(target).command == "compile"

    released = last_build(target, history)
    assert released.command == "build" and released.folder == record
    assert refusals(released, [("publish.continue_watching", "mart_continue_watching")]) == []


# 3. No default salt ----------------------------------------------------------------------------------------------


def test_run_without_a_salt_stops_in_one_line_before_building(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    result = CliRunner().invoke(
        main,
        ["run", "--project-dir", str(project), "--history", str(tmp_path / "runs")],
        env={"FLICK_EMAIL_HASH_SALT": None},
    )
    assert result.exit_code == 2, result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith("flick-ops: error: no e-mail hash salt: set FLICK_EMAIL_HASH_SALT or write")
    assert not (tmp_path / "runs").exists()


def test_dbt_gets_the_salt_from_the_environment_or_the_salt_file_only(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("FLICK_EMAIL_HASH_SALT")
    monkeypatch.setenv("DBT_PROFILES_DIR", str(tmp_path))
    workspace = DbtWorkspace.in_folder(tmp_path, tmp_path / "lake", project_dir=tmp_path)
    assert "FLICK_EMAIL_HASH_SALT" not in workspace.environment()
    (tmp_path / ".flick").mkdir()
    (tmp_path / ".flick" / "email_hash_salt").write_text("from-the-file\n")
    assert workspace.environment()["FLICK_EMAIL_HASH_SALT"] == "from-the-file"
    monkeypatch.setenv("FLICK_EMAIL_HASH_SALT", "from-the-environment")
    assert workspace.environment()["FLICK_EMAIL_HASH_SALT"] == "from-the-environment"


# 4. Shares offer only folders an export writes -------------------------------------------------------------------


def test_share_refuses_a_lake_folder_no_export_writes_before_any_call(artifacts_dir: Path, tmp_path: Path) -> None:
    document = yaml.safe_load(SHARES_SPEC.read_text(encoding="utf-8"))
    document["shares"][2]["datasets"].append({"model": "mart_qoe_daily", "kind": "adls_gen2_folder"})
    spec = tmp_path / "shares.yml"
    spec.write_text(yaml.safe_dump(document, sort_keys=False))
    result = CliRunner().invoke(
        main,
        ["share", "--spec", str(spec), "--dbt-target-dir", str(artifacts_dir), "--as-of", AS_OF],
        env={"AZURE_SUBSCRIPTION_ID": None},
    )
    assert result.exit_code == 3, result.output
    assert (
        "shares[2].datasets[1] (mart_qoe_daily): shared as the lake folder gold/mart_qoe_daily/, which no lake "
        "export writes"
    ) in result.output
    assert "PUT" not in result.output


def test_the_shipped_share_and_publish_specs_agree(artifacts_dir: Path) -> None:
    lake_models = load_spec(PUBLISH_SPEC).lake_models
    shared = {d.model for s in load_shares_spec(SHARES_SPEC).shares for d in s.datasets if d.kind == "adls_gen2_folder"}
    assert shared <= set(lake_models)
    today = dt.date.fromisoformat(AS_OF)
    spec = load_shares_spec(SHARES_SPEC)
    assert policy_violations(spec, BuildArtifacts.load(artifacts_dir), today, lake_models) == []


# 5. A selection that matches nothing is a usage error ----------------------------------------------------------


def test_run_and_compile_refuse_a_selection_that_matches_nothing(tmp_path: Path) -> None:
    env = {"FLICK_DUCKDB_PATH": str(tmp_path / "flick.duckdb")}
    run = CliRunner().invoke(
        main, ["run", "-s", "does_not_exist", "--history", str(tmp_path / "runs"), "--skip-publish"], env=env
    )
    assert run.exit_code == 2, run.output
    assert "the selection matches no node: 'does_not_exist'" in run.output
    assert not (tmp_path / "runs").exists()

    compiled = CliRunner().invoke(
        main, ["compile", "--target", "databricks", "-s", "does_not_exist", "--out", str(tmp_path / "out")], env=env
    )
    assert compiled.exit_code == 2, compiled.output
    assert "the selection matches no node: 'does_not_exist'" in compiled.output
    assert not (tmp_path / "out").exists()


def test_publish_with_an_empty_model_selection_is_a_usage_error(build, artifacts_dir: Path, tmp_path: Path) -> None:
    result = _publish(build, artifacts_dir, tmp_path, "--sink", "local", "--models", ",")
    assert result.exit_code == 2, result.output
    assert "names no entry or group" in result.output
    assert _written(tmp_path) == []


# 6. Expected failures in one or two lines ------------------------------------------------------------------------


def test_a_lake_that_cannot_be_written_is_two_lines_and_python_m_exits_the_same(tmp_path: Path) -> None:
    for command in ([sys.executable, "-m", "flick_ops.cli"], [str(Path(sys.executable).parent / "flick-ops")]):
        done = subprocess.run(
            [*command, "generate", "--lake", "/proc/nope", "--quiet"], capture_output=True, text=True, check=False
        )
        assert done.returncode == 1, done.stderr
        assert done.stderr.splitlines() == [
            "flick-ops: error: cannot create the lake folder /proc/nope: No such file or directory",
            "choose a folder you can write to with --lake",
        ]
    verbose = subprocess.run(
        [sys.executable, "-m", "flick_ops.cli", "--verbose", "generate", "--lake", "/proc/nope", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verbose.returncode == 1 and "Traceback" in verbose.stderr


def test_the_command_line_leaves_through_sys_exit_with_the_commands_code() -> None:
    """`python -m flick_ops.cli` ignores main()'s return value, so a code must never be returned, only exited with."""

    @main.command("exit-three", hidden=True)
    def exit_three() -> None:
        raise click.exceptions.Exit(3)

    try:
        with pytest.raises(SystemExit) as exited:
            main.main(["exit-three"])
        assert exited.value.code == 3
    finally:
        main.commands.pop("exit-three")


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A TLS port that accepts connections and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.getsockname()[1]}/"
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        server.close()


def test_an_unreachable_cosmos_endpoint_is_two_lines_naming_it(
    build: DbtWorkspace, artifacts_dir: Path, tmp_path: Path, silent_endpoint: str
) -> None:
    for endpoint, reason in (("https://127.0.0.1:9/", "Connection refused"), (silent_endpoint, "timed out")):
        result = _publish(
            build,
            artifacts_dir,
            tmp_path,
            "--sink",
            "cosmos",
            "--endpoint",
            endpoint,
            "--no-lake-export",
            env={"FLICK_COSMOS_KEY": EMULATOR_KEY},
        )
        assert result.exit_code == 1, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 2 and "Traceback" not in result.output, result.output
        assert lines[0].startswith(f"flick-ops: error: could not reach Cosmos DB at {endpoint}")
        assert reason in lines[0]


def test_a_missing_odbc_library_is_named_with_its_install_command(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr("flick_ops.commands.compile.ODBC_LIBRARY", "libodbc-not-installed.so.2")
    result = CliRunner().invoke(main, ["compile", "--target", "synapse", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines() == [
        "flick-ops: error: dbt-synapse (pyodbc) needs libodbc-not-installed.so.2, which is not installed: "
        "sudo apt-get install libodbc2 (Debian/Ubuntu; `make odbc` does it)"
    ]


# 7. Documents and exports a consumer can take as they are ----------------------------------------------------


def test_flags_are_json_booleans_in_documents(build: DbtWorkspace, artifacts_dir: Path) -> None:
    entry = load_spec(PUBLISH_SPEC).entry("account_features")
    documents = build_documents(entry, GoldReader(build.duckdb_path, artifacts_dir).read(entry.model))
    values = {type(document.body["isSubscribed"]) for document in documents.valid}
    assert values == {bool}
    assert {document.body["isSubscribed"] for document in documents.valid} == {True, False}


def test_delta_exports_hold_utc_instants_and_an_unchanged_export_commits_nothing(
    build: DbtWorkspace, artifacts_dir: Path, tmp_path: Path
) -> None:
    reader = GoldReader(build.duckdb_path, artifacts_dir)
    models = ["mart_continue_watching", "ml_account_features"]
    first = export_to_lake(reader, models, tmp_path / "lake")
    for table in first:
        types = {field.name: str(field.type) for field in DeltaTable(str(table.path)).schema().fields}
        timestamps = {name: kind for name, kind in types.items() if "timestamp" in kind}
        assert timestamps, f"{table.model} should have a timestamp column"
        # Delta's `timestamp` is an instant (UTC); `timestamp_ntz` is a wall-clock time in no zone.
        assert all("timestamp_ntz" not in kind for kind in timestamps.values()), timestamps
    again = export_to_lake(reader, models, tmp_path / "lake")
    assert [(t.version, t.changed) for t in again] == [(0, False), (0, False)]
    assert all(len(DeltaTable(str(t.path)).history()) == 1 for t in again)
    # A real change does commit: the same model from a warehouse with one row fewer.
    smaller = tmp_path / "smaller.duckdb"
    with duckdb.connect(str(smaller)) as connection:
        connection.execute(f"attach '{build.duckdb_path}' as built (read_only)")
        connection.execute("create schema gold")
        connection.execute(
            "create table gold.ml_account_features as select * from built.gold.ml_account_features "
            "where account_id <> (select min(account_id) from built.gold.ml_account_features)"
        )
    [changed] = export_to_lake(GoldReader(smaller, artifacts_dir), ["ml_account_features"], tmp_path / "lake")
    assert changed.changed and changed.version == 1


def test_a_lake_that_ends_today_holds_nothing_stamped_after_it_was_generated(tmp_path: Path) -> None:
    today = dt.datetime.now(dt.UTC).date()
    lake = tmp_path / "lake"
    start = str(today - dt.timedelta(days=1))
    options = ["--days", "2", "--accounts", "100", "--events-per-day", "500", "--quiet"]
    result = CliRunner().invoke(main, ["generate", "--lake", str(lake), "--start-date", start, *options])
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    assert result.exit_code == 0, result.output
    stamped = {
        "app/accounts": ["signup_at", "updated_at"],
        "app/profiles": ["created_at"],
        "app/subscription_events": ["event_ts"],
        "playback/events": ["enqueued_time"],
        "social/mentions": ["posted_at"],
    }
    with duckdb.connect() as connection:
        for entity, fields in stamped.items():
            files = f"{lake}/bronze/{entity}/*/*.jsonl"
            for name in fields:
                [(latest,)] = connection.sql(
                    f"select max(left(json_extract_string(line, '{name}'), 19)) from read_csv('{files}', "
                    "columns={'line': 'varchar'}, header=false, delim=chr(1), quote='', escape='') "
                    f"where json_valid(line) and json_extract_string(line, '{name}') like '____-__-__T%'"
                ).fetchall()
                assert latest is not None and latest <= generated, (entity, name, latest, generated)
