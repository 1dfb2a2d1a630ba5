"""The publish manifest: what each sink holds, as far as the publisher knows, so re-runs send only changes.

One SQLite file per sink target. A document's row is written *before* it is
sent, marked in flight (`writing` with no hash, or `deleting`), and settled
only after the sink acknowledged it. A publisher killed between the two leaves
the row in flight, and the next run treats its state in the sink as unknown:
it re-upserts it if it is still wanted and deletes it if not. Both are
idempotent, so a resumed run converges with no duplicates, and the manifest
never claims a document the sink may not hold.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from flick_ops.publish.documents import Document, DocumentKey

Status = Literal["published", "writing", "deleting"]

_SCHEMA = """
create table if not exists documents (
    database_name text not null,
    container_name text not null,
    id text not null,
    partition_key text not null,
    content_hash text,
    status text not null check (status in ('published', 'writing', 'deleting')),
    run_id text not null,
    written_at real,
    primary key (database_name, container_name, id, partition_key)
);
create table if not exists runs (
    run_id text primary key,
    started_at real not null,
    finished_at real,
    status text not null check (status in ('running', 'succeeded', 'failed')),
    entries text not null,
    summary text
);
"""


@dataclass(frozen=True)
class ManifestRow:
    content_hash: str | None
    status: Status
    written_at: float | None

    @property
    def in_flight(self) -> bool:
        return self.status != "published"


@dataclass
class PublishState:
    """The manifest of one sink target, in `<state_dir>/<sink identity>.sqlite`."""

    path: Path
    connection: sqlite3.Connection

    @classmethod
    @contextmanager
    def open(cls, state_dir: Path, sink_identity: str) -> Iterator[PublishState]:
        path = Path(state_dir) / f"{sink_identity}.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are explicit, so each settle is one atomic commit.
        connection = sqlite3.connect(path, isolation_level=None)
        try:
            connection.execute("pragma journal_mode = wal")
            connection.executescript(_SCHEMA)
            yield cls(path, connection)
        finally:
            connection.close()

    def begin_run(self, entries: Sequence[str]) -> str:
        run_id = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:8]
        self.connection.execute(
            "insert into runs (run_id, started_at, status, entries) values (?, ?, 'running', ?)",
            (run_id, time.time(), json.dumps(list(entries))),
        )
        return run_id

    def finish_run(self, run_id: str, *, succeeded: bool, summary: dict) -> None:
        self.connection.execute(
            "update runs set finished_at = ?, status = ?, summary = ? where run_id = ?",
            (time.time(), "succeeded" if succeeded else "failed", json.dumps(summary), run_id),
        )

    def interrupted_runs(self) -> list[str]:
        """Runs that never finished: their in-flight documents are resumed by the next run."""
        rows = self.connection.execute("select run_id from runs where status = 'running' order by started_at")
        return [run_id for (run_id,) in rows]

    def close_interrupted_runs(self) -> None:
        self.connection.execute(
            "update runs set status = 'failed', summary = '{\"interrupted\": true}' where status = 'running'"
        )

    def manifest(self, database: str, container: str) -> dict[DocumentKey, ManifestRow]:
        rows = self.connection.execute(
            "select id, partition_key, content_hash, status, written_at from documents"
            " where database_name = ? and container_name = ?",
            (database, container),
        )
        return {
            DocumentKey(id_, tuple(json.loads(partition_key))): ManifestRow(content_hash, status, written_at)
            for id_, partition_key, content_hash, status, written_at in rows
        }

    def mark_writing(self, run_id: str, database: str, container: str, documents: Sequence[Document]) -> None:
        """Before sending: the sink may hold any version of these documents until they are settled."""
        with self._transaction():
            self.connection.executemany(
                "insert into documents (database_name, container_name, id, partition_key, content_hash, status, run_id)"
                " values (?, ?, ?, ?, null, 'writing', ?)"
                " on conflict do update set content_hash = null, status = 'writing', run_id = excluded.run_id",
                [(database, container, d.key.id, d.key.partition_key_json, run_id) for d in documents],
            )

    def mark_deleting(self, run_id: str, database: str, container: str, keys: Sequence[DocumentKey]) -> None:
        with self._transaction():
            self.connection.executemany(
                "update documents set status = 'deleting', run_id = ?"
                " where database_name = ? and container_name = ? and id = ? and partition_key = ?",
                [(run_id, database, container, key.id, key.partition_key_json) for key in keys],
            )

    def settle_written(self, run_id: str, database: str, container: str, documents: Sequence[Document]) -> None:
        """After the sink acknowledged the writes."""
        now = time.time()
        with self._transaction():
            self.connection.executemany(
                "update documents set content_hash = ?, status = 'published', run_id = ?, written_at = ?"
                " where database_name = ? and container_name = ? and id = ? and partition_key = ?",
                [
                    (d.content_hash, run_id, now, database, container, d.key.id, d.key.partition_key_json)
                    for d in documents
                ],
            )

    def settle_deleted(self, database: str, container: str, keys: Sequence[DocumentKey]) -> None:
        with self._transaction():
            self.connection.executemany(
                "delete from documents where database_name = ? and container_name = ? and id = ? and partition_key = ?",
                [(database, container, key.id, key.partition_key_json) for key in keys],
            )

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.connection.execute("begin immediate")
        try:
            yield
        except BaseException:
            self.connection.execute("rollback")
            raise
        self.connection.execute("commit")
