"""Where documents go: Azure Cosmos DB, or an embedded DuckDB file that stands in for it locally.

Both sinks take the same calls from the publisher (prepare a container, upsert
documents, delete keys, read everything back) and answer per document, so one
failed document never hides the fate of the others. The Cosmos client is made
in one place, `CosmosSink.from_settings`, so tests hand in a local endpoint.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self
from urllib.parse import urlsplit

import duckdb
import pyarrow as pa

from flick_ops.errors import network_reason
from flick_ops.publish.documents import Document, DocumentKey
from flick_ops.publish.spec import PublishedModel

RETRYABLE_STATUS_CODES = frozenset({408, 429, 449, 500, 502, 503, 504})


class SinkError(RuntimeError):
    """A sink cannot be used at all (container missing and not to be created, bad credentials, ...)."""


@dataclass(frozen=True)
class ContainerTarget:
    database: str
    container: str
    partition_key_paths: tuple[str, ...]
    ttl_seconds: int | None

    @classmethod
    def of(cls, entry: PublishedModel) -> ContainerTarget:
        return cls(entry.database, entry.container, entry.partition_key_paths, entry.ttl_seconds)

    def __str__(self) -> str:
        return f"{self.database}/{self.container}"


@dataclass(frozen=True)
class Outcome:
    """What happened to one document: acknowledged or not, at what cost, after how many tries."""

    key: DocumentKey
    ok: bool
    request_charge: float = 0.0
    attempts: int = 1
    throttled: int = 0
    error: str | None = None


class Sink(Protocol):
    identity: str
    """Names this sink target's publish state file: stable for the same target, distinct across targets."""

    def prepare(self, target: ContainerTarget) -> None:
        """Make sure the container exists (creating it if the sink allows), or raise SinkError."""

    def upsert(self, target: ContainerTarget, documents: Sequence[Document]) -> list[Outcome]: ...

    def delete(self, target: ContainerTarget, keys: Sequence[DocumentKey]) -> list[Outcome]:
        """Delete documents; a document already gone counts as deleted."""

    def read_all(self, target: ContainerTarget) -> list[dict[str, Any]]:
        """Every document in the container, system fields included: for checks and tests, not for the app."""

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc_info: object) -> None: ...


class _ClosingContext:
    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        raise NotImplementedError


class LocalSink(_ClosingContext):
    """An embedded stand-in for Cosmos: one DuckDB table per container (schema = database), one row per document."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.identity = (
            "local-" + _slug(self.path.stem) + "-" + hashlib.sha256(str(self.path.resolve()).encode()).hexdigest()[:8]
        )
        self._connection = duckdb.connect(str(self.path))

    def prepare(self, target: ContainerTarget) -> None:
        schema, table = _quoted(target.database), _quoted(target.container)
        self._connection.execute(f"create schema if not exists {schema}")
        self._connection.execute(
            f"create table if not exists {schema}.{table} ("
            " id varchar not null, partition_key varchar not null, document json not null,"
            " primary key (id, partition_key))"
        )

    def upsert(self, target: ContainerTarget, documents: Sequence[Document]) -> list[Outcome]:
        batch = pa.table(
            {
                "id": [d.key.id for d in documents],
                "partition_key": [d.key.partition_key_json for d in documents],
                "document": [json.dumps(d.body, ensure_ascii=False) for d in documents],
            }
        )
        self._connection.register("upsert_batch", batch)
        try:
            self._connection.execute(
                f"insert or replace into {_quoted(target.database)}.{_quoted(target.container)}"
                " select id, partition_key, document from upsert_batch"
            )
        finally:
            self._connection.unregister("upsert_batch")
        return [Outcome(d.key, ok=True) for d in documents]

    def delete(self, target: ContainerTarget, keys: Sequence[DocumentKey]) -> list[Outcome]:
        batch = pa.table({"id": [k.id for k in keys], "partition_key": [k.partition_key_json for k in keys]})
        self._connection.register("delete_batch", batch)
        try:
            self._connection.execute(
                f"delete from {_quoted(target.database)}.{_quoted(target.container)} as t"
                " using delete_batch as d where t.id = d.id and t.partition_key = d.partition_key"
            )
        finally:
            self._connection.unregister("delete_batch")
        return [Outcome(key, ok=True) for key in keys]

    def read_all(self, target: ContainerTarget) -> list[dict[str, Any]]:
        rows = self._connection.execute(
            f"select document from {_quoted(target.database)}.{_quoted(target.container)} order by id, partition_key"
        ).fetchall()
        return [json.loads(document) for (document,) in rows]

    def close(self) -> None:
        self._connection.close()


@dataclass(frozen=True)
class RetryPolicy:
    """How CosmosSink retries: 429s wait what the service asks; 408/449/5xx and dropped connections back off."""

    max_attempts: int = 12
    base_delay_seconds: float = 0.05
    max_delay_seconds: float = 5.0
    max_throttle_wait_seconds: float = 60.0

    def delay(self, attempt: int, retry_after_ms: float | None, rng: random.Random) -> float:
        if retry_after_ms is not None:
            return min(retry_after_ms / 1000.0, self.max_throttle_wait_seconds)
        # Full jitter: concurrent writers that failed together do not retry together.
        return rng.uniform(0, min(self.max_delay_seconds, self.base_delay_seconds * 2 ** (attempt - 1)))


class RequestUnitBudget:
    """A token bucket in request units per second, shared by all writers; a request's real charge is debited after it."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = per_second
        self._tokens = per_second
        self._clock = clock
        self._updated = clock()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            self._refill()
            if self._tokens <= 0:
                time.sleep(-self._tokens / self._rate)
                self._refill()

    def spend(self, request_charge: float) -> None:
        with self._lock:
            self._tokens -= request_charge

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self._rate, self._tokens + (now - self._updated) * self._rate)
        self._updated = now


@dataclass
class _Attempts:
    """Bookkeeping for one document's tries."""

    count: int = 0
    throttled: int = 0
    request_charge: float = 0.0
    last_error: str | None = None

    def hook(self, headers: Any, _result: Any) -> None:
        """The SDK's response hook: called with the headers of each successful response."""
        self.request_charge += _charge(headers)


class CosmosSink(_ClosingContext):
    """Azure Cosmos DB (NoSQL API) through the official azure-cosmos SDK, written by a bounded pool of threads.

    The SDK's own throttle and connection retries are switched off so this sink
    owns the policy: it honours 429 retry-after, retries 408/449/5xx and
    dropped connections with jittered exponential backoff, and counts every
    request unit the service reports.
    """

    def __init__(
        self,
        client: Any,
        *,
        identity: str,
        max_concurrency: int = 16,
        max_ru_per_second: float | None = None,
        create_containers: bool = False,
        retry: RetryPolicy = RetryPolicy(),
        seed: int | None = None,
    ) -> None:
        self.client = client
        self.identity = identity
        self.create_containers = create_containers
        self.retry = retry
        self._budget = RequestUnitBudget(max_ru_per_second) if max_ru_per_second else None
        self._pool = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="cosmos-writer")
        self._rng = random.Random(seed)
        self._containers: dict[ContainerTarget, Any] = {}

    @classmethod
    def from_settings(
        cls,
        endpoint: str,
        *,
        key: str | None = None,
        credential: Any = None,
        connection_verify: bool = True,
        max_concurrency: int = 16,
        max_ru_per_second: float | None = None,
        create_containers: bool = False,
        retry: RetryPolicy = RetryPolicy(),
        read_timeout_seconds: float = 30.0,
    ) -> CosmosSink:
        """Connect with a key, a given credential, or else DefaultAzureCredential (managed identity, az login, ...)."""
        import requests
        from azure.core.pipeline.transport import RequestsTransport
        from azure.cosmos import CosmosClient, exceptions
        from azure.cosmos.documents import ConnectionPolicy, RetryOptions

        if key is None and credential is None:
            from azure.identity import DefaultAzureCredential

            credential = DefaultAzureCredential()
        policy = ConnectionPolicy()
        policy.RetryOptions = RetryOptions(max_retry_attempt_count=0)
        # One pooled connection per writer thread: requests' default pool of 10 would make extra writers reconnect.
        session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=max_concurrency)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError, ServiceResponseError

        try:  # the client reads the account on creation: an unreachable endpoint or a bad key shows here
            client = CosmosClient(
                endpoint,
                credential=key or credential,
                connection_verify=connection_verify,
                connection_policy=policy,
                retry_total=0,
                read_timeout=read_timeout_seconds,
                transport=RequestsTransport(session=session, session_owner=True),
            )
        except (ServiceRequestError, ServiceResponseError) as exc:
            raise SinkError(
                f"could not reach Cosmos DB at {endpoint} ({network_reason(exc)})\n"
                "check the endpoint URL, the network and any firewall, then publish again"
            ) from exc
        except (ClientAuthenticationError, exceptions.CosmosHttpResponseError) as exc:
            raise SinkError(
                f"Cosmos DB at {endpoint} refused the sign-in or the request ({network_reason(exc)})\n"
                "check FLICK_COSMOS_KEY or the identity's role on the account"
            ) from exc
        parts = urlsplit(endpoint)
        return cls(
            client,
            identity="cosmos-" + _slug(f"{parts.hostname}-{parts.port or 443}"),
            max_concurrency=max_concurrency,
            max_ru_per_second=max_ru_per_second,
            create_containers=create_containers,
            retry=retry,
        )

    def prepare(self, target: ContainerTarget) -> None:
        from azure.cosmos import PartitionKey, exceptions

        database = self.client.get_database_client(target.database)
        container = database.get_container_client(target.container)

        def exists() -> bool:
            try:
                container.read()
            except exceptions.CosmosResourceNotFoundError:
                return False
            return True

        # Control-plane calls are throttled and dropped like any other: the same retry policy applies.
        if not self._control(f"reading container {target}", exists):
            if not self.create_containers:
                raise SinkError(f"Cosmos container {target} does not exist; create it, or pass --create-containers")
            container = self._create(target, PartitionKey)
        self._containers[target] = container

    def _create(self, target: ContainerTarget, partition_key_type: Any) -> Any:
        paths = list(target.partition_key_paths)
        partition_key = (
            partition_key_type(path=paths[0]) if len(paths) == 1 else partition_key_type(path=paths, kind="MultiHash")
        )
        database = self._control(
            f"creating database {target.database}", lambda: self.client.create_database_if_not_exists(target.database)
        )
        # A default TTL of -1 turns TTL on without expiring anything: each document carries its own `ttl`.
        return self._control(
            f"creating container {target}",
            lambda: database.create_container_if_not_exists(
                target.container, partition_key=partition_key, default_ttl=-1 if target.ttl_seconds else None
            ),
        )

    def upsert(self, target: ContainerTarget, documents: Sequence[Document]) -> list[Outcome]:
        container = self._container(target)
        return list(
            self._pool.map(
                lambda d: self._with_retries(
                    d.key, lambda hook: container.upsert_item(d.body, response_hook=hook, no_response=True)
                ),
                documents,
            )
        )

    def delete(self, target: ContainerTarget, keys: Sequence[DocumentKey]) -> list[Outcome]:
        container = self._container(target)
        return list(
            self._pool.map(
                lambda k: self._with_retries(
                    k,
                    lambda hook: container.delete_item(k.id, partition_key=k.sdk_partition_key, response_hook=hook),
                    gone_is_done=True,
                ),
                keys,
            )
        )

    def read_all(self, target: ContainerTarget) -> list[dict[str, Any]]:
        container = self._container(target)
        return self._control(
            f"reading {target}",
            lambda: list(container.query_items("SELECT * FROM c", enable_cross_partition_query=True)),
        )

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.client.close()

    def _container(self, target: ContainerTarget) -> Any:
        if target not in self._containers:
            self.prepare(target)
        return self._containers[target]

    def _with_retries(
        self, key: DocumentKey, send: Callable[[Callable], Any], *, gone_is_done: bool = False
    ) -> Outcome:
        ok, attempts = self._attempt(send, gone_is_done=gone_is_done)
        return self._outcome(key, attempts, ok=ok)

    def _control(self, action: str, call: Callable[[], Any]) -> Any:
        """Run a control-plane call (read or create a container, list documents) under the retry policy."""
        results: list[Any] = []
        ok, attempts = self._attempt(lambda _hook: results.append(call()))
        if not ok:
            raise SinkError(f"{action} failed after {attempts.count} attempt(s): {attempts.last_error}")
        return results[-1]

    def _attempt(self, send: Callable[[Callable], Any], *, gone_is_done: bool = False) -> tuple[bool, _Attempts]:
        """Send until it succeeds, fails for good, or the policy gives up: 429 waits its retry-after,
        408/449/5xx and dropped connections back off with jitter."""
        from azure.core.exceptions import ServiceRequestError, ServiceResponseError
        from azure.cosmos import exceptions

        attempts = _Attempts()
        while True:
            attempts.count += 1
            if self._budget:
                self._budget.acquire()
            charge_before = attempts.request_charge
            retry_after_ms: float | None = None
            try:
                send(attempts.hook)
                return True, attempts
            except exceptions.CosmosHttpResponseError as exc:
                status = exc.status_code or 0
                attempts.request_charge += _charge(exc.headers)
                if gone_is_done and status == 404:
                    return True, attempts
                attempts.last_error = f"HTTP {status}: {_first_line(exc.message)}"
                if status not in RETRYABLE_STATUS_CODES:
                    return False, attempts
                if status == 429:
                    attempts.throttled += 1
                    retry_after_ms = _retry_after_ms(exc.headers)
            except (ServiceRequestError, ServiceResponseError, ConnectionError, TimeoutError) as exc:
                attempts.last_error = f"{type(exc).__name__}: {_first_line(str(exc))}"
            finally:
                if self._budget:
                    self._budget.spend(attempts.request_charge - charge_before)
            if attempts.count >= self.retry.max_attempts:
                return False, attempts
            time.sleep(self.retry.delay(attempts.count, retry_after_ms, self._rng))

    @staticmethod
    def _outcome(key: DocumentKey, attempts: _Attempts, *, ok: bool) -> Outcome:
        return Outcome(
            key,
            ok=ok,
            request_charge=attempts.request_charge,
            attempts=attempts.count,
            throttled=attempts.throttled,
            error=None if ok else attempts.last_error,
        )


def _charge(headers: Any) -> float:
    try:
        return float((headers or {}).get("x-ms-request-charge", 0) or 0)
    except ValueError:
        return 0.0


def _retry_after_ms(headers: Any) -> float | None:
    value = (headers or {}).get("x-ms-retry-after-ms") or None
    if value is None and (headers or {}).get("Retry-After"):
        return float(headers["Retry-After"]) * 1000.0
    return float(value) if value is not None else None


def _first_line(message: str | None) -> str:
    return (message or "").strip().splitlines()[0][:200] if (message or "").strip() else "no message"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
