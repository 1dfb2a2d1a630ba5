"""What may leave Flick through Data Share, checked before any call to Azure.

The dbt artifacts are the source of truth for the data side: a data set must be
a Gold model with an enforced contract (so its columns cannot drift under a
partner), with no column tagged `pii`, and whose last `dbt build` built it and
passed its tests. The spec's own policy block is the truth for people:
recipients from allow-listed domains or tenants only, invitations that expire
in the future and within the maximum term.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flick_ops.share.spec import DataSetSpec, Recipient, SharesSpec

PII_TAG = "pii"
GOLD_FOLDER = "models/gold/"
PASSING_MODEL_STATUSES = frozenset({"success"})
PASSING_TEST_STATUSES = frozenset({"pass", "warn"})


class PolicyViolation(Exception):
    """The spec asks to share something it must not; `violations` lists every `path: reason`."""

    def __init__(self, violations: list[str]) -> None:
        self.violations = violations
        listed = "\n".join(f"  - {violation}" for violation in violations)
        super().__init__(f"refused by the sharing policy ({len(violations)} violation(s)):\n{listed}")


@dataclass(frozen=True)
class DbtArtifacts:
    """The manifest and run results of the last dbt build."""

    manifest: Mapping[str, Any]
    run_results: Mapping[str, Any]

    @classmethod
    def load(cls, target_path: Path) -> DbtArtifacts:
        target_path = Path(target_path)
        files = {name: target_path / f"{name}.json" for name in ("manifest", "run_results")}
        missing = [str(path) for path in files.values() if not path.exists()]
        if missing:
            raise FileNotFoundError(
                f"dbt artifacts not found: {', '.join(missing)}; run `dbt build` first (the policy needs its results)"
            )
        return cls(*(json.loads(path.read_text(encoding="utf-8")) for path in files.values()))

    def model(self, name: str) -> Mapping[str, Any] | None:
        return next(
            (
                node
                for node in self.manifest.get("nodes", {}).values()
                if node.get("resource_type") == "model" and node.get("name") == name
            ),
            None,
        )

    def status(self, unique_id: str) -> str | None:
        return next(
            (r.get("status") for r in self.run_results.get("results", []) if r.get("unique_id") == unique_id), None
        )

    def tests_of(self, unique_id: str) -> list[str]:
        return sorted(
            node_id
            for node_id, node in self.manifest.get("nodes", {}).items()
            if node.get("resource_type") == "test" and node.get("attached_node") == unique_id
        )


def policy_violations(spec: SharesSpec, artifacts: DbtArtifacts, today: dt.date) -> list[str]:
    """Every reason the spec may not be applied, each naming the entry it is about; empty when it may."""
    violations: list[str] = []
    for share in spec.shares:
        for dataset in share.datasets:
            violations.extend(_dataset_violations(dataset, artifacts))
        for recipient in share.recipients:
            violations.extend(_recipient_violations(recipient, spec, today))
    return violations


def enforce_policy(spec: SharesSpec, artifacts: DbtArtifacts, today: dt.date) -> None:
    violations = policy_violations(spec, artifacts, today)
    if violations:
        raise PolicyViolation(violations)


def _dataset_violations(dataset: DataSetSpec, artifacts: DbtArtifacts) -> Iterator[str]:
    where = f"{dataset.path} ({dataset.model})"
    node = artifacts.model(dataset.model)
    if node is None:
        yield f"{where}: no such model in the dbt manifest"
        return
    if not str(node.get("original_file_path", "")).startswith(GOLD_FOLDER):
        yield f"{where}: only Gold models may be shared; this one is in {node.get('original_file_path')}"
    if not node.get("config", {}).get("contract", {}).get("enforced", False):
        yield f"{where}: the model's contract is not enforced (config.contract.enforced: true)"
    pii_columns = sorted(name for name, column in node.get("columns", {}).items() if _is_pii(column))
    if PII_TAG in node.get("tags", []):
        yield f"{where}: the model is tagged {PII_TAG}"
    if pii_columns:
        yield f"{where}: column(s) tagged {PII_TAG}: {', '.join(pii_columns)}"
    yield from _build_violations(where, node["unique_id"], artifacts)


def _build_violations(where: str, unique_id: str, artifacts: DbtArtifacts) -> Iterator[str]:
    status = artifacts.status(unique_id)
    if status is None:
        yield f"{where}: not built by the last dbt run (run_results.json); run `dbt build` first"
        return
    if status not in PASSING_MODEL_STATUSES:
        yield f"{where}: its last build ended {status!r}"
    failed = [test for test in artifacts.tests_of(unique_id) if artifacts.status(test) not in PASSING_TEST_STATUSES]
    if failed:
        shown = ", ".join(test.split(".")[2] for test in failed[:3])
        more = f" and {len(failed) - 3} more" if len(failed) > 3 else ""
        yield f"{where}: {len(failed)} of its tests did not pass in the last build ({shown}{more})"


def _is_pii(column: Mapping[str, Any]) -> bool:
    tags = set(column.get("tags") or []) | set((column.get("config") or {}).get("tags") or [])
    return PII_TAG in tags


def _recipient_violations(recipient: Recipient, spec: SharesSpec, today: dt.date) -> Iterator[str]:
    policy = spec.policy
    if recipient.email:
        domain = recipient.email.rsplit("@", 1)[1].lower()
        if domain not in policy.allowed_email_domains:
            allowed = ", ".join(policy.allowed_email_domains) or "none"
            yield (
                f"{recipient.path}.email: {recipient.email} is not in an allow-listed domain "
                f"(policy.allowed_email_domains: {allowed})"
            )
    elif (recipient.tenant_id or "").lower() not in policy.allowed_tenant_ids:
        allowed = ", ".join(policy.allowed_tenant_ids) or "none"
        yield (
            f"{recipient.path}.tenant_id: tenant {recipient.tenant_id} is not allow-listed "
            f"(policy.allowed_tenant_ids: {allowed})"
        )
    latest = today + dt.timedelta(days=policy.max_invitation_days)
    if recipient.expires <= today:
        yield f"{recipient.path}.expires: {recipient.expires} is not in the future (today is {today})"
    elif recipient.expires > latest:
        yield (
            f"{recipient.path}.expires: {recipient.expires} is beyond the maximum term of "
            f"{policy.max_invitation_days} days (latest allowed: {latest})"
        )
