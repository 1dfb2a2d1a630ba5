"""Personal data stays in Silver's private schema: the shared singular test
passes on the real project and fails on a scratch copy that leaks a pii column,
whether selected from a private model or declared in YAML; and where the
e-mail hash salt ends up on disk."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from flick_ops.dbt.runner import DbtWorkspace, run_dbt
from flick_ops.generate import generate_lake
from flick_ops.generate.world import GeneratorConfig

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PII_TEST = "assert_no_pii_outside_private_silver"
SALT = "pii-test-salt-5b1f0c"
SELECT_CUSTOMER_MODELS = (
    "--indirect-selection",
    "cautious",
    "--select",
    "+path:models/silver/customers",
    "+path:models/silver/private",
    PII_TEST,
)


def _ignored_in_copies(_folder: str, names: list[str]) -> set[str]:
    return {name for name in names if name in {".venv", "target", "logs", "lake", "warehouse", ".git", ".flick"}}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> DbtWorkspace:
    folder = tmp_path_factory.mktemp("pii")
    lake = folder / "lake"
    generate_lake(GeneratorConfig(lake_root=lake, accounts=100, days=2, events_per_day=500))
    workspace = DbtWorkspace.in_folder(folder, lake_root=lake)
    outcome = run_dbt(
        ["build", "--target", "duckdb", *SELECT_CUSTOMER_MODELS], workspace, extra_env={"FLICK_EMAIL_HASH_SALT": SALT}
    )
    assert outcome.succeeded, outcome.output[-5000:]
    return workspace


def _leaky_copy(built: DbtWorkspace, folder: Path, files: dict[str, str]) -> DbtWorkspace:
    """A copy of the project with extra files, building into a copy of the built warehouse."""
    project = folder / "project"
    shutil.copytree(PROJECT_ROOT, project, ignore=_ignored_in_copies)
    for relative_path, text in files.items():
        path = project / relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "run").mkdir()
    workspace = DbtWorkspace.in_folder(folder / "run", lake_root=built.lake_root, project_dir=project)
    shutil.copy(built.duckdb_path, workspace.duckdb_path)
    return workspace


def _offending_columns(workspace: DbtWorkspace) -> set[tuple[str, str, str]]:
    """Build the leaky model, then run the pii test storing its failures; return (check, relation, column) rows."""
    environment = {"FLICK_EMAIL_HASH_SALT": SALT}
    leak = run_dbt(["run", "--target", "duckdb", "--select", "leaky"], workspace, extra_env=environment)
    assert leak.succeeded, leak.output[-5000:]
    # Run after the leak is built: the singular test depends on no model, so one build could run it first.
    check = run_dbt(
        ["test", "--target", "duckdb", "--select", PII_TEST, "--store-failures"], workspace, extra_env=environment
    )
    assert [r["status"] for r in check.run_results["results"]] == ["fail"], check.output[-5000:]
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as con:
        schema = con.execute(
            f"select table_schema from information_schema.tables where table_name = '{PII_TEST}'"
        ).fetchone()[0]
        rows = con.execute(f'select check_kind, relation_name, column_name from "{schema}"."{PII_TEST}"').fetchall()
    return {tuple(row) for row in rows}


def test_no_pii_leaves_private_silver_in_the_project(built) -> None:
    outcome = run_dbt(
        ["test", "--target", "duckdb", "--select", PII_TEST], built, extra_env={"FLICK_EMAIL_HASH_SALT": SALT}
    )
    assert outcome.succeeded, outcome.output[-5000:]
    assert [r["status"] for r in outcome.run_results["results"]] == ["pass"]


def test_selecting_an_email_into_public_silver_fails_the_pii_test(built, tmp_path: Path) -> None:
    leaky = _leaky_copy(
        built,
        tmp_path,
        {"models/silver/customers/leaky.sql": "select account_id, email from {{ ref('int_accounts_validated') }}\n"},
    )
    assert ("physical", "silver.leaky", "email") in _offending_columns(leaky)


def test_declaring_a_pii_column_outside_private_silver_fails_the_pii_test(built, tmp_path: Path) -> None:
    leaky = _leaky_copy(
        built,
        tmp_path,
        {
            "models/gold/leaky/leaky.sql": "select account_id, email_hash as contact from {{ ref('accounts') }}\n",
            "models/gold/leaky/_leaky__models.yml": (
                "version: 2\n"
                "models:\n"
                "  - name: leaky\n"
                "    columns:\n"
                "      - name: contact\n"
                "        config:\n"
                "          tags: ['pii']\n"
            ),
        },
    )
    assert ("declared", "gold.leaky", "contact") in _offending_columns(leaky)


def test_the_salt_is_used_but_never_written_to_disk(built) -> None:
    """The salt is read at run time (see the email_hash_salt macro), so neither target/ nor dbt's log holds it,
    and yet every hash in Silver is the salted SHA-256 of the address."""
    written = [Path(built.target_path), Path(built.log_path)]
    holding_the_salt = [
        str(path)
        for folder in written
        for path in folder.rglob("*")
        if path.is_file() and SALT.encode() in path.read_bytes()
    ]
    assert holding_the_salt == []
    with duckdb.connect(str(built.duckdb_path), read_only=True) as con:
        hashes = con.execute("select count(*), count(distinct email_hash) from silver.accounts").fetchone()
        salted = con.execute(
            f"""
            select count(*) from silver_private.account_pii
            where email_hash = sha256(concat('{SALT}', lower(trim(email))))
            """
        ).fetchone()[0]
    assert hashes[0] == hashes[1] == salted > 0
