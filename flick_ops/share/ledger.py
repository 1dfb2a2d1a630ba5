"""Who was invited to what, and when: every invitation sent or withdrawn, kept in a DuckDB file.

Append-only on purpose: the ledger answers "who could have had this data, and
from when to when" for an audit, so rows are never updated or deleted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

_SCHEMA = """
create table if not exists invitation_ledger (
    recorded_at timestamp not null,
    status varchar not null,
    share varchar not null,
    account varchar not null,
    recipient varchar not null,
    datasets varchar[] not null,
    invitation_name varchar not null,
    invitation_id varchar,
    expires_on date,
    service_status varchar
)
"""
_COLUMNS = "recorded_at, status, share, account, recipient, datasets, invitation_name, invitation_id, expires_on, service_status"


@dataclass(frozen=True)
class LedgerEntry:
    recorded_at: dt.datetime  # UTC
    status: str  # sent | withdrawn
    share: str
    account: str
    recipient: str
    datasets: tuple[str, ...]
    invitation_name: str
    invitation_id: str | None
    expires_on: dt.date | None
    service_status: str | None


class Ledger:
    """The ledger file; each call opens and closes it, so it is never held locked between runs."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def record(self, entry: LedgerEntry) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(self.path)) as connection:
            connection.execute(_SCHEMA)
            connection.execute(
                f"insert into invitation_ledger ({_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    entry.recorded_at.astimezone(dt.UTC).replace(tzinfo=None),
                    entry.status,
                    entry.share,
                    entry.account,
                    entry.recipient,
                    list(entry.datasets),
                    entry.invitation_name,
                    entry.invitation_id,
                    entry.expires_on,
                    entry.service_status,
                ],
            )

    def entries(self, share: str | None = None) -> list[LedgerEntry]:
        if not self.path.exists():
            return []
        with duckdb.connect(str(self.path), read_only=True) as connection:
            rows = connection.execute(
                f"select {_COLUMNS} from invitation_ledger where ? is null or share = ? order by recorded_at, share",
                [share, share],
            ).fetchall()
        return [
            LedgerEntry(row[0].replace(tzinfo=dt.UTC), row[1], row[2], row[3], row[4], tuple(row[5]), *row[6:])
            for row in rows
        ]


def format_ledger(entries: list[LedgerEntry]) -> str:
    """The ledger as a plain-text table, oldest first."""
    if not entries:
        return "the ledger is empty: no invitation has been sent or withdrawn"
    header = ("recorded at (UTC)", "status", "share", "recipient", "datasets", "expires", "invitation id")
    rows = [
        (
            f"{e.recorded_at:%Y-%m-%d %H:%M:%S}",
            e.status,
            e.share,
            e.recipient,
            ", ".join(e.datasets) or "-",
            str(e.expires_on or "-"),
            e.invitation_id or "-",
        )
        for e in entries
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
