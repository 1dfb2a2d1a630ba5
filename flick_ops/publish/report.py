"""What a publish did, per container: documents written, deleted, skipped, failed and invalid, request units, speed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from flick_ops.publish.documents import InvalidDocument
from flick_ops.publish.sinks import Outcome

MAX_LISTED_PROBLEMS = 20


@dataclass
class ContainerStats:
    entry: str
    container: str
    documents: int = 0
    written: int = 0
    deleted: int = 0
    skipped: int = 0
    failed: int = 0
    invalid: int = 0
    resumed: int = 0
    throttled: int = 0
    retries: int = 0
    request_charge: float = 0.0
    seconds: float = 0.0

    @property
    def documents_per_second(self) -> float:
        sent = self.written + self.deleted
        return sent / self.seconds if self.seconds > 0 else 0.0

    def add(self, outcomes: Iterable[Outcome], *, deleting: bool) -> list[Outcome]:
        """Count a batch's outcomes; returns the failed ones."""
        failed = []
        for outcome in outcomes:
            self.request_charge += outcome.request_charge
            self.throttled += outcome.throttled
            self.retries += outcome.attempts - 1
            if not outcome.ok:
                self.failed += 1
                failed.append(outcome)
            elif deleting:
                self.deleted += 1
            else:
                self.written += 1
        return failed


@dataclass(frozen=True)
class FailedDocument:
    entry: str
    id: str
    error: str


@dataclass
class PublishReport:
    run_id: str | None
    sink: str
    dry_run: bool
    containers: list[ContainerStats] = field(default_factory=list)
    invalid_documents: list[InvalidDocument] = field(default_factory=list)
    failed_documents: list[FailedDocument] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def written(self) -> int:
        return sum(stats.written for stats in self.containers)

    @property
    def deleted(self) -> int:
        return sum(stats.deleted for stats in self.containers)

    @property
    def skipped(self) -> int:
        return sum(stats.skipped for stats in self.containers)

    @property
    def failed(self) -> int:
        return sum(stats.failed for stats in self.containers)

    @property
    def invalid(self) -> int:
        return sum(stats.invalid for stats in self.containers)

    @property
    def request_charge(self) -> float:
        return sum(stats.request_charge for stats in self.containers)

    @property
    def ok(self) -> bool:
        """Every valid document landed and no row was rejected."""
        return self.failed == 0 and self.invalid == 0

    def describe(self) -> str:
        verb = "would publish" if self.dry_run else "published"
        header = (
            "entry",
            "container",
            "docs",
            "written",
            "deleted",
            "skipped",
            "failed",
            "invalid",
            "RUs",
            "s",
            "docs/s",
        )
        rows = [
            (
                s.entry,
                s.container,
                f"{s.documents:,}",
                f"{s.written:,}",
                f"{s.deleted:,}",
                f"{s.skipped:,}",
                f"{s.failed:,}",
                f"{s.invalid:,}",
                f"{s.request_charge:,.0f}",
                f"{s.seconds:.2f}",
                f"{s.documents_per_second:,.0f}",
            )
            for s in self.containers
        ]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
        lines = [f"{verb} to {self.sink}" + (f" (run {self.run_id})" if self.run_id else "")]
        for row in [header, *rows]:
            lines.append(
                "  "
                + "  ".join(
                    cell.ljust(w) if i < 2 else cell.rjust(w)
                    for i, (cell, w) in enumerate(zip(row, widths, strict=True))
                )
            )
        resumed = sum(s.resumed for s in self.containers)
        if resumed:
            lines.append(f"resumed {resumed:,} documents left in flight by an interrupted run")
        throttled = sum(s.throttled for s in self.containers)
        if throttled:
            lines.append(
                f"throttled {throttled:,} times (429, waited as asked); {sum(s.retries for s in self.containers):,} retries"
            )
        lines += _listed(
            "invalid rows (not sent)", [f"{p.entry} {p.id or '<no id>'}: {p.reason}" for p in self.invalid_documents]
        )
        lines += _listed(
            "failed documents (will be retried next run)",
            [f"{f.entry} {f.id}: {f.error}" for f in self.failed_documents],
        )
        lines.append(
            f"total: {self.written:,} written, {self.deleted:,} deleted, {self.skipped:,} unchanged, "
            f"{self.failed:,} failed, {self.invalid:,} invalid, {self.request_charge:,.0f} RUs in {self.seconds:.2f} s"
        )
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {
            **{key: value for key, value in asdict(self).items() if key != "containers"},
            "containers": [{**asdict(s), "documents_per_second": s.documents_per_second} for s in self.containers],
            "totals": {
                "written": self.written,
                "deleted": self.deleted,
                "skipped": self.skipped,
                "failed": self.failed,
                "invalid": self.invalid,
                "request_charge": self.request_charge,
            },
        }


def _listed(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    shown = [f"  {item}" for item in items[:MAX_LISTED_PROBLEMS]]
    more = [f"  ... and {len(items) - MAX_LISTED_PROBLEMS:,} more"] if len(items) > MAX_LISTED_PROBLEMS else []
    return [f"{title}: {len(items):,}", *shown, *more]
