"""The shares spec (deploy/shares.yml): which partner gets which Gold models, how often, until when.

Loading validates the whole file and reports every problem at once, each one
named by its path in the file (`shares[1].recipients[0].email: ...`), because
the spec is reviewed in pull requests and a reviewer should see all of it.
Policy (allow-lists, PII, contracts, terms) is checked separately in policy.py
against the dbt artifacts; this module only decides whether the file is well formed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

DataSetKind = Literal["adls_gen2_folder", "synapse_sql_pool_table"]
Recurrence = Literal["hourly", "daily"]
DATA_SET_KINDS: tuple[DataSetKind, ...] = ("adls_gen2_folder", "synapse_sql_pool_table")
RECURRENCES: tuple[Recurrence, ...] = ("hourly", "daily")
SHARE_KINDS = ("copy_based",)  # in-place sharing is for Azure Data Explorer only, which Flick does not use

_SLUG = re.compile(r"^[a-z][a-z0-9_-]{1,59}$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_AZURE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.()-]{0,89}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_MISSING: Any = object()  # a required key that is absent: already reported once, so no second complaint


class ShareSpecError(ValueError):
    """The spec is not well formed; `problems` lists every `path: message`."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{source}: {len(problems)} problem(s) in the shares spec:\n{listed}")


@dataclass(frozen=True)
class AzureResourceGroup:
    subscription_id: str
    resource_group: str


@dataclass(frozen=True)
class DataShareAccount:
    subscription_id: str
    resource_group: str
    name: str


@dataclass(frozen=True)
class GoldLake:
    """The ADLS Gen2 account the lake export writes Gold to: container `gold`, one folder per model."""

    subscription_id: str
    resource_group: str
    storage_account: str
    file_system: str


@dataclass(frozen=True)
class SynapsePool:
    """The dedicated SQL pool that holds the Gold tables (dbt's synapse target)."""

    subscription_id: str
    resource_group: str
    workspace: str
    sql_pool: str
    schema: str


@dataclass(frozen=True)
class SharingPolicy:
    allowed_email_domains: tuple[str, ...]
    allowed_tenant_ids: tuple[str, ...]
    max_invitation_days: int


@dataclass(frozen=True)
class DataSetSpec:
    model: str
    kind: DataSetKind
    path: str


@dataclass(frozen=True)
class Schedule:
    """When Data Share copies a fresh snapshot to the recipients (UTC)."""

    recurrence: Recurrence
    at: dt.time


@dataclass(frozen=True)
class Recipient:
    expires: dt.date
    path: str
    email: str | None = None
    tenant_id: str | None = None
    object_id: str | None = None

    @property
    def identity(self) -> str:
        """Who the invitation goes to, as people read it (and as the ledger records it)."""
        if self.email:
            return self.email.lower()
        return f"{self.tenant_id}/{self.object_id}".lower()


@dataclass(frozen=True)
class ShareSpec:
    name: str
    account: DataShareAccount
    kind: str
    description: str
    terms: str
    datasets: tuple[DataSetSpec, ...]
    schedule: Schedule | None
    recipients: tuple[Recipient, ...]
    path: str


@dataclass(frozen=True)
class SharesSpec:
    policy: SharingPolicy
    gold_lake: GoldLake | None
    synapse: SynapsePool | None
    shares: tuple[ShareSpec, ...]
    source: str


def load_spec(path: Path) -> SharesSpec:
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ShareSpecError(str(path), ["file not found"]) from exc
    except yaml.YAMLError as exc:
        raise ShareSpecError(str(path), [f"not valid YAML: {exc}"]) from exc
    return parse_spec(document, source=str(path))


def parse_spec(document: Any, source: str = "<spec>") -> SharesSpec:
    reader = _Reader()
    spec = reader.spec(document, source)
    if reader.problems:
        raise ShareSpecError(source, reader.problems)
    assert spec is not None
    return spec


class _Reader:
    """Walks the document once, collecting problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def spec(self, document: Any, source: str) -> SharesSpec | None:
        if isinstance(document, Mapping):
            # `x-` keys are the spec's scratch space (YAML anchors such as a shared account), as in Compose files.
            document = {key: value for key, value in document.items() if not str(key).startswith("x-")}
        root = self.mapping(document, "<root>", required=("version", "policy", "shares"), optional=("sources",))
        if root is None:
            return None
        if root["version"] not in (1, _MISSING):
            self.problem("version", f"must be 1, got {root['version']!r}")
        sources = self.mapping(root.get("sources", {}), "sources", optional=("gold_lake", "synapse")) or {}
        gold_lake = self.gold_lake(sources["gold_lake"]) if "gold_lake" in sources else None
        synapse = self.synapse(sources["synapse"]) if "synapse" in sources else None
        policy = self.policy(root["policy"])
        shares = self.shares(root["shares"], gold_lake, synapse)
        if policy is None or shares is None:
            return None
        return SharesSpec(policy, gold_lake, synapse, shares, source)

    def gold_lake(self, value: Any) -> GoldLake | None:
        path = "sources.gold_lake"
        fields = self.mapping(
            value, path, required=("subscription_id", "resource_group", "storage_account"), optional=("file_system",)
        )
        if fields is None:
            return None
        group = self.resource_group(fields, path)
        account = self.text(fields.get("storage_account"), f"{path}.storage_account")
        if account and not re.fullmatch(r"[a-z0-9]{3,24}", account):
            self.problem(f"{path}.storage_account", "storage account names are 3-24 lower-case letters and digits")
        file_system = self.text(fields.get("file_system", "gold"), f"{path}.file_system")
        if group is None or account is None or file_system is None:
            return None
        return GoldLake(group.subscription_id, group.resource_group, account, file_system)

    def synapse(self, value: Any) -> SynapsePool | None:
        path = "sources.synapse"
        fields = self.mapping(
            value, path, required=("subscription_id", "resource_group", "workspace", "sql_pool", "schema")
        )
        if fields is None:
            return None
        group = self.resource_group(fields, path)
        names = [self.azure_name(fields.get(key), f"{path}.{key}") for key in ("workspace", "sql_pool", "schema")]
        if group is None or None in names:
            return None
        workspace, sql_pool, schema = names
        return SynapsePool(group.subscription_id, group.resource_group, workspace, sql_pool, schema)

    def policy(self, value: Any) -> SharingPolicy | None:
        fields = self.mapping(
            value,
            "policy",
            required=("max_invitation_days",),
            optional=("allowed_email_domains", "allowed_tenant_ids"),
        )
        if fields is None:
            return None
        domains = self.strings(fields.get("allowed_email_domains", []), "policy.allowed_email_domains")
        for index, domain in enumerate(domains):
            if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", domain):
                self.problem(f"policy.allowed_email_domains[{index}]", f"{domain!r} is not a lower-case domain name")
        tenants = self.strings(fields.get("allowed_tenant_ids", []), "policy.allowed_tenant_ids")
        for index, tenant in enumerate(tenants):
            if not _GUID.match(tenant):
                self.problem(f"policy.allowed_tenant_ids[{index}]", f"{tenant!r} is not a tenant id (a GUID)")
        days = fields["max_invitation_days"]
        if days is _MISSING:
            return None
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 3660:
            self.problem("policy.max_invitation_days", f"must be a whole number of days from 1 to 3660, got {days!r}")
            return None
        return SharingPolicy(tuple(domains), tuple(t.lower() for t in tenants), days)

    def shares(
        self, value: Any, gold_lake: GoldLake | None, synapse: SynapsePool | None
    ) -> tuple[ShareSpec, ...] | None:
        if value is _MISSING:
            return None
        if not isinstance(value, list) or not value:
            self.problem("shares", "must be a non-empty list of shares")
            return None
        shares = [self.share(item, f"shares[{i}]", gold_lake, synapse) for i, item in enumerate(value)]
        seen: dict[tuple[str, str], str] = {}
        for share in shares:
            if share is None:
                continue
            # Names are compared as the service will see them: '-' and '_' become the same character.
            key = (share.account.name.lower(), share.name.replace("-", "_"))
            if key in seen:
                self.problem(f"{share.path}.name", f"{share.name!r} is the same share as {seen[key]}")
            seen[key] = f"{share.path}.name"
        if None in shares:
            return None
        return tuple(share for share in shares if share is not None)

    def share(self, value: Any, path: str, gold_lake: GoldLake | None, synapse: SynapsePool | None) -> ShareSpec | None:
        fields = self.mapping(
            value,
            path,
            required=("name", "account", "kind", "description", "terms", "datasets", "recipients"),
            optional=("schedule",),
        )
        if fields is None:
            return None
        name = self.text(fields.get("name"), f"{path}.name")
        if name and not _SLUG.match(name):
            self.problem(f"{path}.name", f"{name!r} must be 2-60 lower-case letters, digits, '-' or '_', from a letter")
        account = self.account(fields.get("account"), f"{path}.account")
        kind = self.text(fields.get("kind"), f"{path}.kind")
        if kind and kind not in SHARE_KINDS:
            self.problem(f"{path}.kind", f"must be one of {', '.join(SHARE_KINDS)}, got {kind!r}")
        description = self.text(fields.get("description"), f"{path}.description")
        terms = self.text(fields.get("terms"), f"{path}.terms")
        datasets = self.datasets(fields.get("datasets"), f"{path}.datasets", gold_lake, synapse)
        schedule = self.schedule(fields["schedule"], f"{path}.schedule") if "schedule" in fields else None
        recipients = self.recipients(fields.get("recipients"), f"{path}.recipients")
        if None in (name, account, kind, description, terms, datasets, recipients):
            return None
        if "schedule" in fields and schedule is None:
            return None
        return ShareSpec(name, account, kind, description, terms, datasets, schedule, recipients, path)

    def account(self, value: Any, path: str) -> DataShareAccount | None:
        fields = self.mapping(value, path, required=("subscription_id", "resource_group", "name"))
        if fields is None:
            return None
        group = self.resource_group(fields, path)
        name = self.azure_name(fields.get("name"), f"{path}.name")
        if group is None or name is None:
            return None
        return DataShareAccount(group.subscription_id, group.resource_group, name)

    def datasets(
        self, value: Any, path: str, gold_lake: GoldLake | None, synapse: SynapsePool | None
    ) -> tuple[DataSetSpec, ...] | None:
        if value is _MISSING:
            return None
        if not isinstance(value, list):
            self.problem(path, "must be a list of data sets (it may be empty)")
            return None
        datasets: list[DataSetSpec] = []
        for index, item in enumerate(value):
            item_path = f"{path}[{index}]"
            fields = self.mapping(item, item_path, required=("model", "kind"))
            if fields is None:
                continue
            model = self.text(fields.get("model"), f"{item_path}.model")
            kind = fields["kind"]
            if kind is _MISSING:
                continue
            if kind not in DATA_SET_KINDS:
                self.problem(f"{item_path}.kind", f"must be one of {', '.join(DATA_SET_KINDS)}, got {kind!r}")
                continue
            if kind == "adls_gen2_folder" and gold_lake is None:
                self.problem(f"{item_path}.kind", "adls_gen2_folder needs sources.gold_lake")
            if kind == "synapse_sql_pool_table" and synapse is None:
                self.problem(f"{item_path}.kind", "synapse_sql_pool_table needs sources.synapse")
            if model is None:
                continue
            duplicate = next((d for d in datasets if (d.model, d.kind) == (model, kind)), None)
            if duplicate:
                self.problem(item_path, f"{model} as {kind} is already listed at {duplicate.path}")
            datasets.append(DataSetSpec(model, kind, item_path))
        return tuple(datasets)

    def schedule(self, value: Any, path: str) -> Schedule | None:
        fields = self.mapping(value, path, required=("recurrence", "at"))
        if fields is None:
            return None
        recurrence, at = fields["recurrence"], fields["at"]
        if recurrence is _MISSING or at is _MISSING:
            return None
        if recurrence not in RECURRENCES:
            self.problem(f"{path}.recurrence", f"must be one of {', '.join(RECURRENCES)}, got {recurrence!r}")
        # YAML reads an unquoted 02:30 as a base-60 integer (150); insist on a quoted "HH:MM".
        match = _TIME.match(at) if isinstance(at, str) else None
        if match is None:
            self.problem(f"{path}.at", f'must be a quoted UTC time "HH:MM", got {at!r}')
        if recurrence not in RECURRENCES or match is None:
            return None
        return Schedule(recurrence, dt.time(int(match[1]), int(match[2])))

    def recipients(self, value: Any, path: str) -> tuple[Recipient, ...] | None:
        if value is _MISSING:
            return None
        if not isinstance(value, list):
            self.problem(path, "must be a list of recipients (it may be empty)")
            return None
        recipients: list[Recipient] = []
        for index, item in enumerate(value):
            recipient = self.recipient(item, f"{path}[{index}]")
            if recipient is None:
                continue
            duplicate = next((r for r in recipients if r.identity == recipient.identity), None)
            if duplicate:
                self.problem(recipient.path, f"{recipient.identity} is already invited at {duplicate.path}")
            recipients.append(recipient)
        return tuple(recipients)

    def recipient(self, value: Any, path: str) -> Recipient | None:
        fields = self.mapping(value, path, required=("expires",), optional=("email", "tenant_id", "object_id"))
        if fields is None:
            return None
        expires = fields["expires"]
        if isinstance(expires, str):
            with contextlib.suppress(ValueError):
                expires = dt.date.fromisoformat(expires)
        if expires is _MISSING:
            expires = None
        elif not isinstance(expires, dt.date) or isinstance(expires, dt.datetime):
            self.problem(f"{path}.expires", f"must be a date (YYYY-MM-DD), got {fields.get('expires')!r}")
            expires = None
        by_email = "email" in fields
        by_object = "tenant_id" in fields or "object_id" in fields
        if by_email == by_object:
            self.problem(path, "give either email, or tenant_id with object_id")
            return None
        if by_email:
            email = self.text(fields.get("email"), f"{path}.email")
            if email and not _EMAIL.match(email):
                self.problem(f"{path}.email", f"{email!r} is not an e-mail address")
                return None
            return Recipient(expires, path, email=email) if email and expires else None
        for key in ("tenant_id", "object_id"):
            if key not in fields:
                self.problem(
                    f"{path}.{key}", "is required: a recipient outside e-mail is a tenant_id with an object_id"
                )
                return None
        ids = {key: self.text(fields[key], f"{path}.{key}") for key in ("tenant_id", "object_id")}
        for key, text in ids.items():
            if text and not _GUID.match(text):
                self.problem(f"{path}.{key}", f"{text!r} is not a GUID")
                return None
        if not all(ids.values()) or expires is None:
            return None
        return Recipient(expires, path, tenant_id=ids["tenant_id"], object_id=ids["object_id"])

    # -- primitives --------------------------------------------------------

    def mapping(
        self, value: Any, path: str, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()
    ) -> Mapping[str, Any] | None:
        if value is _MISSING:
            return None
        if not isinstance(value, Mapping):
            self.problem(path, f"must be a mapping, got {type(value).__name__}")
            return None
        known = set(required) | set(optional)
        prefix = "" if path == "<root>" else f"{path}."
        for key in value:
            if key not in known:
                self.problem(f"{prefix}{key}", f"unknown key (expected one of: {', '.join(sorted(known))})")
        for key in required:
            if key not in value:
                self.problem(f"{prefix}{key}", "is required")
        return {**value, **{key: _MISSING for key in required if key not in value}}

    def text(self, value: Any, path: str) -> str | None:
        if value is _MISSING:
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(path, f"must be a non-empty string, got {value!r}")
            return None
        return value.strip()

    def strings(self, value: Any, path: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.problem(path, "must be a list of strings")
            return []
        return [item.strip().lower() for item in value]

    def azure_name(self, value: Any, path: str) -> str | None:
        text = self.text(value, path)
        if text and not _AZURE_NAME.match(text):
            self.problem(path, f"{text!r} is not a valid Azure resource name")
            return None
        return text

    def resource_group(self, fields: Mapping[str, Any], path: str) -> AzureResourceGroup | None:
        subscription = self.text(fields.get("subscription_id"), f"{path}.subscription_id")
        if subscription and not _GUID.match(subscription):
            self.problem(f"{path}.subscription_id", f"{subscription!r} is not a subscription id (a GUID)")
            subscription = None
        group = self.azure_name(fields.get("resource_group"), f"{path}.resource_group")
        if subscription is None or group is None:
            return None
        return AzureResourceGroup(subscription.lower(), group)
