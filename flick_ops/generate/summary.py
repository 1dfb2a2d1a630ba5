"""What a generator run wrote: rows, files and planted dirty rows per landed entity.

The summary is written to ``<lake>/_generation_manifest.json`` so that tests
(and Silver's quarantine checks) can compare what Bronze received with what
the generator meant to send.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST_NAME = "_generation_manifest.json"

# Kinds of dirty rows the generator plants. Late events and re-deliveries are
# listed too although Silver keeps them (late) or collapses them (duplicate).
DIRTY_KINDS = (
    "malformed",
    "missing_required",
    "bad_type",
    "invalid_enum",
    "duplicate",
    "late",
    "future_timestamp",
    "orphan_reference",
    "shifted_columns",
    "schema_drift",
    "invalid_range",
)


@dataclass
class EntityStats:
    source: str
    entity: str
    rows: int = 0
    files: int = 0
    dirty: Counter = field(default_factory=Counter)

    def add_file(self, rows: int) -> None:
        self.files += 1
        self.rows += rows

    def plant(self, kind: str, count: int = 1) -> None:
        if kind not in DIRTY_KINDS:
            raise ValueError(f"unknown dirty kind {kind!r}; expected one of {', '.join(DIRTY_KINDS)}")
        self.dirty[kind] += count


@dataclass
class LakeSummary:
    config: dict
    entities: list[EntityStats]
    anomalies: list[dict] = field(default_factory=list)  # bad days planted after writing (`--anomaly`)

    def describe(self) -> str:
        width = max(len(f"{s.source}.{s.entity}") for s in self.entities)
        lines = [f"{'entity':<{width}}  {'files':>5}  {'rows':>10}  dirty"]
        for stats in self.entities:
            dirty = ", ".join(f"{kind} {count}" for kind, count in sorted(stats.dirty.items())) or "-"
            lines.append(f"{stats.source + '.' + stats.entity:<{width}}  {stats.files:>5}  {stats.rows:>10,}  {dirty}")
        lines += [f"planted {a['kind']} in {a['entity']} on {a['day']}" for a in self.anomalies]
        return "\n".join(lines)

    def to_json(self) -> str:
        payload = {
            "config": self.config,
            "entities": [
                {
                    "source": s.source,
                    "entity": s.entity,
                    "rows": s.rows,
                    "files": s.files,
                    "dirty": dict(sorted(s.dirty.items())),
                }
                for s in self.entities
            ],
            **({"anomalies": self.anomalies} if self.anomalies else {}),
        }
        return json.dumps(payload, indent=2, sort_keys=False) + "\n"

    def write(self, lake_root: Path) -> Path:
        path = Path(lake_root) / MANIFEST_NAME
        path.write_text(self.to_json(), encoding="utf-8")
        return path
