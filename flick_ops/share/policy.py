"""What may leave Flick through Data Share, checked before any call to Azure.

The data side is the warehouse's one release rule (`flick_ops.dbt.release_rule`):
a data set must be a contract-enforced Gold model with no column tagged `pii`,
built and tested green by the build being released. A lake-folder data set
must also be a folder the lake export writes (deploy/publish.yml), or the
partner would receive an empty folder. The spec's own policy block is the
truth for people: recipients from allow-listed domains or tenants only,
invitations that expire in the future and within the maximum term.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator

from flick_ops.dbt.artifacts import BuildArtifacts
from flick_ops.dbt.release_rule import refusals
from flick_ops.share.spec import Recipient, SharesSpec

LAKE_FOLDER_KIND = "adls_gen2_folder"


class PolicyViolation(Exception):
    """The spec asks to share something it must not; `violations` lists every `path: reason`."""

    def __init__(self, violations: list[str]) -> None:
        self.violations = violations
        listed = "\n".join(f"  - {violation}" for violation in violations)
        super().__init__(f"refused by the sharing policy ({len(violations)} violation(s)):\n{listed}")


def policy_violations(
    spec: SharesSpec, artifacts: BuildArtifacts, today: dt.date, lake_models: Collection[str] | None = None
) -> list[str]:
    """Every reason the spec may not be applied, each naming the entry it is about; empty when it may.

    With `lake_models` (what the lake export writes), a lake-folder data set of any other model is refused.
    """
    violations: list[str] = []
    for share in spec.shares:
        violations.extend(refusals(artifacts, [(dataset.path, dataset.model) for dataset in share.datasets]))
        if lake_models is not None:
            violations.extend(
                f"{dataset.path} ({dataset.model}): shared as the lake folder gold/{dataset.model}/, which no lake "
                "export writes; add the model to lake_export in the publish spec, or share it as "
                "synapse_sql_pool_table"
                for dataset in share.datasets
                if dataset.kind == LAKE_FOLDER_KIND and dataset.model not in lake_models
            )
        for recipient in share.recipients:
            violations.extend(_recipient_violations(recipient, spec, today))
    return violations


def enforce_policy(
    spec: SharesSpec, artifacts: BuildArtifacts, today: dt.date, lake_models: Collection[str] | None = None
) -> None:
    violations = policy_violations(spec, artifacts, today, lake_models)
    if violations:
        raise PolicyViolation(violations)


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
