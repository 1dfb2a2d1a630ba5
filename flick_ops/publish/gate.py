"""The publish gate: the warehouse's one release rule (`flick_ops.dbt.release_rule`) applied to publish entries.

It reads the build being released (the reader's dbt artifacts) and refuses,
before a sink or the lake is touched, every entry whose model may not leave
the warehouse, naming the entry and the column or node at fault.
"""

from __future__ import annotations

from collections.abc import Iterable

from flick_ops.dbt.artifacts import ArtifactsError
from flick_ops.dbt.release_rule import ReleaseRefused, check_release
from flick_ops.publish.reader import GoldReader

GateRefused = ReleaseRefused


class ArtifactsMissing(ReleaseRefused):
    """No build to check against: refused like any other gate failure."""

    def __init__(self, error: ArtifactsError) -> None:
        RuntimeError.__init__(self, f"refusing to publish: {error}")
        self.refusals = [str(error)]


def check_gate(reader: GoldReader, entries: Iterable[tuple[str, str]], action: str = "publish") -> None:
    """Raise GateRefused listing every reason the (entry, model) pairs may not be published or exported."""
    try:
        artifacts = reader.artifacts
    except ArtifactsError as exc:
        raise ArtifactsMissing(exc) from exc
    check_release(artifacts, list(entries), action)
