"""The landing contract as the intake reads it: the dbt source YAML, loaded at run time.

Each Bronze source table under ``models/bronze/<source>/_<source>__sources.yml``
whose ``external_location`` reads ``.../bronze/<source>/<entity>/*/*.<ext>``
is one landed entity. From the YAML the intake takes the file format (the
extension in that location), the columns with their ``required`` flag, the
value formats a column may use (column ``meta.formats``, strptime patterns:
the file's own values decide which one it uses) and the text encodings the
feed may send (table or source ``meta.encodings``; UTF-8 is always accepted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SOURCES_GLOB = "models/bronze/*/_*__sources.yml"

_LAKE_FOLDER = re.compile(r"/bronze/(?P<source>\w+)/(?P<entity>\w+|\$\{name\})/\*/\*\.(?P<ext>jsonl|csv)")


@dataclass(frozen=True)
class LandedColumn:
    name: str
    required: bool
    formats: tuple[str, ...] = ()


@dataclass(frozen=True)
class LandedEntity:
    source: str
    name: str
    file_format: str  # "jsonl" or "csv"
    columns: tuple[LandedColumn, ...]
    encodings: tuple[str, ...] = ("utf-8",)

    @property
    def lake_folder(self) -> str:
        return f"bronze/{self.source}/{self.name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


def landed_entities(project_dir: Path = PROJECT_ROOT) -> dict[tuple[str, str], LandedEntity]:
    """Every landed entity the project reads, keyed by (source, entity) as the lake's folders name them."""
    entities: dict[tuple[str, str], LandedEntity] = {}
    for path in sorted(Path(project_dir).glob(SOURCES_GLOB)):
        for source in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]:
            source_meta = _meta(source)
            for table in source["tables"]:
                meta = _meta(table)
                match = _LAKE_FOLDER.search(meta.get("external_location") or source_meta.get("external_location") or "")
                if match is None:
                    continue
                entity_name = table["name"] if match["entity"] == "${name}" else match["entity"]
                encodings = meta.get("encodings") or source_meta.get("encodings") or ["utf-8"]
                entity = LandedEntity(
                    source=match["source"],
                    name=entity_name,
                    file_format=match["ext"],
                    columns=tuple(_column(column) for column in table.get("columns", [])),
                    encodings=tuple(dict.fromkeys(["utf-8", *encodings])),
                )
                entities[(entity.source, entity.name)] = entity
    return entities


def _meta(node: dict) -> dict:
    return (node.get("config") or {}).get("meta") or {}


def _column(column: dict) -> LandedColumn:
    meta = _meta(column)
    return LandedColumn(
        name=column["name"],
        required=bool(meta.get("required", False)),
        formats=tuple(meta.get("formats") or ()),
    )
