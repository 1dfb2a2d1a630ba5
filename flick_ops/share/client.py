"""The one place that makes a Data Share client.

Everything else receives the client as an argument, so tests hand in one that
talks to a local stand-in for Azure Resource Manager and production gets one
signed in through `DefaultAzureCredential` (environment, managed identity,
workload identity in CI, or the developer's `az login`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from azure.core.credentials import TokenCredential
from azure.mgmt.datashare import DataShareManagementClient

SUBSCRIPTION_VARIABLE = "AZURE_SUBSCRIPTION_ID"


@dataclass(frozen=True)
class AzureSettings:
    """Which subscription `flick-ops share` works in; its presence is what makes applying the default."""

    subscription_id: str

    @classmethod
    def from_environment(cls, environment: Mapping[str, str] | None = None) -> AzureSettings | None:
        environment = os.environ if environment is None else environment
        subscription = environment.get(SUBSCRIPTION_VARIABLE, "").strip()
        return cls(subscription.lower()) if subscription else None


def create_data_share_client(
    settings: AzureSettings,
    *,
    credential: TokenCredential | None = None,
    base_url: str | None = None,
    **pipeline_options: Any,
) -> DataShareManagementClient:
    """A client for the settings' subscription; `base_url` and `pipeline_options` point it elsewhere (tests)."""
    if credential is None:
        from azure.identity import DefaultAzureCredential  # imported late: it is slow to import and unused in dry runs

        credential = DefaultAzureCredential()
    return DataShareManagementClient(credential, settings.subscription_id, base_url=base_url, **pipeline_options)
