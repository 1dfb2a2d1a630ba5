"""Early detection: are the sources fresh and landed, before any model builds?

dbt measures each source (`dbt source freshness`: the newest `loaded_at_field`
value, per the thresholds in models/bronze/*/_*__sources.yml); this module
judges those measurements against a reference time. The reference is the
moment dbt measured, unless an `as_of` time is given: replays, back-fills and
tests evaluate a lake "as of" the day it was current, with the same thresholds.
A source with no rows at all (dbt reports its newest load as year 1) or no
files is *empty*: it did not land, whatever its thresholds say.

On a local lake the intake has already counted every landed file's records,
so `measured_by_intake` gives the same measurements without querying any
source: a Bronze source's `loaded_at_field` is its ingest date, and the newest
ingest date of a file read with at least one record is the newest load.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

PASS, WARN, STALE, EMPTY, UNMEASURED = "pass", "warn", "stale", "empty", "unmeasured"
BLOCKING = frozenset({STALE, EMPTY, UNMEASURED})
_PERIODS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}
_NO_FILES = "No files found that match the pattern"


@dataclass(frozen=True)
class SourceCheck:
    """One source table's freshness verdict."""

    unique_id: str
    verdict: str  # pass, warn, stale, empty or unmeasured (the freshness query itself failed)
    newest_load: datetime | None
    age: timedelta | None
    warn_after: timedelta | None
    error_after: timedelta | None
    message: str = ""

    @property
    def name(self) -> str:
        return self.unique_id.removeprefix("source.").split(".", 1)[-1]

    def describe(self) -> str:
        if self.verdict == EMPTY:
            return f"{self.name}: empty, nothing has landed"
        if self.verdict == UNMEASURED:
            return f"{self.name}: freshness could not be measured: {self.message}"
        limit = self.error_after if self.verdict == STALE else self.warn_after
        return f"{self.name}: newest load {self.newest_load:%Y-%m-%d %H:%M} UTC, {_hours(self.age)} old (limit {_hours(limit)})"


@dataclass(frozen=True)
class FreshnessReport:
    as_of: datetime
    checks: tuple[SourceCheck, ...]

    @property
    def blocking(self) -> tuple[SourceCheck, ...]:
        """Sources that stop the run: past their error threshold, empty, or not measurable."""
        return tuple(check for check in self.checks if check.verdict in BLOCKING)

    @property
    def warnings(self) -> tuple[SourceCheck, ...]:
        return tuple(check for check in self.checks if check.verdict == WARN)

    @property
    def newest_loads(self) -> dict[str, datetime]:
        """Each measured source's newest load: the time of the data built from it."""
        return {check.unique_id: check.newest_load for check in self.checks if check.newest_load}


def judge(
    sources_json: dict, as_of: datetime | None = None, query_errors: Mapping[str, str] | None = None
) -> FreshnessReport:
    """Verdicts for every source in dbt's sources.json, measured against `as_of` (default: when dbt measured).

    `query_errors` holds sources whose freshness query failed (source id -> message): dbt leaves them out of
    sources.json, so the caller collects them from dbt's node events.
    """
    measured = [_judge_one(result, as_of) for result in sources_json.get("results", [])]
    failed = [
        _judge_one({"unique_id": uid, "status": "runtime error", "message": message}, as_of)
        for uid, message in (query_errors or {}).items()
        if uid not in {check.unique_id for check in measured}
    ]
    checks = (*measured, *failed)
    measured_at = [_parse_time(r["snapshotted_at"]) for r in sources_json.get("results", []) if r.get("snapshotted_at")]
    reference = as_of or (max(measured_at) if measured_at else datetime.now(UTC))
    return FreshnessReport(as_of=reference, checks=tuple(sorted(checks, key=lambda c: c.unique_id)))


_INGEST_DATE_FIELD = "cast(ingest_date as timestamp)"
_NO_ROWS = datetime(1, 1, 1, tzinfo=UTC)  # dbt's stand-in for max(loaded_at_field) of no rows


def measured_by_intake(files: Iterable, sources: Mapping[str, Mapping], measured_at: datetime) -> dict | None:
    """dbt's sources.json for the manifest's `sources`, measured from the intake's landed files; None when a
    source's `loaded_at_field` is not one the intake knows (then dbt must measure)."""
    newest: dict[str, datetime] = {}
    checked = [_as_utc(landed.checked_at) for landed in files if landed.checked_at]
    for landed in files:
        if landed.is_quarantined or not landed.records or landed.ingest_date is None:
            continue
        loaded = datetime.combine(landed.ingest_date, datetime.min.time(), UTC)
        key = f"{landed.source}.{landed.entity}"
        newest[key] = max(newest.get(key, loaded), loaded)
    results = []
    for unique_id, node in sources.items():
        name, field = f"{node['source_name']}.{node['name']}", " ".join(str(node.get("loaded_at_field")).split())
        if field.lower() == _INGEST_DATE_FIELD:
            loaded = newest.get(name)
        elif field == "checked_at" and node["source_name"] == "intake":
            loaded = max(checked, default=None)
        else:
            return None
        results.append(
            {
                "unique_id": unique_id,
                "max_loaded_at": (loaded or _NO_ROWS).isoformat(),
                "snapshotted_at": measured_at.isoformat(),
                "status": "pass",
                "criteria": node.get("freshness") or {},
            }
        )
    return {"metadata": {"measured_by": "intake manifest"}, "results": results}


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _judge_one(result: dict, as_of: datetime | None) -> SourceCheck:
    unique_id = result["unique_id"]
    criteria = result.get("criteria") or {}
    warn_after, error_after = _threshold(criteria.get("warn_after")), _threshold(criteria.get("error_after"))
    if result.get("status") == "runtime error":
        message = result.get("message") or "the freshness query failed"
        verdict = EMPTY if _NO_FILES in message else UNMEASURED
        return SourceCheck(unique_id, verdict, None, None, warn_after, error_after, message)
    newest_load = _parse_time(result["max_loaded_at"])
    if newest_load.year == 1:  # dbt's stand-in for "no rows": max(loaded_at_field) was null
        return SourceCheck(unique_id, EMPTY, None, None, warn_after, error_after)
    age = (as_of or _parse_time(result["snapshotted_at"])) - newest_load
    verdict = STALE if error_after and age > error_after else WARN if warn_after and age > warn_after else PASS
    return SourceCheck(unique_id, verdict, newest_load, age, warn_after, error_after)


def _threshold(rule: dict | None) -> timedelta | None:
    if not rule or rule.get("count") is None or rule.get("period") is None:
        return None
    return rule["count"] * _PERIODS[rule["period"]]


def _parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _hours(span: timedelta | None) -> str:
    return "?" if span is None else f"{span.total_seconds() / 3600:.0f} h"
