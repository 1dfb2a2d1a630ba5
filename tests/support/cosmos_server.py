"""A real Cosmos DB NoSQL protocol server on loopback for the tests: the `cosmos_server` session fixture.

It runs npm's `@vercel/cosmosdb-server` (pinned in tests/support/cosmos/package-lock.json)
through tests/support/cosmos/launcher.js, which keeps connections alive and picks a free
port. Tests talk to it with the real `azure-cosmos` SDK over HTTPS; the server's
certificate is self-signed, hence `connection_verify=False`.

Known gaps of the server, so a test does not mistake them for bugs: reading a
missing item answers 500 (not 404), transactional batches are not atomic, there
is no GROUP BY or DISTINCT, every request charges 1 RU, and a hierarchical
(MultiHash) partition key is keyed on its first path only.
"""

from __future__ import annotations

import selectors
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from azure.cosmos import CosmosClient
from filelock import FileLock

COSMOS_DIR = Path(__file__).resolve().parent / "cosmos"
# The well-known key of the Cosmos DB emulator; the local server accepts any key, so tests use this one.
EMULATOR_KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
START_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class CosmosServer:
    endpoint: str
    key: str = EMULATOR_KEY
    connection_verify: bool = False

    def client(self, endpoint: str | None = None) -> CosmosClient:
        """An SDK client for this server, or for a proxy in front of it when `endpoint` is given."""
        return CosmosClient(endpoint or self.endpoint, self.key, connection_verify=self.connection_verify)

    def new_database_id(self, prefix: str) -> str:
        """A database id no other test uses, so each test starts from empty containers on the shared server."""
        return f"{prefix}-{uuid.uuid4().hex[:8]}"


def install_server(cosmos_dir: Path = COSMOS_DIR) -> None:
    """`npm ci` once, when tests/support/cosmos/node_modules is missing (`make cosmos-server-deps` does the same);
    under a lock, so parallel test workers do not install over each other."""
    with FileLock(Path(tempfile.gettempdir()) / "flick-cosmos-npm-ci.lock"):
        if (cosmos_dir / "node_modules" / "@vercel" / "cosmosdb-server").is_dir():
            return
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("the Cosmos tests need Node.js 20 and npm on PATH (Debian: apt-get install nodejs npm)")
        completed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=cosmos_dir, capture_output=True, text=True, timeout=300
        )
        if completed.returncode != 0:
            raise RuntimeError(f"npm ci in {cosmos_dir} failed:\n{completed.stderr[-2000:]}")


def start_server(log: IO[str], cosmos_dir: Path = COSMOS_DIR) -> tuple[subprocess.Popen[str], int]:
    """Start the launcher on a free loopback port; return the process and the port it printed."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("the Cosmos tests need Node.js 20 on PATH")
    process = subprocess.Popen(
        [node, "launcher.js", "--port", "0"], cwd=cosmos_dir, stdout=subprocess.PIPE, stderr=log, text=True
    )
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        ready = selector.select(timeout=START_TIMEOUT_SECONDS)
    line = process.stdout.readline().strip() if ready else ""
    if not line.isdigit():
        stop_server(process)
        raise RuntimeError(f"the Cosmos server did not start within {START_TIMEOUT_SECONDS} s (see {log.name})")
    return process, int(line)


def wait_until_answering(server: CosmosServer) -> None:
    """The port is bound before the account answers; a client's first account read proves it is serving."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        try:
            server.client().get_database_account()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def stop_server(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_cosmos_server(log_path: Path) -> Iterator[CosmosServer]:
    """Install if needed, start, wait until it answers, and stop on the way out; the server's stderr goes to log_path."""
    install_server()
    with log_path.open("w", encoding="utf-8") as log:
        process, port = start_server(log)
        try:
            server = CosmosServer(endpoint=f"https://127.0.0.1:{port}/")
            wait_until_answering(server)
            yield server
        finally:
            stop_server(process)


@pytest.fixture(scope="session")
def cosmos_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CosmosServer]:
    """The local Cosmos server for the whole session; its log is in the session's temp folder."""
    with running_cosmos_server(tmp_path_factory.mktemp("cosmos_server") / "server.log") as server:
        yield server
