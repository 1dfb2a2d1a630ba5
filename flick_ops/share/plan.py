"""From the spec and what Azure holds now to the ordered list of calls that closes the gap.

Resource names are derived from the spec alone, so a second run finds what the
first one made and plans nothing. Bodies are the SDK's own models, so the plan
printed by `--dry-run` is exactly what `--apply` sends.

The order follows what the service needs: the share before anything in it;
withdrawn invitations before data sets go (no one accepts a half-emptied
share); data sets before the schedule that copies them; invitations last, so
a partner who accepts at once gets a complete share.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.datashare import DataShareManagementClient
from azure.mgmt.datashare import models as ds

from flick_ops.share.spec import DataSetSpec, DataShareAccount, Recipient, Schedule, ShareSpec, SharesSpec

API_VERSION = "2020-09-01"
MAX_NAME_LENGTH = 90
# Schedules start on a fixed day so the body is the same on every run; only the time of day matters.
SCHEDULE_ANCHOR = dt.date(2026, 1, 1)
RECURRENCE_INTERVALS = {"hourly": "Hour", "daily": "Day"}
ResourceKind = Literal["shares", "dataSets", "synchronizationSettings", "invitations"]


class PlanError(Exception):
    """Azure holds something the spec cannot be reconciled with automatically."""


@dataclass(frozen=True)
class Call:
    verb: Literal["PUT", "DELETE"]
    kind: ResourceKind
    account: DataShareAccount
    share_name: str
    name: str
    why: str
    body: ds.Share | ds.DataSet | ds.SynchronizationSetting | ds.Invitation | None = None
    recipient: str | None = None
    invitation_id: str | None = None

    @property
    def path(self) -> str:
        account = self.account
        share = (
            f"/subscriptions/{account.subscription_id}/resourceGroups/{account.resource_group}"
            f"/providers/Microsoft.DataShare/accounts/{account.name}/shares/{self.share_name}"
        )
        return share if self.kind == "shares" else f"{share}/{self.kind}/{self.name}"

    def describe(self) -> str:
        lines = [f"  {self.verb} {self.path}?api-version={API_VERSION}", f"      {self.why}"]
        if self.body is not None:
            lines.append(f"      {json.dumps(self.body.serialize(), sort_keys=True)}")
        return "\n".join(lines)


@dataclass(frozen=True)
class ShareState:
    """What the service holds for one share; names are keyed lower-case, as ARM compares them."""

    share: ds.Share | None = None
    data_sets: Mapping[str, ds.DataSet] = field(default_factory=dict)
    synchronization_settings: Mapping[str, ds.SynchronizationSetting] = field(default_factory=dict)
    invitations: Mapping[str, ds.Invitation] = field(default_factory=dict)


@dataclass(frozen=True)
class SharePlan:
    spec: ShareSpec
    name: str
    calls: tuple[Call, ...]
    unchanged: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    shares: tuple[SharePlan, ...]
    state_was_read: bool

    @property
    def calls(self) -> list[Call]:
        return [call for share in self.shares for call in share.calls]

    def describe(self) -> str:
        lines = (
            [] if self.state_was_read else ["(current state not read: no Azure settings; planned as if nothing exists)"]
        )
        for share in self.shares:
            account = share.spec.account
            lines.append(
                f"share {share.name} (account {account.name}, resource group {account.resource_group}, "
                f"subscription {account.subscription_id}): {len(share.calls)} call(s)"
            )
            lines.extend(call.describe() for call in share.calls)
            lines.extend(f"  unchanged: {item}" for item in share.unchanged)
            lines.extend(f"  note: {note}" for note in share.notes)
        total = len(self.calls)
        lines.append(f"{total} call(s) planned" if total else "nothing to do: Azure matches the spec")
        return "\n".join(lines)


def resource_name(*parts: str) -> str:
    """A Data Share resource name: letters, digits and '_', from a letter, at most 90 characters.

    Long names keep a hash of the whole so that two long names never collide.
    """
    whole = "_".join(parts)
    name = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", whole)).strip("_")
    if not name[:1].isalpha():
        name = f"n_{name}"
    if len(name) > MAX_NAME_LENGTH:
        digest = hashlib.sha256(whole.encode()).hexdigest()[:8]
        name = f"{name[: MAX_NAME_LENGTH - 9].rstrip('_')}_{digest}"
    return name


def share_resource_name(share: ShareSpec) -> str:
    return resource_name("flick", share.name)


def data_set_resource_name(share: ShareSpec, dataset: DataSetSpec) -> str:
    suffix = {"adls_gen2_folder": "lake", "synapse_sql_pool_table": "sql"}[dataset.kind]
    return resource_name("flick", share.name, dataset.model, suffix)


def schedule_resource_name(share: ShareSpec) -> str:
    return resource_name("flick", share.name, "schedule")


def invitation_resource_name(recipient: Recipient) -> str:
    # The hash keeps names distinct after sanitising (a.b@x and a_b@x) and stable across runs.
    digest = hashlib.sha256(recipient.identity.encode()).hexdigest()[:8]
    readable = recipient.email.lower() if recipient.email else f"tenant_{recipient.tenant_id}"
    return resource_name("to", readable[:60], digest)


def read_share_state(client: DataShareManagementClient, share: ShareSpec) -> ShareState:
    """Look up the share and everything in it (GETs only)."""
    account = share.account
    try:
        client.accounts.get(account.resource_group, account.name)
    except ResourceNotFoundError as exc:
        raise PlanError(
            f"{share.path}.account: Data Share account {account.name} not found in resource group "
            f"{account.resource_group}; the platform infrastructure creates it (with its managed identity "
            "allowed to read the Gold lake), not flick-ops"
        ) from exc
    name = share_resource_name(share)
    try:
        current = client.shares.get(account.resource_group, account.name, name)
    except ResourceNotFoundError:
        return ShareState()
    scope = (account.resource_group, account.name, name)
    return ShareState(
        share=current,
        data_sets=_by_name(client.data_sets.list_by_share(*scope)),
        synchronization_settings=_by_name(client.synchronization_settings.list_by_share(*scope)),
        invitations=_by_name(client.invitations.list_by_share(*scope)),
    )


def build_plan(spec: SharesSpec, states: Mapping[str, ShareState] | None, *, prune: bool) -> Plan:
    """Calls for every share; `states` maps share spec names to what Azure holds (None: not read)."""
    shares = tuple(
        plan_share(spec, share, (states or {}).get(share.name, ShareState()), prune=prune) for share in spec.shares
    )
    return Plan(shares, state_was_read=states is not None)


def plan_share(spec: SharesSpec, share: ShareSpec, state: ShareState, *, prune: bool) -> SharePlan:
    planner = _SharePlanner(spec, share, prune)
    planner.share_resource(state.share)
    planner.invitations(state.invitations, withdraw_only=True)
    planner.data_sets(state.data_sets)
    planner.schedule(state.synchronization_settings)
    planner.invitations(state.invitations, withdraw_only=False)
    return SharePlan(share, planner.name, tuple(planner.calls), tuple(planner.unchanged), tuple(planner.notes))


class _SharePlanner:
    def __init__(self, spec: SharesSpec, share: ShareSpec, prune: bool) -> None:
        self.spec, self.share, self.prune = spec, share, prune
        self.name = share_resource_name(share)
        self.calls: list[Call] = []
        self.unchanged: list[str] = []
        self.notes: list[str] = []

    def call(self, verb: Literal["PUT", "DELETE"], kind: ResourceKind, name: str, why: str, **extra: object) -> None:
        self.calls.append(Call(verb, kind, self.share.account, self.name, name, why, **extra))  # type: ignore[arg-type]

    def share_resource(self, current: ds.Share | None) -> None:
        desired = ds.Share(share_kind="CopyBased", description=self.share.description, terms=self.share.terms)
        if current is None:
            self.call("PUT", "shares", self.name, "create the share (copy-based)", body=desired)
            return
        if (current.share_kind or "").lower() != "copybased":
            raise PlanError(
                f"{self.share.path}: share {self.name} exists as {current.share_kind}; a share's kind cannot change, "
                "so rename the share in the spec or delete the existing one by hand"
            )
        if (current.description, current.terms) != (desired.description, desired.terms):
            self.call("PUT", "shares", self.name, "update the share's description and terms", body=desired)
        else:
            self.unchanged.append(f"share {self.name}")

    def data_sets(self, current: Mapping[str, ds.DataSet]) -> None:
        wanted = {data_set_resource_name(self.share, d).lower(): d for d in self.share.datasets}
        stale = [name for name in current if name not in wanted]
        for name in stale:
            self.removal("dataSets", current[name].name or name, f"remove data set {current[name].name}")
        for key, dataset in wanted.items():
            name = data_set_resource_name(self.share, dataset)
            desired = self.data_set_body(dataset)
            existing = current.get(key)
            if existing is not None and _same(existing, desired):
                self.unchanged.append(f"data set {name} ({dataset.model})")
                continue
            if existing is not None:
                # Data sets cannot be edited in place: the service only creates and deletes them.
                self.call("DELETE", "dataSets", name, f"replace data set {name}: its source changed")
            self.call("PUT", "dataSets", name, f"add {dataset.model} as {_describe_source(desired)}", body=desired)

    def schedule(self, current: Mapping[str, ds.SynchronizationSetting]) -> None:
        name = schedule_resource_name(self.share)
        for key, setting in current.items():
            if self.share.schedule is None or key != name.lower():
                self.removal("synchronizationSettings", setting.name or key, f"remove schedule {setting.name}")
        if self.share.schedule is None:
            return
        desired = _schedule_body(self.share.schedule)
        existing = current.get(name.lower())
        if existing is not None and _same_schedule(existing, desired):
            self.unchanged.append(f"schedule {name} ({_describe_schedule(self.share.schedule)})")
            return
        if existing is not None:
            self.call("DELETE", "synchronizationSettings", name, f"replace schedule {name}: the timing changed")
        self.call(
            "PUT", "synchronizationSettings", name, f"copy {_describe_schedule(self.share.schedule)}", body=desired
        )

    def invitations(self, current: Mapping[str, ds.Invitation], *, withdraw_only: bool) -> None:
        wanted = {invitation_resource_name(r).lower(): r for r in self.share.recipients}
        if withdraw_only:
            for key, invitation in current.items():
                if key not in wanted and (invitation.invitation_status or "").lower() != "withdrawn":
                    self.withdrawal(invitation)
            return
        for key, recipient in wanted.items():
            name = invitation_resource_name(recipient)
            existing = current.get(key)
            if existing is None:
                self.call(
                    "PUT",
                    "invitations",
                    name,
                    f"send an invitation to {recipient.identity} (expires {recipient.expires})",
                    body=_invitation_body(recipient),
                    recipient=recipient.identity,
                )
                continue
            self.unchanged.append(f"invitation to {recipient.identity} ({existing.invitation_status})")
            if existing.expiration_date and existing.expiration_date.date() != recipient.expires:
                self.notes.append(
                    f"{recipient.path}.expires: the invitation already sent expires {existing.expiration_date.date()}; "
                    "invitations cannot be edited, so remove the recipient, apply with --prune, and add them back"
                )

    def withdrawal(self, invitation: ds.Invitation) -> None:
        recipient = _invitation_target(invitation)
        if not self.prune:
            self.notes.append(f"invitation to {recipient} is not in the spec (kept; --prune withdraws it)")
            return
        self.call(
            "DELETE",
            "invitations",
            invitation.name or "",
            f"withdraw the invitation to {recipient} ({invitation.invitation_status})",
            recipient=recipient,
            invitation_id=invitation.invitation_id,
        )
        if (invitation.invitation_status or "").lower() == "accepted":
            self.notes.append(
                f"{recipient} had accepted: withdrawing the invitation does not stop their share subscription; "
                "revoke it under the share's 'Share subscriptions' as well"
            )

    def removal(self, kind: ResourceKind, name: str, why: str) -> None:
        if self.prune:
            self.call("DELETE", kind, name, why)
        else:
            self.notes.append(f"{why.removeprefix('remove ')} is not in the spec (kept; --prune removes it)")

    def data_set_body(self, dataset: DataSetSpec) -> ds.DataSet:
        if dataset.kind == "adls_gen2_folder":
            lake = self.spec.gold_lake
            assert lake is not None, "the spec loader requires sources.gold_lake for adls_gen2_folder"
            return ds.ADLSGen2FolderDataSet(
                subscription_id=lake.subscription_id,
                resource_group=lake.resource_group,
                storage_account_name=lake.storage_account,
                file_system=lake.file_system,
                folder_path=dataset.model,
            )
        pool = self.spec.synapse
        assert pool is not None, "the spec loader requires sources.synapse for synapse_sql_pool_table"
        return ds.SynapseWorkspaceSqlPoolTableDataSet(
            synapse_workspace_sql_pool_table_resource_id=(
                f"/subscriptions/{pool.subscription_id}/resourceGroups/{pool.resource_group}"
                f"/providers/Microsoft.Synapse/workspaces/{pool.workspace}/sqlPools/{pool.sql_pool}"
                f"/schemas/{pool.schema}/tables/{dataset.model}"
            )
        )


def _by_name(resources: Iterable) -> dict:
    return {resource.name.lower(): resource for resource in resources}


def _same(current: ds.DataSet, desired: ds.DataSet) -> bool:
    # ARM may hand names back in another case; what identifies the source is case-insensitive.
    return (
        json.dumps(current.serialize(), sort_keys=True).lower()
        == json.dumps(desired.serialize(), sort_keys=True).lower()
    )


def _schedule_body(schedule: Schedule) -> ds.ScheduledSynchronizationSetting:
    return ds.ScheduledSynchronizationSetting(
        recurrence_interval=RECURRENCE_INTERVALS[schedule.recurrence],
        synchronization_time=dt.datetime.combine(SCHEDULE_ANCHOR, schedule.at, tzinfo=dt.UTC),
    )


def _same_schedule(current: ds.SynchronizationSetting, desired: ds.ScheduledSynchronizationSetting) -> bool:
    if not isinstance(current, ds.ScheduledSynchronizationSetting) or current.synchronization_time is None:
        return False
    time_of_day = current.synchronization_time.astimezone(dt.UTC).time().replace(second=0, microsecond=0)
    return (str(current.recurrence_interval).lower(), time_of_day) == (
        str(desired.recurrence_interval).lower(),
        desired.synchronization_time.time(),
    )


def _invitation_body(recipient: Recipient) -> ds.Invitation:
    # An invitation is good through the whole of its expiry day, UTC.
    expires = dt.datetime.combine(recipient.expires, dt.time(23, 59, 59), tzinfo=dt.UTC)
    if recipient.email:
        return ds.Invitation(target_email=recipient.email, expiration_date=expires)
    return ds.Invitation(
        target_active_directory_id=recipient.tenant_id, target_object_id=recipient.object_id, expiration_date=expires
    )


def _invitation_target(invitation: ds.Invitation) -> str:
    if invitation.target_email:
        return invitation.target_email.lower()
    return f"{invitation.target_active_directory_id}/{invitation.target_object_id}".lower()


def _describe_source(body: ds.DataSet) -> str:
    if isinstance(body, ds.ADLSGen2FolderDataSet):
        return f"ADLS Gen2 folder {body.storage_account_name}/{body.file_system}/{body.folder_path}"
    assert isinstance(body, ds.SynapseWorkspaceSqlPoolTableDataSet)
    table = body.synapse_workspace_sql_pool_table_resource_id.split("/workspaces/", 1)[1]
    return f"Synapse SQL pool table {table}"


def _describe_schedule(schedule: Schedule) -> str:
    if schedule.recurrence == "hourly":
        return f"hourly at minute {schedule.at.minute:02d} (UTC)"
    return f"daily at {schedule.at:%H:%M} UTC"
