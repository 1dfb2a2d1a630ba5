"""A loopback HTTPS proxy that injects Cosmos DB faults between a client and the local Cosmos server.

    with FaultProxy(server.endpoint) as proxy:
        client = CosmosClient(proxy.endpoint, key, connection_verify=False)
        ...                                                  # no faults yet
        proxy.inject(FaultPlan(seed=7, throttle=0.1, unavailable=0.05, drop_after=0.05))
        ...
    proxy.counts()   # Counter({"forwarded": 812, "throttle": 61, "drop_after": 30, ...})

The proxy terminates TLS with a throw-away self-signed certificate and
forwards every request to the server over its own keep-alive TLS connection,
so its endpoint is an https:// URL like a real account's and clients use the
same settings as against the server (`connection_verify=False`). The SDK
sends requests to the regional endpoints the account read lists
(`writableLocations`), not to the endpoint it was given, so the proxy rewrites
those to itself; without that the SDK would go around it to the server.

Each request gets one outcome, drawn from a random generator seeded by the
plan's seed, the request's identity (method, path, partition key, document id
or body digest) and how many times that identity was seen before. So a seed
gives the same schedule whatever order concurrent requests arrive in, and a
request's retries draw fresh outcomes. After `max_consecutive_faults` faults in
a row on one identity the next attempt is let through, so every run ends.

Outcomes:
    throttle     429 with `x-ms-retry-after-ms` (nothing written)
    unavailable  503 (nothing written)
    timeout      408 (nothing written)
    retry_with   449 (nothing written)
    drop_before  the connection is closed after the request was read, before forwarding (nothing written)
    drop_after   forwarded, then the connection closed without an answer: the write happened but
                 the client saw an error, the case that catches non-idempotent retries
    slow         forwarded, answered after a delay
    forwarded    forwarded and answered at once
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import http.client
import ipaddress
import json
import random
import re
import socket
import ssl
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

LOOPBACK = "127.0.0.1"
# Faulted responses carry the same JSON error shape and headers as Cosmos DB's own.
INJECTED_STATUS = {
    "throttle": (429, "TooManyRequests", "Request rate is large. More Request Units may be needed."),
    "unavailable": (503, "ServiceUnavailable", "Service is currently unavailable."),
    "timeout": (408, "RequestTimeout", "The request timed out."),
    "retry_with": (449, "RetryWith", "Conflicting request; retry the request."),
}
FAULTS = (*INJECTED_STATUS, "drop_before", "drop_after")
# Document reads, writes, queries and batches: /dbs/<db>/colls/<container>/docs[/<id>].
DOCUMENT_PATH = re.compile(r"^/dbs/[^/]+/colls/[^/]+/docs(/|$|\?)")
# Headers that belong to one hop, not to the request or response.
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection", "te", "upgrade"}


@dataclass(frozen=True)
class FaultPlan:
    """How often each outcome happens: probabilities per request attempt, summing to at most 1."""

    seed: int
    throttle: float = 0.0
    unavailable: float = 0.0
    timeout: float = 0.0
    retry_with: float = 0.0
    drop_before: float = 0.0
    drop_after: float = 0.0
    slow: float = 0.0
    slow_seconds: tuple[float, float] = (0.05, 0.4)
    retry_after_ms: tuple[int, int] = (5, 60)
    max_consecutive_faults: int = 3
    # Faults hit document requests (reads, writes, queries, batches) only, unless this is off: then the
    # database, container and partition-range requests get them too. The account read (GET /) never does:
    # it is how every client starts, and real accounts answer it from the gateway.
    documents_only: bool = True

    def __post_init__(self) -> None:
        total = sum(self.weights().values())
        if not 0.0 <= total <= 1.0:
            raise ValueError(f"fault probabilities must sum to between 0 and 1, got {total}")

    def weights(self) -> dict[str, float]:
        return {kind: getattr(self, kind) for kind in (*FAULTS, "slow")}

    def draw(self, identity: str, attempt: int) -> tuple[str, random.Random]:
        """The outcome of one attempt, and the generator to draw its details (delays) from."""
        rng = random.Random(f"{self.seed}|{identity}|{attempt}")
        roll, threshold = rng.random(), 0.0
        for kind, weight in self.weights().items():
            threshold += weight
            if roll < threshold:
                return kind, rng
        return "forwarded", rng


@dataclass(frozen=True)
class ProxyEvent:
    """One request attempt: what the proxy did with it, and the server's status when it was forwarded."""

    outcome: str
    method: str
    path: str
    identity: str
    attempt: int
    upstream_status: int | None


@dataclass
class _Ledger:
    """What the proxy did, shared by its handler threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    attempts: Counter[str] = field(default_factory=Counter)
    consecutive_faults: Counter[str] = field(default_factory=Counter)
    events: list[ProxyEvent] = field(default_factory=list)
    writes_upstream: int = 0
    writes_changed: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.writes_changed = threading.Condition(self.lock)


class FaultProxy:
    """Start with `with FaultProxy(upstream, plan) as proxy:`; `proxy.endpoint` is what clients connect to.

    Without a plan it forwards everything untouched until `inject` gives it one.
    """

    def __init__(self, upstream_endpoint: str, plan: FaultPlan | None = None) -> None:
        upstream = urlsplit(upstream_endpoint)
        if upstream.scheme != "https" or upstream.hostname != LOOPBACK or upstream.port is None:
            raise ValueError(f"the proxy forwards to https://{LOOPBACK}:<port>/ only, got {upstream_endpoint}")
        self.plan = plan or FaultPlan(seed=0)
        self.upstream_port: int = upstream.port
        self._ledger = _Ledger()
        self._certificate_dir = tempfile.TemporaryDirectory(prefix="fault-proxy-")
        self._server = _ProxyServer((LOOPBACK, 0), _ProxyHandler, proxy=self)
        self._server.socket = _tls_context(Path(self._certificate_dir.name)).wrap_socket(
            self._server.socket, server_side=True
        )
        self.port: int = self._server.server_address[1]
        self.endpoint = f"https://{LOOPBACK}:{self.port}/"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.close_all_connections()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._certificate_dir.cleanup()

    def inject(self, plan: FaultPlan) -> None:
        """Switch to another schedule; the endpoint stays, so a client (and the publish state it names) stays too."""
        with self._ledger.lock:
            self.plan = plan

    @property
    def events(self) -> list[ProxyEvent]:
        with self._ledger.lock:
            return list(self._ledger.events)

    @property
    def writes_upstream(self) -> int:
        """Document writes the server has received through the proxy, answered or not."""
        with self._ledger.lock:
            return self._ledger.writes_upstream

    def counts(self) -> Counter[str]:
        """How many attempts ended in each outcome."""
        return Counter(event.outcome for event in self.events)

    def wait_for_writes(self, count: int, timeout: float) -> bool:
        """Block until the server has received `count` document writes through the proxy; False on timeout."""
        with self._ledger.writes_changed:
            return self._ledger.writes_changed.wait_for(lambda: self._ledger.writes_upstream >= count, timeout)

    def _decide(self, path: str, identity: str) -> _Decision:
        """Draw this attempt's outcome; let it through after too many faults in a row."""
        with self._ledger.lock:
            plan = self.plan
            attempt = self._ledger.attempts[identity]
            self._ledger.attempts[identity] += 1
            outcome, rng = plan.draw(identity, attempt)
            spared = path == "/" or (plan.documents_only and not DOCUMENT_PATH.match(path))
            if spared or (
                outcome in FAULTS and self._ledger.consecutive_faults[identity] >= plan.max_consecutive_faults
            ):
                outcome = "forwarded"
            self._ledger.consecutive_faults[identity] = (
                self._ledger.consecutive_faults[identity] + 1 if outcome in FAULTS else 0
            )
        return _Decision(outcome, attempt, rng, plan)

    def _record(self, event: ProxyEvent, wrote_upstream: bool) -> None:
        with self._ledger.writes_changed:
            self._ledger.events.append(event)
            if wrote_upstream:
                self._ledger.writes_upstream += 1
                self._ledger.writes_changed.notify_all()


@dataclass(frozen=True)
class _Decision:
    outcome: str
    attempt: int
    rng: random.Random
    plan: FaultPlan


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], proxy: FaultProxy) -> None:
        super().__init__(address, handler)
        self.proxy = proxy
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: socket.socket, client_address: tuple[str, int]) -> None:  # type: ignore[override]
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_all_connections(self) -> None:
        """Idle keep-alive connections would keep their threads blocked on a read after the proxy stops."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            # Already closed by the client: nothing to do.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ProxyServer
    _upstream: http.client.HTTPSConnection | None = None

    def do_GET(self) -> None:
        self._proxy()

    def do_POST(self) -> None:
        self._proxy()

    def do_PUT(self) -> None:
        self._proxy()

    def do_PATCH(self) -> None:
        self._proxy()

    def do_DELETE(self) -> None:
        self._proxy()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the ledger records what matters."""

    def finish(self) -> None:
        if self._upstream is not None:
            self._upstream.close()
        super().finish()

    def _proxy(self) -> None:
        proxy = self.server.proxy
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        identity = _identity(self.command, self.path, self.headers.get("x-ms-documentdb-partitionkey"), body)
        decision = proxy._decide(self.path, identity)
        event = ProxyEvent(decision.outcome, self.command, self.path, identity, decision.attempt, upstream_status=None)

        if decision.outcome in INJECTED_STATUS:
            self._answer_injected(decision)
            proxy._record(event, wrote_upstream=False)
            return
        if decision.outcome == "drop_before":
            proxy._record(event, wrote_upstream=False)
            self._drop()
            return

        status, headers, payload = self._forward(body)
        is_query = (self.headers.get("x-ms-documentdb-isquery") or "").lower() == "true"
        wrote = self.command != "GET" and DOCUMENT_PATH.match(self.path) and not is_query and 200 <= status < 300
        proxy._record(replace(event, upstream_status=status), wrote_upstream=bool(wrote))
        if decision.outcome == "drop_after":
            self._drop()
            return
        if decision.outcome == "slow":
            time.sleep(decision.rng.uniform(*decision.plan.slow_seconds))
        self._answer(status, headers, self._rewrite_locations(payload))

    def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        headers = {name: value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP}
        headers["content-length"] = str(len(body))
        for attempt in range(2):
            connection = self._upstream_connection()
            try:
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                return response.status, response.getheaders(), response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle pooled connection; one fresh connection is enough.
                connection.close()
                self._upstream = None
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def _upstream_connection(self) -> http.client.HTTPSConnection:
        if self._upstream is None:
            self._upstream = http.client.HTTPSConnection(
                LOOPBACK, self.server.proxy.upstream_port, timeout=60, context=ssl._create_unverified_context()
            )
        return self._upstream

    def _rewrite_locations(self, payload: bytes) -> bytes:
        """Point the account's regional endpoints at the proxy, so the SDK keeps talking through it."""
        if self.command != "GET" or self.path != "/":
            return payload
        proxy = self.server.proxy
        return payload.replace(f"https://{LOOPBACK}:{proxy.upstream_port}/".encode(), proxy.endpoint.encode())

    def _answer(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
        self.send_response_only(status)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _answer_injected(self, decision: _Decision) -> None:
        status, code, message = INJECTED_STATUS[decision.outcome]
        headers = [
            ("content-type", "application/json"),
            ("x-ms-activity-id", f"fault-proxy-{decision.rng.getrandbits(64):016x}"),
            ("x-ms-request-charge", "0"),
        ]
        if decision.outcome == "throttle":
            headers.append(("x-ms-retry-after-ms", str(decision.rng.randint(*decision.plan.retry_after_ms))))
        self._answer(status, headers, json.dumps({"code": code, "message": message}).encode())

    def _drop(self) -> None:
        # An RST rather than a FIN: the client sees a reset connection mid-request.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        self.close_connection = True


def _identity(method: str, path: str, partition_key: str | None, body: bytes) -> str:
    """What makes two attempts "the same request": its target, and the document id or the body's digest."""
    document_id = None
    if body[:1] == b"{":
        try:
            document_id = json.loads(body).get("id")
        except ValueError:
            document_id = None
    subject = document_id if isinstance(document_id, str) else hashlib.sha256(body).hexdigest()[:16]
    return f"{method} {path} pk={partition_key} {subject}"


def _tls_context(folder: Path) -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "flick fault proxy")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = folder / "proxy.crt", folder / "proxy.key"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate_path, key_path)
    return context
