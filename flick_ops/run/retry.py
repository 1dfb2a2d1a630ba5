"""Which dbt failures are worth retrying, and how long to wait before each retry.

A transient failure (a lost connection, a time-out, throttling, a deadlock, a
lock held by another process) may pass on the next attempt; a deterministic
one (a SQL error, a failed data test) fails the same way every time, so
retrying it only delays the alert. The classification is by the engines' own
messages, in one table, so adding an engine's known transient error is one line.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

# (engine, pattern, what it means). Patterns are matched case-insensitively against dbt's node message.
TRANSIENT_ERRORS: tuple[tuple[str, str, str], ...] = (
    ("duckdb", r"Could not set lock on file", "another process holds the database file's lock"),
    ("duckdb", r"IO Error", "the database or lake file could not be read or written"),
    ("synapse", r"\b08S01\b", "ODBC communication link failure"),
    ("synapse", r"Communication link failure", "the connection to the server dropped"),
    ("synapse", r"TCP Provider", "network error from the SQL Server driver"),
    ("synapse", r"\b40613\b", "database not currently available (failover or scaling)"),
    ("synapse", r"\b40501\b", "the service is busy (throttling)"),
    ("synapse", r"\b1205\b.*deadlock|deadlock.*\b1205\b", "chosen as a deadlock victim"),
    ("synapse", r"\b(10053|10054|10060)\b", "the connection was reset or timed out"),
    ("databricks", r"TEMPORARILY_UNAVAILABLE", "the SQL warehouse is starting or scaling"),
    ("databricks", r"\b503\b|Service Unavailable", "the service is unavailable"),
    ("databricks", r"\b429\b|Too Many Requests|RESOURCE_EXHAUSTED", "throttled"),
    ("databricks", r"Connection reset", "the connection was reset"),
    ("any", r"timed? ?out|timeout", "an operation timed out"),
    ("any", r"connection (refused|aborted|closed)|broken pipe", "the connection was lost"),
)
# Messages that look transient above but are not: a lake path with no files will not fill itself on retry.
NOT_TRANSIENT: tuple[str, ...] = (r"No files found that match the pattern",)
_NOT_TRANSIENT = tuple(re.compile(pattern, re.IGNORECASE) for pattern in NOT_TRANSIENT)
_COMPILED = tuple(
    (engine, re.compile(pattern, re.IGNORECASE), meaning) for engine, pattern, meaning in TRANSIENT_ERRORS
)


@dataclass(frozen=True)
class Classification:
    transient: bool
    reason: str

    @property
    def label(self) -> str:
        return "transient" if self.transient else "deterministic"


_DETERMINISTIC = Classification(False, "not a known transient error (SQL error, failed test, bad data, ...)")


def classify(message: str | None) -> Classification:
    """Transient if the message matches a known transient error of any engine; otherwise deterministic."""
    if not message or any(pattern.search(message) for pattern in _NOT_TRANSIENT):
        return _DETERMINISTIC
    for engine, pattern, meaning in _COMPILED:
        if pattern.search(message):
            return Classification(True, f"{engine}: {meaning}")
    return _DETERMINISTIC


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter: attempt n waits between half and all of min(cap, base * 2**(n-1)).

    Jitter spreads retries of pipelines that failed together (a regional outage)
    so they do not hit the recovering service at the same instant; keeping half
    the delay fixed means a retry never comes back immediately.
    """

    max_retries: int = 2
    base_seconds: float = 10.0
    cap_seconds: float = 300.0
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def delay(self, retry_number: int) -> float:
        """Seconds to wait before retry number `retry_number` (1 for the first retry)."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** (retry_number - 1))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)
