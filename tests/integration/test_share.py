"""`flick-ops share` as an operator uses it: the spec is validated, the sharing policy
refuses what must not leave, the plan is printed, and applying runs the real
azure-mgmt-datashare client against a local stand-in for Azure Resource Manager
(tests/support/arm_standin.py) that records every request it receives."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path

import pytest
import yaml
from arm_standin import API_VERSION, ArmStandIn, iter_requests
from azure.core.credentials import AccessToken
from click.testing import CliRunner

from flick_ops.cli import main
from flick_ops.dbt.artifacts import BuildArtifacts
from flick_ops.share.client import AzureSettings, create_data_share_client
from flick_ops.share.ledger import Ledger
from flick_ops.share.plan import invitation_resource_name, resource_name
from flick_ops.share.policy import policy_violations
from flick_ops.share.spec import ShareSpecError, load_spec, parse_spec

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_SPEC = PROJECT_ROOT / "deploy" / "shares.yml"
AS_OF = dt.date(2026, 12, 1)  # the example spec's expiry dates are checked as of this day, not the day tests run
SUBSCRIPTION = "6f1c2b0e-4d3a-4b8e-9a51-2f7d0c3e8b14"
ACCOUNT = ("rg-flick-sharing-prod", "flick-share-prod")
SHARE_PATH = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{ACCOUNT[0]}/providers/Microsoft.DataShare/accounts/{ACCOUNT[1]}/shares"


# -- fixtures: a hand-made dbt manifest, the stand-in, a client bound to it ----------------------


def _artifacts(models: dict[str, dict]) -> BuildArtifacts:
    """A manifest and run results holding the given models (keyword overrides per model) and one test each."""
    nodes, results = {}, []
    for name, overrides in models.items():
        model = {
            "path": f"models/gold/partners/{name}.sql",
            "enforced": True,
            "columns": {"id": []},
            "status": "success",
            "test_status": "pass",
            **overrides,
        }
        unique_id = f"model.flick.{name}"
        nodes[unique_id] = {
            "unique_id": unique_id,
            "resource_type": "model",
            "name": name,
            "original_file_path": model["path"],
            "tags": [],
            "config": {"contract": {"enforced": model["enforced"]}},
            "columns": {column: {"name": column, "tags": tags} for column, tags in model["columns"].items()},
        }
        test_id = f"test.flick.not_null_{name}_id.abc123"
        nodes[test_id] = {"unique_id": test_id, "resource_type": "test", "attached_node": unique_id}
        if model["status"] is not None:
            results += [
                {"unique_id": unique_id, "status": model["status"]},
                {"unique_id": test_id, "status": model["test_status"]},
            ]
    return BuildArtifacts({"nodes": nodes}, {"results": results})


def _write_artifacts(artifacts: BuildArtifacts, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps(artifacts.manifest), encoding="utf-8")
    (folder / "run_results.json").write_text(json.dumps(artifacts.run_results), encoding="utf-8")
    return folder


def _example_document() -> dict:
    return yaml.safe_load(EXAMPLE_SPEC.read_text(encoding="utf-8"))


def _models_in(document: dict) -> list[str]:
    return sorted({d["model"] for share in document["shares"] for d in share["datasets"]})


def _write_spec(document: dict, folder: Path) -> Path:
    path = folder / "shares.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


class _LoopbackToken:
    """A credential for the stand-in: a dummy bearer token, only ever sent to 127.0.0.1 over TLS."""

    def get_token(self, *_scopes: str, **_options: object) -> AccessToken:
        return AccessToken("stand-in-token", int(time.time()) + 3600)


@pytest.fixture
def standin(tmp_path: Path):
    with ArmStandIn(tmp_path / "tls", page_size=2) as server:
        server.add_account(SUBSCRIPTION, *ACCOUNT)
        yield server


@pytest.fixture
def client(standin: ArmStandIn):
    return create_data_share_client(
        AzureSettings(SUBSCRIPTION),
        credential=_LoopbackToken(),
        base_url=standin.url,
        connection_verify=str(standin.ca_file),  # TLS stays on: the stand-in's certificate is trusted, not ignored
    )


@pytest.fixture
def approved(tmp_path: Path) -> Path:
    """dbt artifacts in which every model of the example spec is a contract-enforced, passing Gold model."""
    return _write_artifacts(_artifacts({key: {} for key in _models_in(_example_document())}), tmp_path / "target")


def _share(args: list[str], *, client=None, env: dict[str, str] | None = None):
    environment = {"AZURE_SUBSCRIPTION_ID": None, **(env or {})}
    return CliRunner().invoke(main, ["share", *args], obj=client, env=environment, catch_exceptions=False)


def _apply(spec: Path, artifacts: Path, ledger: Path, client, *extra: str):
    return _share(
        [
            "--spec",
            str(spec),
            "--dbt-target-path",
            str(artifacts),
            "--ledger",
            str(ledger),
            "--as-of",
            str(AS_OF),
            *extra,
        ],
        client=client,
        env={"AZURE_SUBSCRIPTION_ID": SUBSCRIPTION},
    )


# -- the spec ---------------------------------------------------------------------------------


def test_example_spec_loads():
    spec = load_spec(EXAMPLE_SPEC)
    assert [share.name for share in spec.shares] == [
        "studio-title-performance",
        "adm-daily-engagement",
        "agency-marketing-segments",
    ]
    engagement = spec.shares[1]
    assert {d.kind for d in engagement.datasets} == {"synapse_sql_pool_table"}
    assert engagement.recipients[0].tenant_id == "3b7f2c1d-8e4a-4f6b-9c2d-5a1e0f9b7c34"
    assert spec.shares[2].schedule.recurrence == "hourly"
    assert spec.shares[2].schedule.at == dt.time(0, 15)


def test_spec_errors_name_every_offending_entry_at_once():
    document = _example_document()
    document["shares"][1]["recipients"][0] = {"tenant_id": "not-a-guid", "expires": "2027-01-01"}
    document["shares"][2]["recipients"][0]["email"] = "data-team.hollis-agency.example"
    document["shares"][2]["schedule"]["at"] = 150  # what YAML makes of an unquoted 02:30
    document["shares"][0]["datasets"].append({"model": "dim_titles", "kind": "adls_gen2_folder"})
    document["shares"][0]["colour"] = "blue"
    del document["shares"][0]["terms"]
    with pytest.raises(ShareSpecError) as raised:
        parse_spec(document, source="shares.yml")
    assert sorted(problem.split(":")[0] for problem in raised.value.problems) == [
        "shares[0].colour",
        "shares[0].datasets[3]",
        "shares[0].terms",
        "shares[1].recipients[0].object_id",
        "shares[2].recipients[0].email",
        "shares[2].schedule.at",
    ]
    assert "shares[0].datasets[3]: dim_titles as adls_gen2_folder is already listed at shares[0].datasets[2]" in str(
        raised.value
    )


def test_spec_needs_the_source_a_dataset_kind_reads_from():
    document = _example_document()
    del document["sources"]["synapse"]
    with pytest.raises(ShareSpecError) as raised:
        parse_spec(document)
    assert raised.value.problems == [
        f"shares[1].datasets[{i}].kind: synapse_sql_pool_table needs sources.synapse" for i in range(3)
    ]


def test_resource_names_follow_the_service_rules_and_stay_distinct():
    spec = load_spec(EXAMPLE_SPEC)
    names = [resource_name("flick", s.name) for s in spec.shares]
    assert names == ["flick_studio_title_performance", "flick_adm_daily_engagement", "flick_agency_marketing_segments"]
    long_name = resource_name("flick", "x" * 120)
    assert len(long_name) == 90 and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", long_name)
    a, b = (invitation_resource_name(parse_recipient(email)) for email in ("a.b@x.example", "a_b@x.example"))
    assert a != b and re.fullmatch(r"to_a_b_x_example_[0-9a-f]{8}", a)


def parse_recipient(email: str):
    document = _example_document()
    document["policy"]["allowed_email_domains"].append("x.example")
    document["shares"][0]["recipients"] = [{"email": email, "expires": "2027-01-01"}]
    return parse_spec(document).shares[0].recipients[0]


# -- the sharing policy -----------------------------------------------------------------------


def test_policy_accepts_the_example_spec_when_its_models_qualify():
    document = _example_document()
    artifacts = _artifacts({key: {} for key in _models_in(document)})
    assert policy_violations(parse_spec(document), artifacts, AS_OF) == []


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (
            {"path": "models/silver/private/account_pii.sql", "enforced": False, "columns": {"email": ["pii"]}},
            [
                "only Gold models may leave the warehouse; this one is in models/silver/private/account_pii.sql",
                "the model's contract is not enforced (config.contract.enforced: true)",
                "column(s) tagged pii: email",
            ],
        ),
        ({"columns": {"id": [], "full_name": ["pii"], "email": ["pii"]}}, ["column(s) tagged pii: email, full_name"]),
        ({"status": "error"}, ["model.flick.mart_x: error"]),
        ({"test_status": "fail"}, ["test.flick.not_null_mart_x_id.abc123: fail"]),
        ({"status": None}, ["not built by the dbt build; run `dbt build` first"]),
    ],
    ids=["private-silver", "pii-columns", "build-error", "test-failure", "not-built"],
)
def test_policy_refuses_datasets_that_must_not_leave(model: dict, expected: list[str]):
    document = _example_document()
    document["shares"][2]["datasets"] = [{"model": "mart_x", "kind": "adls_gen2_folder"}]
    artifacts = _artifacts({**{key: {} for key in _models_in(document)}, "mart_x": model})
    violations = policy_violations(parse_spec(document), artifacts, AS_OF)
    assert violations == [f"shares[2].datasets[0] (mart_x): {reason}" for reason in expected]


def test_policy_refuses_recipients_outside_the_allow_lists_and_terms():
    document = _example_document()
    document["shares"][0]["recipients"] = [
        {"email": "someone@gmail.example", "expires": "2027-01-31"},
        {"email": "analytics@northlight-studios.example", "expires": "2026-11-30"},
        {"email": "planning@northlight-studios.example", "expires": "2027-12-02"},
        {"tenant_id": "0b0b0b0b-1111-4222-8333-444455556666", "object_id": SUBSCRIPTION, "expires": "2027-01-31"},
    ]
    artifacts = _artifacts({key: {} for key in _models_in(document)})
    assert policy_violations(parse_spec(document), artifacts, AS_OF) == [
        "shares[0].recipients[0].email: someone@gmail.example is not in an allow-listed domain "
        "(policy.allowed_email_domains: northlight-studios.example, hollis-agency.example)",
        "shares[0].recipients[1].expires: 2026-11-30 is not in the future (today is 2026-12-01)",
        "shares[0].recipients[2].expires: 2027-12-02 is beyond the maximum term of 365 days (latest allowed: 2027-12-01)",
        "shares[0].recipients[3].tenant_id: tenant 0b0b0b0b-1111-4222-8333-444455556666 is not allow-listed "
        "(policy.allowed_tenant_ids: 3b7f2c1d-8e4a-4f6b-9c2d-5a1e0f9b7c34)",
    ]


def test_policy_on_the_real_build(default_warehouse, tmp_path: Path):
    """The example spec passes against the real project; a private Silver model and a Gold model without a contract do not."""
    assert default_warehouse.build.succeeded, default_warehouse.build.output[-3000:]
    manifest = json.loads((default_warehouse.workspace.target_path / "manifest.json").read_text(encoding="utf-8"))
    # The build's own results: a later `dbt docs generate` in the same workspace rewrites run_results.json.
    artifacts = BuildArtifacts(manifest, default_warehouse.build.run_results)
    document = _example_document()
    assert policy_violations(parse_spec(document), artifacts, AS_OF) == []

    document["shares"][2]["datasets"] += [
        {"model": "account_pii", "kind": "adls_gen2_folder"},
        {"model": "int_observation_months", "kind": "adls_gen2_folder"},
    ]
    assert policy_violations(parse_spec(document), artifacts, AS_OF) == [
        "shares[2].datasets[1] (account_pii): only Gold models may leave the warehouse; this one is in "
        "models/silver/private/account_pii.sql",
        "shares[2].datasets[1] (account_pii): it is in the private schema silver_private",
        "shares[2].datasets[1] (account_pii): the model's contract is not enforced (config.contract.enforced: true)",
        "shares[2].datasets[1] (account_pii): column(s) tagged pii: email, full_name, last_login_ip",
        "shares[2].datasets[2] (int_observation_months): the model's contract is not enforced "
        "(config.contract.enforced: true)",
    ]

    # The command line, as an operator runs it on the demo warehouse's artifacts, with no Azure settings.
    target = _write_artifacts(artifacts, tmp_path / "target")
    result = _share(["--dbt-target-path", str(target), "--as-of", str(AS_OF)])
    assert result.exit_code == 0, result.output
    assert "(current state not read: no Azure settings; planned as if nothing exists)" in result.output
    assert result.output.rstrip().endswith("17 call(s) planned\ndry run: nothing was changed")


# -- the command line: dry run and refusals --------------------------------------------------


def test_dry_run_is_the_default_without_azure_settings_and_prints_the_plan(approved: Path):
    result = _share(["--spec", str(EXAMPLE_SPEC), "--dbt-target-path", str(approved), "--as-of", str(AS_OF)])
    assert result.exit_code == 0, result.output
    calls = re.findall(r"^  (PUT|DELETE) (\S+)$", result.output, flags=re.MULTILINE)
    assert [verb for verb, _ in calls] == ["PUT"] * 17
    assert calls[0][1] == f"{SHARE_PATH}/flick_studio_title_performance?api-version={API_VERSION}"
    assert (
        "      send an invitation to content-analytics@northlight-studios.example (expires 2027-06-30)" in result.output
    )
    assert "      copy hourly at minute 15 (UTC)" in result.output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["shares"][2]["datasets"].append({"model": "account_pii", "kind": "synapse_sql_pool_table"}),
            "shares[2].datasets[1] (account_pii): column(s) tagged pii: email",
        ),
        (
            lambda d: d["shares"][0]["recipients"].append({"email": "x@rival-studio.example", "expires": "2027-01-01"}),
            "shares[0].recipients[1].email: x@rival-studio.example is not in an allow-listed domain",
        ),
        (
            lambda d: d["shares"][2]["recipients"][1].update(expires="2026-06-30"),
            "shares[2].recipients[1].expires: 2026-06-30 is not in the future",
        ),
    ],
    ids=["pii-column", "recipient-not-allow-listed", "past-expiry"],
)
def test_the_command_refuses_a_spec_that_breaks_the_policy(tmp_path: Path, change, message: str):
    document = _example_document()
    change(document)
    models = {key: {} for key in _models_in(document)}
    models["account_pii"] = {"columns": {"account_id": [], "email": ["pii"]}}
    target = _write_artifacts(_artifacts(models), tmp_path / "target")
    result = _share(
        ["--spec", str(_write_spec(document, tmp_path)), "--dbt-target-path", str(target), "--as-of", str(AS_OF)]
    )
    assert result.exit_code == 3
    assert "refused by the sharing policy (1 violation(s))" in result.output
    assert message in result.output


def test_the_command_reports_a_malformed_spec_with_exit_code_2(tmp_path: Path, approved: Path):
    document = _example_document()
    document["shares"][1]["schedule"] = {"recurrence": "weekly", "at": "04:30"}
    result = _share(["--spec", str(_write_spec(document, tmp_path)), "--dbt-target-path", str(approved)])
    assert result.exit_code == 2
    assert "shares[1].schedule.recurrence: must be one of hourly, daily, got 'weekly'" in result.output


# -- applying against the stand-in for Azure Resource Manager --------------------------------


def test_apply_creates_everything_in_the_order_and_shape_the_rest_api_requires(
    standin: ArmStandIn, client, approved: Path, tmp_path: Path
):
    result = _apply(EXAMPLE_SPEC, approved, tmp_path / "ledger.duckdb", client)
    assert result.exit_code == 0, result.output
    assert "applied 17 call(s): 4 invitation(s) sent, 0 withdrawn" in result.output

    assert {r.api_version for r in standin.requests} == {API_VERSION}
    assert {r.authorization for r in standin.requests} == {"Bearer stand-in-token"}
    writes = [(r.method, r.path.removeprefix(SHARE_PATH)) for r in standin.writes()]
    studio = "/flick_studio_title_performance"
    assert writes[:6] == [
        ("PUT", studio),
        ("PUT", f"{studio}/dataSets/flick_studio_title_performance_mart_title_performance_daily_lake"),
        ("PUT", f"{studio}/dataSets/flick_studio_title_performance_mart_title_performance_weekly_lake"),
        ("PUT", f"{studio}/dataSets/flick_studio_title_performance_dim_titles_lake"),
        ("PUT", f"{studio}/synchronizationSettings/flick_studio_title_performance_schedule"),
        ("PUT", f"{studio}/invitations/{invitation_resource_name(load_spec(EXAMPLE_SPEC).shares[0].recipients[0])}"),
    ]
    assert len(writes) == 17 and {method for method, _ in writes} == {"PUT"}

    bodies = {r.path.removeprefix(SHARE_PATH): r.body for r in standin.writes()}
    assert bodies[studio]["properties"]["shareKind"] == "CopyBased"
    assert bodies[f"{studio}/dataSets/flick_studio_title_performance_dim_titles_lake"] == {
        "kind": "AdlsGen2Folder",
        "properties": {
            "subscriptionId": SUBSCRIPTION,
            "resourceGroup": "rg-flick-lake-prod",
            "storageAccountName": "flicklakeprod",
            "fileSystem": "gold",
            "folderPath": "dim_titles",
        },
    }
    engagement = "/flick_adm_daily_engagement"
    assert bodies[f"{engagement}/dataSets/flick_adm_daily_engagement_dim_dates_sql"] == {
        "kind": "SynapseWorkspaceSqlPoolTable",
        "properties": {
            "synapseWorkspaceSqlPoolTableResourceId": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/"
            "rg-flick-warehouse-prod/providers/Microsoft.Synapse/workspaces/flick-synapse-prod/sqlPools/gold_pool/"
            "schemas/gold/tables/dim_dates"
        },
    }
    assert bodies[f"{engagement}/synchronizationSettings/flick_adm_daily_engagement_schedule"] == {
        "kind": "ScheduleBased",
        "properties": {"recurrenceInterval": "Day", "synchronizationTime": "2026-01-01T04:30:00.000Z"},
    }
    invitations = [r.body for r in iter_requests(standin, "PUT", "invitations")]
    assert {
        "properties": {"targetEmail": "data-team@hollis-agency.example", "expirationDate": "2027-09-30T23:59:59.000Z"}
    } in invitations
    assert {
        "properties": {
            "targetActiveDirectoryId": "3b7f2c1d-8e4a-4f6b-9c2d-5a1e0f9b7c34",
            "targetObjectId": "9d4e6a2b-1c3f-4e5d-8b7a-0f2c4e6a8b1d",
            "expirationDate": "2027-03-31T23:59:59.000Z",
        }
    } in invitations


def test_a_second_apply_reads_only_and_sends_no_second_invitation(
    standin: ArmStandIn, client, approved: Path, tmp_path: Path
):
    ledger = tmp_path / "ledger.duckdb"
    assert _apply(EXAMPLE_SPEC, approved, ledger, client).exit_code == 0
    first = len(standin.requests)

    result = _apply(EXAMPLE_SPEC, approved, ledger, client)
    assert result.exit_code == 0, result.output
    second = standin.requests[first:]
    # The studio share's three data sets span two pages of the list (page size 2): paging is followed.
    assert {r.method for r in second} == {"GET"}
    assert "nothing to do: Azure matches the spec" in result.output
    assert len(standin.invitations_sent) == 4
    assert len(standin.resources("dataSets")) == 7 and len(standin.resources("synchronizationSettings")) == 3
    assert [e.status for e in Ledger(ledger).entries()] == ["sent"] * 4


def test_prune_withdraws_exactly_the_removed_recipients_and_removes_dropped_datasets(
    standin: ArmStandIn, client, approved: Path, tmp_path: Path
):
    ledger = tmp_path / "ledger.duckdb"
    assert _apply(EXAMPLE_SPEC, approved, ledger, client).exit_code == 0
    document = _example_document()
    removed = document["shares"][2]["recipients"].pop(1)
    document["shares"][0]["datasets"].pop(2)  # dim_titles
    spec = _write_spec(document, tmp_path)
    removed_invitation = invitation_resource_name(parse_recipient_from(removed))
    standin.set_invitation_status(removed_invitation, "Accepted")

    kept = _apply(spec, approved, ledger, client)
    assert kept.exit_code == 0, kept.output
    assert (
        "note: invitation to campaigns@hollis-agency.example is not in the spec (kept; --prune withdraws it)"
        in kept.output
    )
    before_prune = len(standin.requests)

    pruned = _apply(spec, approved, ledger, client, "--prune")
    assert pruned.exit_code == 0, pruned.output
    writes = [(r.method, r.path.removeprefix(SHARE_PATH)) for r in standin.requests[before_prune:] if r.method != "GET"]
    assert writes == [
        ("DELETE", "/flick_studio_title_performance/dataSets/flick_studio_title_performance_dim_titles_lake"),
        ("DELETE", f"/flick_agency_marketing_segments/invitations/{removed_invitation}"),
    ]
    assert "campaigns@hollis-agency.example had accepted: withdrawing the invitation does not stop" in pruned.output
    assert len(standin.resources("invitations")) == 3 and len(standin.resources("dataSets")) == 6

    entries = Ledger(ledger).entries()
    assert [(e.status, e.recipient) for e in entries[4:]] == [("withdrawn", "campaigns@hollis-agency.example")]
    assert entries[4].invitation_id == next(e.invitation_id for e in entries if e.recipient == removed["email"])

    status = _share(["status", "--ledger", str(ledger)])
    assert status.exit_code == 0
    lines = status.output.splitlines()
    assert lines[0].split() == [
        "recorded",
        "at",
        "(UTC)",
        "status",
        "share",
        "recipient",
        "datasets",
        "expires",
        "invitation",
        "id",
    ]
    assert len(lines) == 2 + 5
    assert re.search(
        r"withdrawn\s+flick_agency_marketing_segments\s+campaigns@hollis-agency\.example\s+mart_marketing_segments",
        lines[-1],
    )


def parse_recipient_from(entry: dict):
    document = _example_document()
    document["shares"][2]["recipients"] = [entry]
    return parse_spec(document).shares[2].recipients[0]


def test_a_changed_schedule_is_replaced_and_a_dry_run_with_azure_settings_only_reads(
    standin: ArmStandIn, client, approved: Path, tmp_path: Path
):
    ledger = tmp_path / "ledger.duckdb"
    assert _apply(EXAMPLE_SPEC, approved, ledger, client).exit_code == 0
    document = _example_document()
    document["shares"][1]["schedule"] = {"recurrence": "hourly", "at": "00:45"}
    spec = _write_spec(document, tmp_path)
    writes_before = len(standin.writes())

    dry = _apply(spec, approved, ledger, client, "--dry-run")
    assert dry.exit_code == 0 and "dry run: nothing was changed" in dry.output
    assert len(standin.writes()) == writes_before

    applied = _apply(spec, approved, ledger, client)
    assert applied.exit_code == 0, applied.output
    schedule = "/flick_adm_daily_engagement/synchronizationSettings/flick_adm_daily_engagement_schedule"
    assert [(r.method, r.path.removeprefix(SHARE_PATH)) for r in standin.writes()[writes_before:]] == [
        ("DELETE", schedule),
        ("PUT", schedule),
    ]
    assert standin.writes()[-1].body["properties"] == {
        "recurrenceInterval": "Hour",
        "synchronizationTime": "2026-01-01T00:45:00.000Z",
    }


def test_apply_refuses_a_missing_account_or_another_subscription_before_writing(
    standin: ArmStandIn, client, approved: Path, tmp_path: Path
):
    document = _example_document()
    document["x-flick-share-account"]["name"] = "flick-share-nowhere"
    for share in document["shares"]:
        share["account"] = document["x-flick-share-account"]
    missing = _apply(_write_spec(document, tmp_path), approved, tmp_path / "ledger.duckdb", client)
    assert missing.exit_code == 3
    assert "shares[0].account: Data Share account flick-share-nowhere not found in resource group" in missing.output

    other = _share(
        ["--spec", str(EXAMPLE_SPEC), "--dbt-target-path", str(approved), "--as-of", str(AS_OF)],
        client=client,
        env={"AZURE_SUBSCRIPTION_ID": "11111111-2222-4333-8444-555555555555"},
    )
    assert other.exit_code == 3
    assert "shares[0].account.subscription_id: 6f1c2b0e" in other.output
    assert standin.writes() == []
