"""Carry out a plan with the Data Share client it is given, recording every invitation in the ledger.

Calls run one at a time in the plan's order and stop at the first failure; the
ledger already holds what went out, and because names are deterministic the
next run picks up where this one stopped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from azure.mgmt.datashare import DataShareManagementClient
from azure.mgmt.datashare import models as ds

from flick_ops.share.ledger import Ledger, LedgerEntry
from flick_ops.share.plan import Call, Plan, ShareState, read_share_state
from flick_ops.share.spec import SharesSpec


class SubscriptionMismatch(Exception):
    """The spec names a subscription other than the one the client signs in to."""


def ensure_subscription(spec: SharesSpec, subscription_id: str) -> None:
    """Refuse a spec for another subscription: a prod spec must not be applied with a dev login, or the reverse."""
    elsewhere = [
        f"{share.path}.account.subscription_id: {share.account.subscription_id}"
        for share in spec.shares
        if share.account.subscription_id != subscription_id.lower()
    ]
    if elsewhere:
        raise SubscriptionMismatch(
            f"AZURE_SUBSCRIPTION_ID is {subscription_id} but the spec's shares live elsewhere: " + "; ".join(elsewhere)
        )


def read_states(client: DataShareManagementClient, spec: SharesSpec) -> dict[str, ShareState]:
    return {share.name: read_share_state(client, share) for share in spec.shares}


def apply_plan(
    client: DataShareManagementClient,
    plan: Plan,
    ledger: Ledger,
    *,
    on_call: Callable[[Call], None] = lambda _call: None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> list[Call]:
    """Run every call in order; return those that ran."""
    done: list[Call] = []
    for share_plan in plan.shares:
        datasets = tuple(dataset.model for dataset in share_plan.spec.datasets)
        recipients = {r.identity: r for r in share_plan.spec.recipients}
        for call in share_plan.calls:
            on_call(call)
            result = _execute(client, call)
            done.append(call)
            if call.kind == "invitations":
                expires = recipients[call.recipient].expires if call.recipient in recipients else None
                ledger.record(_ledger_entry(call, result, datasets, expires, now()))
    return done


def _execute(client: DataShareManagementClient, call: Call) -> object:
    scope = (call.account.resource_group, call.account.name, call.share_name)
    if call.kind == "shares":
        return client.shares.create(*scope, call.body)
    operations = {
        "dataSets": client.data_sets,
        "synchronizationSettings": client.synchronization_settings,
        "invitations": client.invitations,
    }[call.kind]
    if call.verb == "PUT":
        return operations.create(*scope, call.name, call.body)
    if call.kind == "invitations":
        return client.invitations.delete(*scope, call.name)
    # Deleting data sets and schedules is a long-running operation: wait for it, as the next call may depend on it.
    return operations.begin_delete(*scope, call.name).result()


def _ledger_entry(
    call: Call, result: object, datasets: tuple[str, ...], expires: dt.date | None, recorded_at: dt.datetime
) -> LedgerEntry:
    sent = call.verb == "PUT"
    invitation = result if isinstance(result, ds.Invitation) else None
    return LedgerEntry(
        recorded_at=recorded_at,
        status="sent" if sent else "withdrawn",
        share=call.share_name,
        account=call.account.name,
        recipient=call.recipient or "",
        datasets=datasets,
        invitation_name=call.name,
        invitation_id=invitation.invitation_id if invitation else call.invitation_id,
        expires_on=expires if sent else None,
        service_status=invitation.invitation_status if invitation else "Withdrawn",
    )
