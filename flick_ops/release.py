"""Releasing Gold: the one way anything leaves the warehouse, for `flick-ops publish`, `share` and `run`.

In order: select the publish spec's entries (and the lake exports that go with them) -> judge them against
the build being released (`flick_ops.dbt.release_rule`, read through `flick_ops.dbt.artifacts`) -> open the
sink (`open_sink`, the one place a sink and its Azure client are made) -> publish -> export to the lake's
gold zone -> share through Azure Data Share (`share`, after the sharing policy). The commands keep only
their options and what they print; the pipeline holds back, per entry, what the same rule refuses.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flick_ops.dbt.artifacts import BuildArtifacts
from flick_ops.dbt.release_rule import check_release, refusals, tests_not_run

if TYPE_CHECKING:  # the publish and share packages (and their Azure SDKs) load only when something is released
    from flick_ops.publish import ExportedTable, GoldReader, PublishOptions, PublishReport, PublishSpec, Sink
    from flick_ops.publish.publisher import ContainerPlan
    from flick_ops.publish.spec import PublishedModel
    from flick_ops.share.plan import Plan
    from flick_ops.share.spec import SharesSpec

COSMOS_ENDPOINT_VARIABLE = "FLICK_COSMOS_ENDPOINT"
COSMOS_KEY_VARIABLE = "FLICK_COSMOS_KEY"


class ReleaseUsageError(ValueError):
    """The release was asked for in a way that cannot work (a usage error, exit 2, at the command line)."""


@dataclass(frozen=True)
class SinkSettings:
    """Where published documents go: Cosmos DB when an endpoint is given (or set), else the local stand-in."""

    local_path: Path
    kind: str | None = None  # "local" or "cosmos"; None: cosmos when there is an endpoint
    endpoint: str | None = None
    insecure_local_tls: bool = False  # only for a loopback endpoint (the local Cosmos test server)
    max_concurrency: int = 16
    max_ru_per_second: float | None = None
    create_containers: bool = False

    @classmethod
    def from_environment(cls, local_path: Path, **options: object) -> SinkSettings:
        """Cosmos DB when FLICK_COSMOS_ENDPOINT is set, else the local sink at `local_path`."""
        return cls(Path(local_path), endpoint=os.environ.get(COSMOS_ENDPOINT_VARIABLE) or None, **options)

    @property
    def resolved_kind(self) -> str:
        return self.kind or ("cosmos" if self.endpoint else "local")

    @property
    def destination(self) -> str:
        """Where the documents go (endpoint or local file): a new destination means publishing anew."""
        return self.endpoint if self.resolved_kind == "cosmos" and self.endpoint else str(self.local_path.resolve())


def open_sink(settings: SinkSettings) -> Sink:
    """The one place a sink is made (and with it any Azure client); the key comes from FLICK_COSMOS_KEY."""
    from flick_ops.publish import CosmosSink, LocalSink

    if settings.resolved_kind == "local":
        return LocalSink(settings.local_path)
    if not settings.endpoint:
        raise ReleaseUsageError("--sink cosmos needs --endpoint or FLICK_COSMOS_ENDPOINT")
    if settings.insecure_local_tls and not _is_loopback(settings.endpoint):
        raise ReleaseUsageError(
            "--insecure-local-tls is only allowed for a loopback endpoint (localhost, 127.0.0.1, ::1)"
        )
    if settings.insecure_local_tls:
        import urllib3

        # Asked for, and only on loopback: one warning per request would bury the report.
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    return CosmosSink.from_settings(
        settings.endpoint,
        key=os.environ.get(COSMOS_KEY_VARIABLE) or None,
        connection_verify=not settings.insecure_local_tls,
        max_concurrency=settings.max_concurrency,
        max_ru_per_second=settings.max_ru_per_second,
        create_containers=settings.create_containers,
    )


@dataclass(frozen=True)
class Release:
    """What one release sends: publish spec entries, and the models exported to the lake's gold zone."""

    spec: PublishSpec
    entries: tuple[PublishedModel, ...]
    lake_models: tuple[str, ...] = ()

    @classmethod
    def select(cls, spec: PublishSpec, names: Sequence[str] = (), *, lake_export: bool = True) -> Release:
        """The named entries or groups (every entry for none); their models go to the lake too, and on a
        whole release the spec's lake-only models as well. Raises SpecError for an unknown name."""
        entries = spec.select(list(names) or None)
        lake = [*(entry.model for entry in entries), *(() if names else spec.lake_only)] if lake_export else []
        return cls(spec, tuple(entries), tuple(dict.fromkeys(lake)))

    def leaving(self) -> list[tuple[str, str]]:
        """Every (entry, model) pair that would leave the warehouse, as the release rule names them."""
        published = {entry.model for entry in self.entries}
        return [(f"publish.{entry.name}", entry.model) for entry in self.entries] + [
            (f"lake_export.{model}", model) for model in self.lake_models if model not in published
        ]

    def check(self, build: BuildArtifacts) -> None:
        """Raise ReleaseRefused, before any sink is opened or file written, when anything may not leave."""
        check_release(build, self.leaving(), "publish")


@dataclass
class ReleaseOutcome:
    report: PublishReport | None = None
    exported: list[ExportedTable] = field(default_factory=list)
    export_error: str | None = None  # the documents went out, the lake export did not


def publish_release(
    release: Release,
    reader: GoldReader,
    sink: SinkSettings,
    state_dir: Path,
    options: PublishOptions,
    lake_root: Path | None,
    *,
    progress: Callable[[int], None] | None = None,
    plans_ready: Callable[[Sequence[ContainerPlan]], None] | None = None,
) -> ReleaseOutcome:
    """Publish the release's entries to the sink (skipped when there are none), then export its lake models.

    The caller has checked the release (`Release.check`, or held back what the rule refuses): publish and
    the export do not judge again. A dry run sends and exports nothing.
    """
    from flick_ops.publish import PublishState, export_to_lake
    from flick_ops.publish import publish as publish_entries
    from flick_ops.publish.reader import WarehouseError

    outcome = ReleaseOutcome()
    if release.entries:
        with ExitStack() as stack:
            opened = stack.enter_context(open_sink(sink))
            state = stack.enter_context(PublishState.open(state_dir, opened.identity))
            outcome.report = publish_entries(
                release.spec,
                warehouse=reader,
                sink=opened,
                state=state,
                models=[entry.name for entry in release.entries],
                options=replace(options, gate=False),
                progress=progress,
                plans_ready=plans_ready,
            )
    if options.dry_run or lake_root is None or not release.lake_models:
        return outcome
    try:
        outcome.exported = export_to_lake(reader, release.lake_models, lake_root, gate=False)
    except WarehouseError as exc:
        outcome.export_error = str(exc)
    return outcome


def held_back(
    spec: PublishSpec,
    build: BuildArtifacts,
    *,
    unpublishable: frozenset[str] = frozenset(),
    holds: Mapping[str, str] | None = None,
    unchanged: frozenset[str] = frozenset(),
) -> tuple[dict[str, str], set[str]]:
    """Spec entries a run keeps on what consumers have now, with the reason; and those held back by a failure.

    The release rule decides, as for `flick-ops publish` and `share`. A model the build did not reach
    (outside the selection) or whose tests did not all run (they read models outside it) is held back without
    counting as a failure; a model in `unpublishable` (the run's diagnosis: it or a test reading it failed),
    one the rule refuses for any other reason, or one an anomaly holds (model -> why) is a failure. A spec
    group goes out whole: when one member failed the others are held back too (the app reads them together).
    Models in `unchanged` (a landed run did not rebuild them) are left out.
    """
    reasons: dict[str, str] = {}
    failed: set[str] = set()
    project = build.manifest.get("metadata", {}).get("project_name", "")
    for entry in (entry for entry in spec.entries if entry.model not in unchanged):
        unique_id = f"model.{project}.{entry.model}"
        refused = [reason.split(": ", 1)[1] for reason in refusals(build, [(entry.name, entry.model)])]
        not_run = tests_not_run(build, unique_id)
        if build.status(unique_id) is None:
            reasons[entry.name] = f"{entry.model} was not built in this run (outside the selection)"
        elif unique_id in unpublishable or len(refused) > len(not_run):
            reasons[entry.name] = f"{entry.model} did not pass: {refused[0] if refused else 'a test failed'}"
            failed.add(entry.name)
        elif not_run:
            reasons[entry.name] = (
                f"{len(not_run)} test(s) of {entry.model} did not run (they read models outside the selection), "
                f"e.g. {not_run[0]}"
            )
        elif entry.model in (holds or {}):
            reasons[entry.name] = (holds or {})[entry.model]
            failed.add(entry.name)
    for group, members in spec.groups.items():
        failing = [member for member in members if member in failed]
        for member in members:
            if failing and member not in reasons:
                reasons[member] = f"group {group} goes out whole and {', '.join(failing)} failed"
                failed.add(member)
    return reasons, failed


def lake_only_fit(spec: PublishSpec, build: BuildArtifacts, unchanged: frozenset[str] = frozenset()) -> dict:
    """The spec's lake-only models (those `unchanged` left out), each with why it may not leave, or None."""
    return {
        model: next((reason.split(": ", 1)[1] for reason in refusals(build, [(f"lake_export.{model}", model)])), None)
        for model in spec.lake_only
        if model not in unchanged
    }


@dataclass(frozen=True)
class ShareRequest:
    """A Data Share update: the shares spec, the publish spec whose lake export it shares, and how to apply."""

    spec_path: Path
    publish_spec_path: Path
    ledger_path: Path
    today: dt.date
    prune: bool = False


def checked_shares(request: ShareRequest, build_of: Callable[[], BuildArtifacts]) -> SharesSpec:
    """The shares spec once it is well formed, matches the lake export and passes the sharing policy against
    the build being released (read by `build_of` once the specs are known to be well formed).

    Raises ShareSpecError or SpecError for a malformed spec, ArtifactsError when there is no build, and
    PolicyViolation for what may not be shared.
    """
    from flick_ops.publish.spec import load_spec as load_publish_spec
    from flick_ops.share.policy import enforce_policy
    from flick_ops.share.spec import load_spec

    spec = load_spec(request.spec_path)
    lake_models = load_publish_spec(request.publish_spec_path).lake_models
    enforce_policy(spec, build_of(), request.today, lake_models)
    return spec


def share_plan(request: ShareRequest, spec: SharesSpec, client, subscription_id: str | None) -> Plan:
    """The calls that make Data Share match the spec (against what the account holds, with a client).

    Raises SubscriptionMismatch when the spec's account is not in the signed-in subscription, PlanError when
    the spec cannot be planned, AzureError when reading the account fails.
    """
    from flick_ops.share.apply import ensure_subscription, read_states
    from flick_ops.share.plan import build_plan

    if subscription_id is not None:
        ensure_subscription(spec, subscription_id)
    return build_plan(spec, read_states(client, spec) if client else None, prune=request.prune)


def apply_shares(request: ShareRequest, client, plan: Plan, on_call: Callable | None = None) -> list:
    """Make the calls of the plan, recording every invitation sent or withdrawn in the ledger."""
    from flick_ops.share.apply import apply_plan
    from flick_ops.share.ledger import Ledger

    return apply_plan(client, plan, Ledger(request.ledger_path), on_call=on_call)


def _is_loopback(endpoint: str) -> bool:
    host = urlsplit(endpoint).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
