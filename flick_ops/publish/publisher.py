"""Plan and run a publish: gate, shape and check every document, then send only the differences.

The plan for a container compares the documents Gold makes now with the
publish state: new, changed and in-flight documents are upserted, documents
no longer made are deleted, the rest are not sent. Every entry is planned
before anything is sent, so a spec or data problem in one entry of a publish
group stops the whole group. Upserts go before deletes so a document that
moved partition is never missing in between.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from flick_ops.publish.documents import Document, DocumentKey, Documents, InvalidDocument, build_documents
from flick_ops.publish.gate import check_gate
from flick_ops.publish.reader import GoldReader
from flick_ops.publish.report import ContainerStats, FailedDocument, PublishReport
from flick_ops.publish.sinks import ContainerTarget, Outcome, Sink
from flick_ops.publish.spec import PublishedModel, PublishSpec
from flick_ops.publish.state import ManifestRow, PublishState

Progress = Callable[[int], None]
Item = TypeVar("Item")


@dataclass(frozen=True)
class PublishOptions:
    dry_run: bool = False
    """Plan and report what would be sent; send and record nothing."""
    force_full: bool = False
    """Rewrite every document, changed or not (after a sink was edited by hand, say)."""
    batch_size: int = 500
    """Documents recorded in flight, sent, and settled together."""
    ttl_refresh_fraction: float = 0.5
    """Unchanged documents with a TTL are rewritten once this share of the TTL has passed, so they never expire while still in Gold."""
    gate: bool = True
    """Refuse unless every published model may leave the warehouse (flick_ops.dbt.release_rule)."""


@dataclass(frozen=True)
class ContainerPlan:
    entry: PublishedModel
    upserts: tuple[Document, ...]
    deletes: tuple[DocumentKey, ...]
    unchanged: int
    resumed: int
    documents: int
    invalid: tuple[InvalidDocument, ...]

    @property
    def target(self) -> ContainerTarget:
        return ContainerTarget.of(self.entry)

    @property
    def operations(self) -> int:
        return len(self.upserts) + len(self.deletes)


def publish(
    spec: PublishSpec,
    *,
    warehouse: GoldReader,
    sink: Sink,
    state: PublishState,
    models: Sequence[str] | None = None,
    options: PublishOptions = PublishOptions(),
    progress: Progress | None = None,
    plans_ready: Callable[[Sequence[ContainerPlan]], None] | None = None,
) -> PublishReport:
    """Publish the chosen entries (entry or group names; all for None) from the warehouse to the sink.

    Raises GateRefused before touching the sink when the build did not pass and
    SpecError when the spec names columns the models lack. `plans_ready` is
    called with the plans before anything is sent (the CLI sizes its progress
    bar with it).
    """
    started = time.monotonic()
    entries = spec.select(models)
    if options.gate:
        check_gate(warehouse, [(f"publish.{entry.name}", entry.model) for entry in entries])
    now = time.time()
    plans = [
        plan_container(
            entry,
            build_documents(entry, warehouse.read(entry.model)),
            state.manifest(entry.database, entry.container),
            force_full=options.force_full,
            now=now,
            ttl_refresh_fraction=options.ttl_refresh_fraction,
        )
        for entry in entries
    ]
    if plans_ready:
        plans_ready(plans)
    report = PublishReport(run_id=None, sink=sink.identity, dry_run=options.dry_run)
    if options.dry_run:
        report.containers = [_planned_stats(plan) for plan in plans]
        report.invalid_documents = [problem for plan in plans for problem in plan.invalid]
        report.seconds = time.monotonic() - started
        return report

    report.run_id = state.begin_run([entry.name for entry in entries])
    try:
        for plan in plans:
            report.containers.append(_execute(plan, sink, state, report, options.batch_size, progress or _ignore))
            report.invalid_documents.extend(plan.invalid)
    finally:
        report.seconds = time.monotonic() - started
        state.finish_run(report.run_id, succeeded=report.ok, summary=report.as_dict()["totals"])
    state.close_interrupted_runs()
    return report


def plan_container(
    entry: PublishedModel,
    documents: Documents,
    manifest: Mapping[DocumentKey, ManifestRow],
    *,
    force_full: bool = False,
    now: float,
    ttl_refresh_fraction: float = 0.5,
) -> ContainerPlan:
    """What to send for one container: a pure function of the documents and the publish state."""
    refresh_before = now - entry.ttl_seconds * ttl_refresh_fraction if entry.ttl_seconds else None

    def needs_write(document: Document) -> bool:
        row = manifest.get(document.key)
        return (
            force_full
            or row is None
            or row.in_flight
            or row.content_hash != document.content_hash
            or (refresh_before is not None and (row.written_at or 0) < refresh_before)
        )

    upserts = tuple(document for document in documents.valid if needs_write(document))
    wanted = {document.key for document in documents.valid} | documents.held_keys
    deletes = tuple(sorted(key for key in manifest if key not in wanted))
    return ContainerPlan(
        entry=entry,
        upserts=upserts,
        deletes=deletes,
        unchanged=len(documents.valid) - len(upserts),
        resumed=sum(1 for row in manifest.values() if row.in_flight),
        documents=len(documents.valid),
        invalid=documents.invalid,
    )


def _execute(
    plan: ContainerPlan, sink: Sink, state: PublishState, report: PublishReport, batch_size: int, progress: Progress
) -> ContainerStats:
    target, run_id = plan.target, report.run_id
    assert run_id is not None
    stats = _planned_stats(plan, sent=False)
    started = time.monotonic()
    sink.prepare(target)
    for batch in _batches(plan.upserts, batch_size):
        state.mark_writing(run_id, target.database, target.container, batch)
        outcomes = sink.upsert(target, batch)
        settled = [document for document, outcome in zip(batch, outcomes, strict=True) if outcome.ok]
        state.settle_written(run_id, target.database, target.container, settled)
        _count(stats, report, plan.entry, outcomes, deleting=False)
        progress(len(batch))
    for batch in _batches(plan.deletes, batch_size):
        state.mark_deleting(run_id, target.database, target.container, batch)
        outcomes = sink.delete(target, batch)
        state.settle_deleted(target.database, target.container, [outcome.key for outcome in outcomes if outcome.ok])
        _count(stats, report, plan.entry, outcomes, deleting=True)
        progress(len(batch))
    stats.seconds = time.monotonic() - started
    return stats


def _count(
    stats: ContainerStats, report: PublishReport, entry: PublishedModel, outcomes: list[Outcome], *, deleting: bool
) -> None:
    for failure in stats.add(outcomes, deleting=deleting):
        report.failed_documents.append(FailedDocument(entry.name, failure.key.id, failure.error or "unknown error"))


def _planned_stats(plan: ContainerPlan, *, sent: bool = True) -> ContainerStats:
    """Counts as planned; with sent=False, writes and deletes are left for the sink's answers to count."""
    return ContainerStats(
        entry=plan.entry.name,
        container=str(plan.target),
        documents=plan.documents,
        written=len(plan.upserts) if sent else 0,
        deleted=len(plan.deletes) if sent else 0,
        skipped=plan.unchanged,
        invalid=len(plan.invalid),
        resumed=plan.resumed,
    )


def _batches(items: Sequence[Item], size: int) -> Iterator[Sequence[Item]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ignore(_done: int) -> None:
    """No progress display."""
