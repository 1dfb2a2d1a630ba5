"""The Bronze landing contract: what each source writes into the lake, and where.

The contract is the dbt source YAML, ``models/bronze/<source>/_<source>__sources.yml``,
read at run time (once per process and project folder). Each source table whose
``external_location`` reads ``.../bronze/<source>/<entity>/*/*.<ext>`` is one
landed entity; from the YAML come its file format (that extension), its key
(table ``meta.key``), the text encodings the feed may send (table or source
``meta.encodings``; UTF-8 is always accepted) and, per column, ``meta.logical_type``,
``meta.required``, ``meta.accepted_values`` and ``meta.formats`` (strptime
patterns; the file's own values decide which one it uses).

Layout (mirrors the ADLS Gen2 ``bronze`` container)::

    <lake_root>/bronze/<source>/<entity>/ingest_date=YYYY-MM-DD/part-00000.<ext>

Conventions shared by every source:

* Timestamps are ISO-8601 strings in UTC with a ``Z`` suffix
  (``2026-10-01T19:04:05Z``; playback adds milliseconds, ``...05.123Z``).
* Dates are ``YYYY-MM-DD`` except in the vendor catalog, which keeps the public
  catalog's ``September 25, 2021`` style.
* JSON-lines files hold one object per line, UTF-8, ``\\n`` line ends.
* CSV files are RFC 4180: comma separated, ``"`` quoted, a header row, UTF-8.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from types import MappingProxyType

import yaml

from flick_ops.dbt.runner import PROJECT_ROOT
from flick_ops.errors import OperatorError

SOURCES_GLOB = "models/bronze/*/_*__sources.yml"

# Logical types of landed fields. Landed files carry text; these say what the
# text should parse as, so Bronze can type it and keep the raw text beside it.
STRING = "string"
INTEGER = "integer"
DECIMAL = "decimal"
BOOLEAN = "boolean"
DATE = "date"
TIMESTAMP = "timestamp"
JSON_ARRAY = "json_array"
LOGICAL_TYPES = (STRING, INTEGER, DECIMAL, BOOLEAN, DATE, TIMESTAMP, JSON_ARRAY)

# A landed entity's files in an external_location: `.../bronze/<source>/<entity>/*/*.<ext>`.
LAKE_FOLDER = re.compile(r"/bronze/(?P<source>\w+)/(?P<entity>\w+|\$\{name\})/\*/\*\.(?P<ext>jsonl|csv)")


class ContractError(OperatorError):
    """The source YAML that states the landing contract is missing or does not say what it must."""


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool = True
    accepted_values: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entity:
    source: str
    name: str
    file_format: str  # "jsonl" or "csv"
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    encodings: tuple[str, ...] = ("utf-8",)

    @property
    def extension(self) -> str:
        return self.file_format

    @property
    def column_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def lake_folder(self) -> str:
        return f"bronze/{self.source}/{self.name}"

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(f"{self.source}.{self.name} has no field {name}")

    def partition_dir(self, lake_root: Path, ingest_date: date) -> Path:
        return Path(lake_root) / self.lake_folder / f"ingest_date={ingest_date.isoformat()}"

    def file_path(self, lake_root: Path, ingest_date: date, part: int = 0) -> Path:
        return self.partition_dir(lake_root, ingest_date) / f"part-{part:05d}.{self.extension}"


@dataclass(frozen=True)
class DeclaredTable:
    """One table of a Bronze source YAML, as declared: where dbt reads it, its meta and its columns."""

    schema: str
    name: str
    external_location: str  # the table's own, else its source's; "" when neither has one
    meta: Mapping  # the table's config.meta
    source_meta: Mapping  # its source's config.meta, for what the table leaves to the source
    columns: tuple[Mapping, ...]
    declared_in: Path


def declared_tables(project_dir: Path = PROJECT_ROOT) -> list[DeclaredTable]:
    """Every table of the project's Bronze source YAML (sorted by path), in declaration order. The one
    reader of those files: the landing contract below and the Spark session's landing tables use it."""
    paths = sorted(Path(project_dir).glob(SOURCES_GLOB))
    if not paths:
        raise ContractError(
            f"no source YAML at {Path(project_dir) / SOURCES_GLOB}: the landing contract is read from it\n"
            "run flick-ops from a checkout of the project (pip install -e .)"
        )
    tables: list[DeclaredTable] = []
    for path in paths:
        try:
            for source in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]:
                source_meta = _meta(source)
                for table in source["tables"]:
                    meta = _meta(table)
                    tables.append(
                        DeclaredTable(
                            schema=source["schema"],
                            name=table["name"],
                            external_location=meta.get("external_location")
                            or source_meta.get("external_location")
                            or "",
                            meta=meta,
                            source_meta=source_meta,
                            columns=tuple(table.get("columns") or ()),
                            declared_in=path,
                        )
                    )
        except (yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
            raise _unreadable(path, exc) from exc
    return tables


@cache
def landed_entities(project_dir: Path = PROJECT_ROOT) -> Mapping[tuple[str, str], Entity]:
    """Every landed entity the project reads, keyed by (source, entity) as the lake's folders name them,
    in the order of the source YAML files (sorted by path) and their tables."""
    entities: dict[tuple[str, str], Entity] = {}
    for table in declared_tables(project_dir):
        try:
            landed = _entity(table)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _unreadable(table.declared_in, exc) from exc
        if landed is not None:
            entities[(landed.source, landed.name)] = landed
    return MappingProxyType(entities)


def entities(project_dir: Path = PROJECT_ROOT) -> tuple[Entity, ...]:
    return tuple(landed_entities(project_dir).values())


def entity(source: str, name: str, project_dir: Path = PROJECT_ROOT) -> Entity:
    try:
        return landed_entities(project_dir)[(source, name)]
    except KeyError:
        raise KeyError(f"no landed entity {source}.{name}") from None


def _unreadable(path: Path, exc: Exception) -> ContractError:
    return ContractError(
        f"{path}: not a landing contract this version can read ({type(exc).__name__}: {exc})\n"
        "fix the source YAML (see docs/lake-and-intake.md)"
    )


def _entity(table: DeclaredTable) -> Entity | None:
    """The landed entity a table reads, or None for a table that reads no landed files (the intake's own)."""
    match = LAKE_FOLDER.search(table.external_location)
    if match is None:
        return None
    encodings = table.meta.get("encodings") or table.source_meta.get("encodings") or ["utf-8"]
    return Entity(
        source=match["source"],
        name=table.name if match["entity"] == "${name}" else match["entity"],
        file_format=match["ext"],
        fields=tuple(_field(column) for column in table.columns),
        key=tuple(str(name) for name in table.meta["key"]),
        encodings=tuple(dict.fromkeys(["utf-8", *encodings])),
    )


def _meta(node: dict) -> dict:
    return (node.get("config") or {}).get("meta") or {}


def _field(column: dict) -> Field:
    meta = _meta(column)
    logical_type = meta["logical_type"]
    if logical_type not in LOGICAL_TYPES:
        raise ValueError(
            f"column {column['name']}: logical_type {logical_type!r} is none of {', '.join(LOGICAL_TYPES)}"
        )
    return Field(
        name=column["name"],
        type=logical_type,
        required=bool(meta["required"]),
        accepted_values=tuple(_text(column, value) for value in meta.get("accepted_values") or ()),
        formats=tuple(meta.get("formats") or ()),
    )


def _text(column: dict, value: object) -> str:
    if not isinstance(value, str):
        # YAML reads `no`, `on` or `1` unquoted as a boolean or a number: a landed file holds text.
        raise ValueError(f"column {column['name']}: accepted value {value!r} is not text; quote it")
    return value
