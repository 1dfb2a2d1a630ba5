"""Build and serve the dbt docs site that analysts browse.

`dbt docs generate` reads the built warehouse for the catalog (column types,
row counts), so the site describes what is really there. It is written to its
own folder, `<target>/docs/`, never to the target folder itself: `dbt docs
generate` rewrites run_results.json, and the build's must stay for the gates
that read it (publish, share). The site is served
from the target folder on loopback only; `--static` also writes one
self-contained HTML file that can be mailed or hosted anywhere.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flick_ops.dbt import artifacts
from flick_ops.dbt.runner import DbtOutcome, DbtWorkspace, run_dbt

SITE_FILES = ("index.html", artifacts.MANIFEST, "catalog.json")
SITE_FOLDER = "docs"


class DocsBuildError(RuntimeError):
    """dbt could not generate the docs site; the message carries dbt's own output tail."""


@dataclass(frozen=True)
class DocsSite:
    folder: Path

    @property
    def index(self) -> Path:
        return self.folder / "index.html"

    @property
    def static_page(self) -> Path:
        return self.folder / "static_index.html"


def generate_docs(workspace: DbtWorkspace, target: str = "duckdb") -> DocsSite:
    """Generate the site (and the single-file static page) into <the workspace's target folder>/docs/."""
    docs_workspace = workspace.side_target(SITE_FOLDER)
    outcome: DbtOutcome = run_dbt(["docs", "generate", "--static", "--target", target], docs_workspace)
    if not outcome.succeeded:
        tail = "\n".join(outcome.output.strip().splitlines()[-15:])
        raise DocsBuildError(f"dbt docs generate failed (exit {outcome.exit_code}); build the warehouse first?\n{tail}")
    site = DocsSite(Path(docs_workspace.target_path))
    missing = [name for name in SITE_FILES if not (site.folder / name).exists()]
    if missing:
        raise DocsBuildError(f"dbt docs generate left no {', '.join(missing)} in {site.folder}")
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Requests are not worth a log line each."""


@contextmanager
def serving(site: DocsSite, port: int = 0) -> Iterator[str]:
    """Serve the site on 127.0.0.1 (port 0 picks a free one) and yield its URL."""
    handler = functools.partial(_QuietHandler, directory=str(site.folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, name="dbt-docs", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
