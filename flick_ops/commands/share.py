"""`flick-ops share`: Gold datasets to partners through Azure Data Share, declared in deploy/shares.yml."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from flick_ops.dbt.runner import PROJECT_ROOT, DbtWorkspace

if TYPE_CHECKING:
    from flick_ops.release import ShareRequest
    from flick_ops.share.spec import SharesSpec

EXIT_FAILED = 1
EXIT_SPEC_ERROR = 2
EXIT_REFUSED = 3


class ShareFailed(click.ClickException):
    exit_code = EXIT_FAILED


class ShareSpecInvalid(click.ClickException):
    exit_code = EXIT_SPEC_ERROR


class ShareRefused(click.ClickException):
    exit_code = EXIT_REFUSED


class _Defaults:
    spec = PROJECT_ROOT / "deploy" / "shares.yml"
    publish_spec = PROJECT_ROOT / "deploy" / "publish.yml"
    dbt_target_path = DbtWorkspace.default().target_path
    history = PROJECT_ROOT / "warehouse" / "runs"
    ledger = PROJECT_ROOT / "warehouse" / "share_ledger.duckdb"


_ledger_option = click.option(
    "--ledger",
    "ledger_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=_Defaults.ledger,
    show_default=True,
    help="DuckDB file recording every invitation sent or withdrawn.",
)


@click.group(
    invoke_without_command=True,
    epilog=(
        "Azure settings: AZURE_SUBSCRIPTION_ID selects the subscription, and sign-in goes through "
        "DefaultAzureCredential (AZURE_CLIENT_ID/AZURE_TENANT_ID/..., managed identity or `az login`). "
        "Exit codes: 0 done, 1 an Azure call failed, 2 usage or spec error, 3 refused (sharing policy, account or subscription check)."
    ),
)
@click.option(
    "--spec",
    "spec_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=_Defaults.spec,
    show_default=True,
    help="Shares spec (YAML): shares, their Gold data sets, schedules, recipients and the sharing policy.",
)
@click.option(
    "--publish-spec",
    type=click.Path(dir_okay=False, path_type=Path),
    default=_Defaults.publish_spec,
    show_default=True,
    help="Publish spec whose lake export writes the gold/<model>/ folders that lake-folder data sets share.",
)
@click.option(
    "--dbt-target-dir",
    "--dbt-target-path",
    "dbt_target_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder with the manifest.json and run_results.json of the build being released (PII tags, contracts, "
    "results). Default: the last `dbt build`: the newest of the run history's (warehouse/runs) and target/'s "
    "when dbt's last command there was a build.",
)
@click.option(
    "--dry-run/--apply",
    "dry_run",
    default=None,
    help="Print the plan of calls only, or carry it out. Default: --apply when AZURE_SUBSCRIPTION_ID is set, "
    "else --dry-run (which then plans as if nothing exists in Azure yet).",
)
@click.option(
    "--prune",
    is_flag=True,
    help="Also withdraw invitations and remove data sets and schedules that are no longer in the spec.",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Check expiry dates as of this day (YYYY-MM-DD) instead of today (UTC), e.g. to review a spec ahead.",
)
@_ledger_option
@click.pass_context
def share(
    ctx: click.Context,
    spec_path: Path,
    publish_spec: Path,
    dbt_target_path: Path | None,
    dry_run: bool | None,
    prune: bool,
    as_of: dt.datetime | None,
    ledger_path: Path,
) -> None:
    """Share Gold datasets with partners through Azure Data Share, as the spec declares.

    Validates the spec, checks the sharing policy against the dbt artifacts
    (allow-listed recipients, no pii columns, contract-enforced Gold models
    whose last build passed, expiry terms), reads what the Data Share account
    holds, and prints or applies the calls that make it match the spec.
    Running it twice sends no second invitation.
    """
    if ctx.invoked_subcommand is not None:
        return
    from azure.core.exceptions import AzureError
    from azure.mgmt.datashare import DataShareManagementClient

    from flick_ops.errors import network_reason
    from flick_ops.release import ShareRequest, apply_shares, share_plan
    from flick_ops.share.apply import SubscriptionMismatch
    from flick_ops.share.client import AzureSettings, create_data_share_client
    from flick_ops.share.plan import PlanError

    request = ShareRequest(
        spec_path, publish_spec, ledger_path, as_of.date() if as_of else dt.datetime.now(dt.UTC).date(), prune
    )
    spec = _checked_spec(request, dbt_target_path)
    settings = AzureSettings.from_environment()
    # Tests hand in a client bound to a local stand-in for Azure Resource Manager as the context object.
    client = ctx.find_object(DataShareManagementClient)
    if client is None and settings is not None:
        client = create_data_share_client(settings)
    if dry_run is None:
        dry_run = client is None
    if not dry_run and client is None:
        raise click.UsageError("--apply needs Azure settings: set AZURE_SUBSCRIPTION_ID (and sign in)")
    try:
        plan = share_plan(request, spec, client, settings.subscription_id if settings else None)
    except (SubscriptionMismatch, PlanError) as exc:
        raise ShareRefused(str(exc)) from exc
    except AzureError as exc:
        raise ShareFailed(f"reading the current state from Azure failed: {network_reason(exc)}") from exc
    click.echo(plan.describe())
    if dry_run:
        click.echo("dry run: nothing was changed")
        return
    current: list = []
    try:
        done = apply_shares(request, client, plan, on_call=current.append)
    except AzureError as exc:
        failed = current[-1] if current else None
        where = f"{failed.verb} {failed.path}" if failed else "a call"
        raise ShareFailed(f"{where} failed after {len(current) - 1} successful call(s): {network_reason(exc)}") from exc
    sent = sum(1 for call in done if call.kind == "invitations" and call.verb == "PUT")
    withdrawn = sum(1 for call in done if call.kind == "invitations" and call.verb == "DELETE")
    click.echo(f"applied {len(done)} call(s): {sent} invitation(s) sent, {withdrawn} withdrawn (ledger: {ledger_path})")


@share.command()
@_ledger_option
@click.option(
    "--share", "share_name", default=None, help="Only this share (its Data Share name, e.g. flick_studio_...)."
)
def status(ledger_path: Path, share_name: str | None) -> None:
    """List every invitation sent or withdrawn, oldest first."""
    from flick_ops.share.ledger import Ledger, format_ledger

    click.echo(format_ledger(Ledger(ledger_path).entries(share=share_name)))


def _checked_spec(request: ShareRequest, dbt_target_path: Path | None) -> SharesSpec:
    """The spec, once it is well formed, consistent with the lake export and passes the sharing policy."""
    from flick_ops.dbt.artifacts import ArtifactsError, release_artifacts
    from flick_ops.publish.spec import SpecError
    from flick_ops.release import checked_shares
    from flick_ops.share.policy import PolicyViolation
    from flick_ops.share.spec import ShareSpecError

    try:
        return checked_shares(
            request, lambda: release_artifacts(dbt_target_path, _Defaults.dbt_target_path, _Defaults.history)
        )
    except (ShareSpecError, SpecError) as exc:
        raise ShareSpecInvalid(str(exc)) from exc
    except (ArtifactsError, PolicyViolation) as exc:
        raise ShareRefused(str(exc)) from exc
