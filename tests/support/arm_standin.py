"""A local stand-in for Azure Resource Manager's Data Share API (2020-09-01).

It answers the real `azure-mgmt-datashare` client over HTTPS on 127.0.0.1, so
tests run the SDK exactly as production does: bearer-token policy, TLS, ARM
error format, paging through `nextLink` and long-running deletes polled through
`Azure-AsyncOperation`. Resources live in memory; every request is recorded.

What it enforces, as the service does: an `api-version` on every call, a bearer
token, a parent before its children (a data set needs its share), the
properties each resource kind requires, and which properties are read-only.
What it leaves out: storage and Synapse lookups behind data sets, e-mail
delivery (counted in `invitations_sent` instead) and consumers accepting.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
import ssl
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

API_VERSION = "2020-09-01"
PROVIDER = "Microsoft.DataShare"
LOCATION = "westeurope"

_ACCOUNT = r"/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/providers/Microsoft\.DataShare/accounts/(?P<account>[^/]+)"
_SHARE = _ACCOUNT + r"/shares/(?P<share>[^/]+)"
_CHILD_KINDS = {
    "dataSets": "dataSets",
    "synchronizationSettings": "synchronizationSettings",
    "invitations": "invitations",
}
ROUTES = [
    ("account", re.compile(_ACCOUNT + "$", re.IGNORECASE)),
    ("share", re.compile(_SHARE + "$", re.IGNORECASE)),
    ("child_list", re.compile(_SHARE + r"/(?P<kind>dataSets|synchronizationSettings|invitations)$", re.IGNORECASE)),
    ("child", re.compile(_SHARE + r"/(?P<kind>dataSets|synchronizationSettings|invitations)/(?P<name>[^/]+)$", re.I)),
    (
        "operation",
        re.compile(
            r"/subscriptions/[^/]+/providers/Microsoft\.DataShare/locations/[^/]+/operationResults/(?P<op>[^/]+)$"
        ),
    ),
]
DATA_SET_REQUIRED = {
    "AdlsGen2Folder": ("subscriptionId", "resourceGroup", "storageAccountName", "fileSystem", "folderPath"),
    "SynapseWorkspaceSqlPoolTable": ("synapseWorkspaceSqlPoolTableResourceId",),
}
READ_ONLY = {
    "shares": ("createdAt", "provisioningState", "userEmail", "userName"),
    "dataSets": ("dataSetId",),
    "synchronizationSettings": ("createdAt", "provisioningState", "userName"),
    "invitations": ("invitationId", "invitationStatus", "respondedAt", "sentAt", "userEmail", "userName"),
}
PROVIDER_USER = {"userEmail": "data-platform@flick.example", "userName": "Flick Data Platform"}


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    api_version: str | None
    body: dict | None
    authorization: str | None


class ArmError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class _Response:
    status: int
    body: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)


class ArmStandIn:
    """In-memory Data Share provider behind an HTTPS server; use as a context manager."""

    def __init__(self, folder: Path, page_size: int = 2) -> None:
        self.page_size = page_size
        self.requests: list[RecordedRequest] = []
        self.invitations_sent: list[dict] = []
        self._resources: dict[str, dict] = {}  # keyed by lower-cased resource id: ARM ids are case-insensitive
        self._lock = threading.Lock()
        self.ca_file, key_file = _self_signed_certificate(Path(folder))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_file, key_file)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> ArmStandIn:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- test helpers ------------------------------------------------------

    def add_account(self, subscription_id: str, resource_group: str, name: str) -> None:
        """An existing Data Share account: the platform's infrastructure creates it, not `flick-ops share`."""
        path = f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}/providers/{PROVIDER}/accounts/{name}"
        self._store(
            path,
            {
                "id": path,
                "name": name,
                "type": f"{PROVIDER}/accounts",
                "location": LOCATION,
                "identity": {"type": "SystemAssigned", "principalId": str(uuid.uuid4()), "tenantId": str(uuid.uuid4())},
                "properties": {"createdAt": _now(), "provisioningState": "Succeeded", **PROVIDER_USER},
            },
        )

    def resources(self, kind: str) -> list[dict]:
        """Stored resources of one type (`shares`, `dataSets`, `synchronizationSettings`, `invitations`)."""
        with self._lock:
            return [r for r in self._resources.values() if r["type"] == f"{PROVIDER}/accounts/{_type_suffix(kind)}"]

    def set_invitation_status(self, name: str, status: str) -> None:
        """What a consumer's answer does to an invitation (Accepted, Rejected)."""
        with self._lock:
            (invitation,) = [
                r for r in self._resources.values() if r["type"].endswith("/invitations") and r["name"] == name
            ]
            invitation["properties"]["invitationStatus"] = status
            invitation["properties"]["respondedAt"] = _now()

    def writes(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method in {"PUT", "PATCH", "POST", "DELETE"}]

    # -- request handling --------------------------------------------------

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> _Response:
        url = urlsplit(raw_path)
        path = unquote(url.path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        payload = json.loads(body) if body else None
        self.requests.append(
            RecordedRequest(method, path, query.get("api-version"), payload, headers.get("authorization"))
        )
        try:
            if not (headers.get("authorization") or "").startswith("Bearer "):
                raise ArmError(
                    401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."
                )
            if "api-version" not in query:
                raise ArmError(400, "MissingApiVersionParameter", "The api-version query parameter is required.")
            if query["api-version"] != API_VERSION:
                raise ArmError(
                    400, "InvalidApiVersionParameter", f"The api-version '{query['api-version']}' is invalid."
                )
            with self._lock:
                return self._route(method, path, query, payload)
        except ArmError as error:
            return _Response(error.status, {"error": {"code": error.code, "message": error.message}})

    def _route(self, method: str, path: str, query: dict[str, str], payload: dict | None) -> _Response:
        for route, pattern in ROUTES:
            match = pattern.match(path)
            if match:
                return getattr(self, f"_{route}")(method, path, match, query, payload)
        raise ArmError(404, "InvalidResourceType", f"The resource type could not be found for {path}.")

    def _account(self, method: str, path: str, _match: re.Match, _query: dict, _payload: dict | None) -> _Response:
        if method != "GET":
            raise ArmError(
                405, "MethodNotAllowed", "Accounts are managed by the platform's infrastructure in this stand-in."
            )
        return _Response(200, self._get(path))

    def _share(self, method: str, path: str, match: re.Match, _query: dict, payload: dict | None) -> _Response:
        if method == "GET":
            return _Response(200, self._get(path))
        if method == "DELETE":
            return self._delete_long_running(path, children_too=True)
        if method != "PUT":
            raise ArmError(405, "MethodNotAllowed", f"{method} is not supported on shares.")
        self._require_parent(path.rsplit("/shares/", 1)[0], "Account")
        properties = _writable_properties(payload, "shares")
        if properties.get("shareKind") not in {"CopyBased", "InPlace"}:
            raise ArmError(400, "InvalidPayload", "properties.shareKind must be CopyBased or InPlace.")
        existing = self._resources.get(path.lower())
        if existing and existing["properties"]["shareKind"] != properties["shareKind"]:
            raise ArmError(409, "ShareKindChange", "The kind of an existing share cannot be changed.")
        created_at = existing["properties"]["createdAt"] if existing else _now()
        resource = {
            "id": path,
            "name": match["share"],
            "type": f"{PROVIDER}/accounts/shares",
            "properties": {**properties, "createdAt": created_at, "provisioningState": "Succeeded", **PROVIDER_USER},
        }
        self._store(path, resource)
        return _Response(200 if existing else 201, resource)

    def _child_list(self, method: str, path: str, match: re.Match, query: dict, _payload: dict | None) -> _Response:
        if method != "GET":
            raise ArmError(405, "MethodNotAllowed", f"{method} is not supported on a collection.")
        self._require_parent(path.rsplit("/", 1)[0], "Share")
        prefix = path.lower() + "/"
        items = sorted(
            (r for key, r in self._resources.items() if key.startswith(prefix) and "/" not in key[len(prefix) :]),
            key=lambda r: r["name"].lower(),
        )
        start = int(query.get("$skipToken", "0"))
        page = items[start : start + self.page_size]
        body: dict = {"value": page}
        if start + self.page_size < len(items):
            body["nextLink"] = (
                f"{self.url}{path}?{urlencode({'api-version': API_VERSION, '$skipToken': start + self.page_size})}"
            )
        return _Response(200, body)

    def _child(self, method: str, path: str, match: re.Match, _query: dict, payload: dict | None) -> _Response:
        kind = _CHILD_KINDS[next(k for k in _CHILD_KINDS if k.lower() == match["kind"].lower())]
        if method == "GET":
            return _Response(200, self._get(path))
        if method == "DELETE":
            if kind == "invitations":  # withdrawing an invitation is a plain, synchronous delete
                existed = self._resources.pop(path.lower(), None) is not None
                return _Response(200 if existed else 204)
            return self._delete_long_running(path, children_too=False)
        if method != "PUT":
            raise ArmError(405, "MethodNotAllowed", f"{method} is not supported on {kind}.")
        self._require_parent(path.rsplit("/", 2)[0], "Share")
        existing = self._resources.get(path.lower())
        resource = getattr(self, f"_new_{kind}")(path, match["name"], payload, existing)
        self._store(path, resource)
        return _Response(200 if existing else 201, resource)

    def _new_dataSets(self, path: str, name: str, payload: dict | None, existing: dict | None) -> dict:
        kind = (payload or {}).get("kind")
        if kind not in DATA_SET_REQUIRED:
            raise ArmError(400, "InvalidDataSetKind", f"Data set kind {kind!r} is not supported by this stand-in.")
        properties = _writable_properties(payload, "dataSets")
        missing = [p for p in DATA_SET_REQUIRED[kind] if not properties.get(p)]
        if missing:
            raise ArmError(400, "InvalidPayload", f"Missing required properties: {', '.join(missing)}.")
        data_set_id = existing["properties"]["dataSetId"] if existing else str(uuid.uuid4())
        return {
            "id": path,
            "name": name,
            "type": f"{PROVIDER}/accounts/shares/dataSets",
            "kind": kind,
            "properties": {**properties, "dataSetId": data_set_id},
        }

    def _new_synchronizationSettings(self, path: str, name: str, payload: dict | None, existing: dict | None) -> dict:
        if (payload or {}).get("kind") != "ScheduleBased":
            raise ArmError(400, "InvalidPayload", "kind must be ScheduleBased.")
        properties = _writable_properties(payload, "synchronizationSettings")
        if properties.get("recurrenceInterval") not in {"Hour", "Day"} or not properties.get("synchronizationTime"):
            raise ArmError(
                400, "InvalidPayload", "recurrenceInterval (Hour or Day) and synchronizationTime are required."
            )
        return {
            "id": path,
            "name": name,
            "type": f"{PROVIDER}/accounts/shares/synchronizationSettings",
            "kind": "ScheduleBased",
            "properties": {
                **properties,
                "createdAt": existing["properties"]["createdAt"] if existing else _now(),
                "provisioningState": "Succeeded",
                "userName": PROVIDER_USER["userName"],
            },
        }

    def _new_invitations(self, path: str, name: str, payload: dict | None, existing: dict | None) -> dict:
        if existing:
            raise ArmError(409, "InvitationAlreadyExists", f"Invitation {name} already exists; withdraw it first.")
        properties = _writable_properties(payload, "invitations")
        by_email = bool(properties.get("targetEmail"))
        by_object = bool(properties.get("targetActiveDirectoryId")) and bool(properties.get("targetObjectId"))
        if by_email == by_object:
            raise ArmError(
                400, "InvalidPayload", "Give either targetEmail or targetActiveDirectoryId with targetObjectId."
            )
        resource = {
            "id": path,
            "name": name,
            "type": f"{PROVIDER}/accounts/shares/invitations",
            "properties": {
                **properties,
                "invitationId": str(uuid.uuid4()),
                "invitationStatus": "Pending",
                "sentAt": _now(),
                **PROVIDER_USER,
            },
        }
        self.invitations_sent.append(resource)
        return resource

    def _operation(self, method: str, _path: str, _match: re.Match, _query: dict, _payload: dict | None) -> _Response:
        if method != "GET":
            raise ArmError(405, "MethodNotAllowed", "Operation results are read-only.")
        return _Response(200, {"status": "Succeeded", "startTime": _now(), "endTime": _now()})

    # -- storage -----------------------------------------------------------

    def _get(self, path: str) -> dict:
        resource = self._resources.get(path.lower())
        if resource is None:
            raise ArmError(404, "ResourceNotFound", f"The resource '{path}' was not found.")
        return resource

    def _store(self, path: str, resource: dict) -> None:
        self._resources[path.lower()] = resource

    def _require_parent(self, parent_path: str, parent_kind: str) -> None:
        if parent_path.lower() not in self._resources:
            raise ArmError(404, "ParentResourceNotFound", f"{parent_kind} '{parent_path}' was not found.")

    def _delete_long_running(self, path: str, *, children_too: bool) -> _Response:
        """Deletes of shares, data sets and schedules are long-running in ARM: 202 and an operation to poll."""
        if path.lower() not in self._resources:
            return _Response(204)
        for key in [
            k for k in self._resources if k == path.lower() or (children_too and k.startswith(path.lower() + "/"))
        ]:
            del self._resources[key]
        subscription = path.split("/")[2]
        operation = (
            f"{self.url}/subscriptions/{subscription}/providers/{PROVIDER}/locations/{LOCATION}"
            f"/operationResults/{uuid.uuid4()}?api-version={API_VERSION}"
        )
        return _Response(202, None, {"Azure-AsyncOperation": operation, "Location": operation, "Retry-After": "0"})


def _writable_properties(payload: dict | None, kind: str) -> dict:
    """The request's properties; read-only ones are refused, as the SDK never sends them."""
    properties = dict((payload or {}).get("properties") or {})
    sent_read_only = sorted(set(properties) & set(READ_ONLY[kind]))
    if sent_read_only:
        raise ArmError(400, "InvalidPayload", f"Read-only properties cannot be set: {', '.join(sent_read_only)}.")
    return properties


def _type_suffix(kind: str) -> str:
    return "shares" if kind == "shares" else f"shares/{kind}"


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _handler_for(standin: ArmStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as separate writes; Nagle would hold each 40 ms

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {key.lower(): value for key, value in self.headers.items()}
            response = standin.handle(self.command, self.path, headers, body)
            content = json.dumps(response.body).encode() if response.body is not None else b""
            self.send_response(response.status)
            for key, value in response.headers.items():
                self.send_header(key, value)
            self.send_header("x-ms-request-id", str(uuid.uuid4()))
            if content:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_PUT = do_DELETE = do_PATCH = do_POST = _serve

        def log_message(self, *_args: object) -> None:
            """Quiet: the requests are recorded on the stand-in instead."""

    return Handler


def _self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that is its own CA, so the client verifies TLS instead of switching it off."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "arm-standin.local")])
    now = dt.datetime.now(dt.UTC)
    public_key = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    cert_file, key_file = folder / "arm-standin.pem", folder / "arm-standin.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def iter_requests(standin: ArmStandIn, method: str, kind: str) -> Iterator[RecordedRequest]:
    """Recorded requests of one verb on one resource type (`shares`, `dataSets`, ...), in order."""
    pattern = re.compile(rf"/{kind}/[^/]+$" if kind != "shares" else r"/shares/[^/]+$", re.IGNORECASE)
    return (r for r in standin.requests if r.method == method and pattern.search(r.path))
