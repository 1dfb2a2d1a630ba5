"""Silver customers on a real generated lake and a real dbt build: quarantine
reasons against what the generator planted, row conservation (and that it can
fail), subscription periods, the account snapshot, and the e-mail salt guard."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
import yaml
from workspaces import copy_of

from flick_ops.dbt.runner import DbtOutcome, DbtWorkspace, run_dbt
from flick_ops.generate import generate_lake
from flick_ops.generate.entities import build_world
from flick_ops.generate.summary import MANIFEST_NAME
from flick_ops.generate.world import GeneratorConfig

PROJECT_ROOT = Path(__file__).resolve().parents[2]
APP_ENTITIES = ("accounts", "profiles", "subscription_events", "ratings", "watchlist_adds")
# The Silver model that holds each app entity's trusted rows, one per landed row.
SILVER_MODEL_OF = {
    "accounts": "account_versions",
    "profiles": "profiles",
    "subscription_events": "subscription_events",
    "ratings": "ratings",
    "watchlist_adds": "watchlist_adds",
}
# Customer models and everything upstream; tests only when all their models are built
# (a relationships test from another domain's model to `titles` would otherwise run).
SELECT_CUSTOMER_MODELS = (
    "--indirect-selection",
    "cautious",
    "--select",
    "+path:models/silver/customers",
    "+path:models/silver/private",
    "+snap_accounts",
)
# Small enough to build in well under a minute, big enough for every dirty kind to show up.
LAKE_CONFIG = {"seed": 7, "accounts": 400, "days": 4, "events_per_day": 2000, "dirty_rate": 0.02}


def _ignored_in_copies(_folder: str, names: list[str]) -> set[str]:
    return {name for name in names if name in {".venv", "target", "logs", "lake", "warehouse", ".git", ".flick"}}


def copy_project(destination: Path) -> Path:
    """The repository tree without environments, artifacts or data, for edits no one else should see."""
    shutil.copytree(PROJECT_ROOT, destination, ignore=_ignored_in_copies)
    return destination


def add_row_conservation_tests(project_dir: Path) -> None:
    """Put row_conservation on every stg_app__ model, as Bronze's YAML is meant to carry it (unless it already does)."""
    properties = project_dir / "models" / "bronze" / "app" / "_app__models.yml"
    document = yaml.safe_load(properties.read_text(encoding="utf-8"))
    for model in document["models"]:
        entity_name = model["name"].removeprefix("stg_app__")
        tests = model.setdefault("data_tests", [])
        if any(isinstance(test, dict) and "row_conservation" in test for test in tests):
            continue
        tests.append(
            {
                "row_conservation": {
                    "arguments": {
                        "silver_model": f"ref('{SILVER_MODEL_OF[entity_name]}')",
                        "quarantine_model": "ref('quarantine_app')",
                        "entity_name": entity_name,
                    }
                }
            }
        )
    properties.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def _query(workspace: DbtWorkspace, sql: str) -> list[tuple]:
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as con:
        return con.sql(sql).fetchall()


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> tuple[Path, GeneratorConfig]:
    root = tmp_path_factory.mktemp("customers_lake") / "lake"
    config = GeneratorConfig(lake_root=root, **LAKE_CONFIG)
    generate_lake(config)
    return root, config


@pytest.fixture(scope="module")
def built(lake, tmp_path_factory) -> tuple[DbtWorkspace, DbtOutcome]:
    lake_root, _ = lake
    workspace = DbtWorkspace.in_folder(tmp_path_factory.mktemp("customers_build"), lake_root=lake_root)
    outcome = run_dbt(["build", "--target", "duckdb", *SELECT_CUSTOMER_MODELS], workspace)
    return workspace, outcome


def test_customer_models_build_green(built) -> None:
    _, outcome = built
    assert outcome.succeeded, outcome.output[-5000:]
    assert outcome.failures() == []


def test_quarantine_reasons_match_what_the_generator_planted(built, lake) -> None:
    """Every planted dirty row is quarantined for its own reason; only orphans may add up (see the next test)."""
    workspace, outcome = built
    assert outcome.succeeded
    lake_root, _ = lake
    manifest = json.loads((lake_root / MANIFEST_NAME).read_text(encoding="utf-8"))
    planted = {e["entity"]: Counter(e["dirty"]) for e in manifest["entities"] if e["source"] == "app"}
    quarantined = {entity: Counter() for entity in APP_ENTITIES}
    for entity_name, reason, rows in _query(
        workspace,
        "select entity_name, quarantine_reason, count(*) from silver_private.quarantine_app group by all",
    ):
        quarantined[entity_name][reason] = rows

    # A re-delivered row whose account, profile or title Silver rejected is an orphan in both copies
    # (orphan_reference outranks duplicate), so its re-delivery is counted with the orphans.
    orphaned_redeliveries = Counter(
        dict(
            _query(
                workspace,
                """
                select entity_name, sum(copies - 1) from (
                    select entity_name, _raw_payload, count(*) as copies
                    from silver_private.quarantine_app
                    where quarantine_reason = 'orphan_reference'
                    group by entity_name, _raw_payload
                ) group by entity_name
                """,
            )
        )
    )
    for entity_name in APP_ENTITIES:
        expected = {kind: n for kind, n in planted[entity_name].items() if kind != "orphan_reference"}
        found = {reason: n for reason, n in quarantined[entity_name].items() if reason != "orphan_reference"}
        if orphaned_redeliveries[entity_name]:
            found["duplicate"] = found.get("duplicate", 0) + orphaned_redeliveries[entity_name]
        assert found == expected, entity_name
        assert sum(expected.values()) > 0, f"the lake planted nothing in {entity_name}; the check proves nothing"


def test_planted_orphans_are_caught_and_other_orphans_point_at_quarantined_parents(built, lake) -> None:
    """A reference to an id the app never issued is a planted orphan; the manifest counts those. A reference to an
    issued id whose landed rows were all quarantined is an orphan too (referential integrity cascades)."""
    workspace, _ = built
    lake_root, config = lake
    manifest = json.loads((lake_root / MANIFEST_NAME).read_text(encoding="utf-8"))
    world = build_world(config)
    issued = {
        "account_id": set(world.accounts.account_id.tolist()),
        "profile_id": set(world.profiles.profile_id.tolist()),
        "title_id": set(world.titles.title_id.tolist()),
    }
    trusted = {
        "account_id": {r[0] for r in _query(workspace, "select account_id from silver.accounts")},
        "profile_id": {r[0] for r in _query(workspace, "select profile_id from silver.profiles")},
        "title_id": {r[0] for r in _query(workspace, "select title_id from silver.titles")},
    }
    orphans = _query(
        workspace,
        """
        select
            entity_name,
            json_extract_string(_raw_payload, '$.account_id'),
            json_extract_string(_raw_payload, '$.profile_id'),
            json_extract_string(_raw_payload, '$.title_id')
        from silver_private.quarantine_app
        where quarantine_reason = 'orphan_reference'
        """,
    )
    planted_found: Counter = Counter()
    for entity_name, *references in orphans:
        refs = dict(zip(("account_id", "profile_id", "title_id"), references, strict=True))
        never_issued = [key for key, value in refs.items() if value is not None and value not in issued[key]]
        if never_issued:
            planted_found[entity_name] += 1
        else:
            dangling = [key for key, value in refs.items() if value is not None and value not in trusted[key]]
            assert dangling, f"{entity_name} row quarantined as orphan but every reference is trusted: {refs}"
    for entity in manifest["entities"]:
        if entity["source"] == "app":
            assert planted_found[entity["entity"]] == entity["dirty"].get("orphan_reference", 0), entity["entity"]


def test_row_conservation_holds_and_fails_when_a_silver_row_goes_missing(built, tmp_path: Path) -> None:
    workspace, outcome = built
    assert outcome.succeeded
    project = copy_project(tmp_path / "project")
    add_row_conservation_tests(project)
    scratch = copy_of(workspace, tmp_path / "run", project_dir=project)
    conservation = [
        "test",
        "--target",
        "duckdb",
        "--select",
        *(f"test_name:row_conservation,stg_app__{entity_name}" for entity_name in APP_ENTITIES),
    ]

    holding = run_dbt(conservation, scratch)
    assert holding.succeeded, holding.output[-5000:]
    assert len(holding.run_results["results"]) == len(APP_ENTITIES)

    with duckdb.connect(str(scratch.duckdb_path)) as con:
        con.execute("delete from silver.profiles where profile_id = (select min(profile_id) from silver.profiles)")
    broken = run_dbt(conservation, scratch)
    assert not broken.succeeded
    failed = [r["unique_id"] for r in broken.failures()]
    assert len(failed) == 1 and "stg_app__profiles" in failed[0], failed


def test_subscription_periods_never_overlap(built) -> None:
    workspace, _ = built
    periods, closed = _query(workspace, "select count(*), count(period_end_at) from silver.subscriptions")[0]
    assert periods > 0 and closed > 0, "no subscription periods (or none closed) to check"
    overlapping = _query(
        workspace,
        """
        select earlier.subscription_id, later.subscription_id
        from silver.subscriptions as earlier
        inner join silver.subscriptions as later
            on earlier.account_id = later.account_id
            and earlier.period_number < later.period_number
        where earlier.period_end_at is null or earlier.period_end_at > later.period_start_at
        """,
    )
    assert overlapping == []


def test_every_open_period_belongs_to_a_subscribed_account_and_every_cancel_churns(built) -> None:
    workspace, _ = built
    mismatched = _query(
        workspace,
        """
        select accounts.account_id
        from silver.accounts
        left join silver.subscriptions
            on accounts.account_id = subscriptions.account_id and subscriptions.is_open = 1
        where (subscriptions.account_id is not null) <> (accounts.is_subscribed = 1)
        """,
    )
    assert mismatched == []
    cancels = _query(
        workspace, "select count(distinct account_id) from silver.subscription_events where event_type = 'cancel'"
    )
    churned = _query(workspace, "select count(*) from silver.accounts where is_churned = 1")
    assert cancels == churned and churned[0][0] > 0


def test_snapshot_records_a_plan_change_as_a_new_version(built, lake, tmp_path: Path) -> None:
    workspace, outcome = built
    assert outcome.succeeded
    lake_root, config = lake
    upgrade_at = f"{config.end_date.isoformat()}T23:30:00Z"
    account_id = _query(
        workspace,
        f"""
        select min(account_id) from silver.accounts
        where is_subscribed = 1 and plan_id = 'basic' and state_changed_at < '{upgrade_at[:-1]}'
        """,
    )[0][0]
    assert account_id is not None

    # The next day's extract carries a late upgrade of the last day; everything else stays as it was.
    later_lake = tmp_path / "lake"
    shutil.copytree(lake_root, later_lake)
    next_day = (
        later_lake / "bronze" / "app" / "subscription_events" / f"ingest_date={config.end_date + timedelta(days=1)}"
    )
    next_day.mkdir(parents=True)
    (next_day / "part-00000.jsonl").write_text(
        json.dumps(
            {
                "event_id": "11111111-2222-4333-8444-555555555555",
                "account_id": account_id,
                "event_type": "upgrade",
                "plan_id": "standard",
                "amount": None,
                "currency": None,
                "event_ts": upgrade_at,
            }
        )
        + "\n",
        encoding="utf-8",
    )
    rerun = copy_of(workspace, tmp_path / "run", lake_root=later_lake)
    second = run_dbt(
        [
            "build",
            "--target",
            "duckdb",
            "--indirect-selection",
            "cautious",
            "--select",
            "stg_app__subscription_events+,+path:models/silver/customers",
            "stg_app__subscription_events+,+path:models/silver/private",
            "snap_accounts",
        ],
        rerun,
    )
    assert second.succeeded, second.output[-5000:]

    versions = _query(
        rerun,
        f"""
        select plan_id, strftime(dbt_valid_from, '%Y-%m-%dT%H:%M:%SZ'), strftime(dbt_valid_to, '%Y-%m-%dT%H:%M:%SZ')
        from silver.snap_accounts
        where account_id = '{account_id}'
        order by dbt_valid_from
        """,
    )
    assert len(versions) == 2, versions
    (first_plan, _, first_to), (second_plan, second_from, second_to) = versions
    assert (first_plan, first_to) == ("basic", upgrade_at)
    assert (second_plan, second_from, second_to) == ("standard", upgrade_at, None)


def test_building_without_the_email_salt_fails_with_a_clear_message(built) -> None:
    workspace, _ = built
    outcome = run_dbt(
        ["run", "--target", "duckdb", "--select", "int_accounts_validated"],
        workspace,
        extra_env={"FLICK_EMAIL_HASH_SALT": ""},
    )
    assert not outcome.succeeded
    assert "No salt for hashing e-mail addresses: set FLICK_EMAIL_HASH_SALT" in outcome.output
