"""The publish spec: which Gold models go to which Cosmos containers, and how rows become documents.

The spec is YAML in the project (deploy/publish.yml). Loading validates all of
it and reports every problem at once, each naming the entry it is in, so a bad
spec never reaches a sink.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

MAX_PARTITION_KEY_PATHS = 3  # Cosmos hierarchical partition keys allow up to three levels.
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_COSMOS_RESOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$")
_PARTITION_KEY_PATH = re.compile(r"^/[A-Za-z_][A-Za-z0-9_]*$")

Shape = Literal["flat", "grouped"]
FieldCase = Literal["camel", "snake"]


class SpecError(ValueError):
    """The publish spec is invalid; the message lists every problem, each with its entry."""


@dataclass(frozen=True)
class OrderKey:
    column: str
    descending: bool = False


@dataclass(frozen=True)
class Grouping:
    """Rows sharing `by` become one document whose `items` field holds the other columns, in `order_by` order."""

    by: tuple[str, ...]
    items: str
    order_by: tuple[OrderKey, ...]


@dataclass(frozen=True)
class PublishedModel:
    """One spec entry: a Gold model published to one Cosmos container."""

    name: str
    model: str
    database: str
    container: str
    id_columns: tuple[str, ...]
    partition_key_paths: tuple[str, ...]
    shape: Shape
    grouping: Grouping | None
    ttl_seconds: int | None
    field_case: FieldCase

    def field_name(self, column: str) -> str:
        """The document field a column becomes."""
        if self.field_case == "snake":
            return column
        head, *rest = column.split("_")
        return head + "".join(part[:1].upper() + part[1:] for part in rest)

    @property
    def document_columns(self) -> tuple[str, ...]:
        """Columns that sit at the top level of a document (all of them for flat documents)."""
        return self.grouping.by if self.grouping else ()


@dataclass(frozen=True)
class PublishSpec:
    entries: tuple[PublishedModel, ...]
    groups: Mapping[str, tuple[str, ...]]
    lake_only: tuple[str, ...] = ()  # Gold models exported to the lake's gold zone without a Cosmos container

    @property
    def lake_models(self) -> tuple[str, ...]:
        """Every model the lake export writes (gold/<model>/): the published entries' and the lake-only ones."""
        return tuple(dict.fromkeys([*(entry.model for entry in self.entries), *self.lake_only]))

    def entry(self, name: str) -> PublishedModel:
        return next(entry for entry in self.entries if entry.name == name)

    def select(self, names: Sequence[str] | None) -> tuple[PublishedModel, ...]:
        """Entries for the given entry or group names (all entries for None), in spec order."""
        if not names:
            return self.entries
        known = {entry.name for entry in self.entries}
        chosen: set[str] = set()
        unknown = []
        for name in names:
            if name in self.groups:
                chosen.update(self.groups[name])
            elif name in known:
                chosen.add(name)
            else:
                unknown.append(name)
        if unknown:
            raise SpecError(
                f"unknown publish entry or group: {', '.join(unknown)} "
                f"(entries: {', '.join(sorted(known))}; groups: {', '.join(sorted(self.groups)) or 'none'})"
            )
        return tuple(entry for entry in self.entries if entry.name in chosen)


def load_spec(path: Path) -> PublishSpec:
    """Read and validate a publish spec file."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SpecError(f"{path}: publish spec not found") from exc
    except yaml.YAMLError as exc:
        raise SpecError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return parse_spec(raw)
    except SpecError as exc:
        raise SpecError(f"{path}: {exc}") from exc


def parse_spec(raw: object) -> PublishSpec:
    """Validate a parsed spec document; raises SpecError listing every problem found."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise SpecError("the spec must be a mapping with `publish:` (and optionally `defaults:` and `groups:`)")
    _check_keys(
        "spec",
        raw,
        required={"publish"},
        allowed={"version", "defaults", "publish", "groups", "lake_export"},
        problems=problems,
    )
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, dict):
        problems.append("defaults: must be a mapping")
        defaults = {}
    entries_raw = raw.get("publish") or {}
    if not isinstance(entries_raw, dict) or not entries_raw:
        problems.append("publish: must map entry names to entries, and name at least one")
        entries_raw = {}
    entries = []
    for name, body in entries_raw.items():
        entry = _parse_entry(str(name), body, defaults, problems)
        if entry is not None:
            entries.append(entry)
    _check_unique_containers(entries, problems)
    groups = _parse_groups(raw.get("groups") or {}, set(entries_raw), problems)
    lake_only = _column_list("lake_export", raw["lake_export"], problems) if "lake_export" in raw else ()
    if problems:
        raise SpecError("invalid publish spec:\n  - " + "\n  - ".join(problems))
    return PublishSpec(tuple(entries), groups, lake_only)


_ENTRY_KEYS = {
    "model",
    "database",
    "container",
    "id",
    "partition_key",
    "shape",
    "group",
    "ttl_seconds",
    "field_case",
}


def _parse_entry(name: str, body: object, defaults: Mapping, problems: list[str]) -> PublishedModel | None:
    where = f"publish.{name}"
    if not _NAME.match(name):
        problems.append(f"{where}: entry names are lower_snake_case")
    if not isinstance(body, dict):
        problems.append(f"{where}: must be a mapping")
        return None
    merged = {**{k: v for k, v in defaults.items() if k in {"database", "field_case", "ttl_seconds"}}, **body}
    count_before = len(problems)
    _check_keys(
        where, body, required={"model", "container", "id", "partition_key"}, allowed=_ENTRY_KEYS, problems=problems
    )

    model = merged.get("model")
    if not isinstance(model, str) or not _NAME.match(model):
        problems.append(f"{where}.model: must be a dbt model name, got {model!r}")
    for key in ("database", "container"):
        value = merged.get(key)
        if not isinstance(value, str) or not _COSMOS_RESOURCE_NAME.match(value):
            problems.append(f"{where}.{key}: must be a Cosmos {key} name (letters, digits, - _ .), got {value!r}")
    id_columns = _column_list(where + ".id", merged.get("id"), problems)
    paths = _string_list(where + ".partition_key", merged.get("partition_key"), problems)
    if not 1 <= len(paths) <= MAX_PARTITION_KEY_PATHS:
        problems.append(f"{where}.partition_key: give 1 to {MAX_PARTITION_KEY_PATHS} paths, got {len(paths)}")
    for path in paths:
        if not _PARTITION_KEY_PATH.match(path):
            problems.append(f"{where}.partition_key: {path!r} must be a top-level path like /profileId")
    shape = merged.get("shape", "flat")
    if shape not in ("flat", "grouped"):
        problems.append(f"{where}.shape: must be flat or grouped, got {shape!r}")
    field_case = merged.get("field_case", "camel")
    if field_case not in ("camel", "snake"):
        problems.append(f"{where}.field_case: must be camel or snake, got {field_case!r}")
    ttl = merged.get("ttl_seconds")
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int) or ttl <= 0):
        problems.append(f"{where}.ttl_seconds: must be a positive number of seconds or null, got {ttl!r}")
    grouping = _parse_grouping(where, shape, merged.get("group"), problems)
    if len(problems) > count_before:
        return None

    entry = PublishedModel(
        name=name,
        model=model,
        database=merged["database"],
        container=merged["container"],
        id_columns=id_columns,
        partition_key_paths=tuple(paths),
        shape=shape,
        grouping=grouping,
        ttl_seconds=ttl,
        field_case=field_case,
    )
    _check_keys_are_document_level(where, entry, problems)
    return entry


def _parse_grouping(where: str, shape: str, raw: object, problems: list[str]) -> Grouping | None:
    if shape != "grouped":
        if raw is not None:
            problems.append(f"{where}.group: only grouped entries take a group (shape is {shape!r})")
        return None
    if not isinstance(raw, dict):
        problems.append(f"{where}.group: grouped entries need group: {{by: [...], items: <field>, order_by: [...]}}")
        return None
    _check_keys(where + ".group", raw, required={"by", "items"}, allowed={"by", "items", "order_by"}, problems=problems)
    by = _column_list(where + ".group.by", raw.get("by"), problems)
    items = raw.get("items")
    if not isinstance(items, str) or not items.isidentifier():
        problems.append(f"{where}.group.items: must name the array field, got {items!r}")
    order_by = []
    for term in _string_list(where + ".group.order_by", raw.get("order_by", []), problems):
        column, _, direction = term.partition(" ")
        if direction.strip().lower() not in ("", "asc", "desc") or not _NAME.match(column):
            problems.append(f"{where}.group.order_by: {term!r} must be `<column>`, `<column> asc` or `<column> desc`")
            continue
        order_by.append(OrderKey(column, descending=direction.strip().lower() == "desc"))
    return Grouping(by, str(items), tuple(order_by))


def _check_keys_are_document_level(where: str, entry: PublishedModel, problems: list[str]) -> None:
    """Ids and partition keys must come from fields every document has at its top level."""
    if entry.grouping is None:
        return
    for column in entry.id_columns:
        if column not in entry.grouping.by:
            problems.append(f"{where}.id: {column!r} is not a group.by column, so it varies within a document")
    top_level = {"/" + entry.field_name(column) for column in entry.grouping.by}
    for path in entry.partition_key_paths:
        if path not in top_level:
            problems.append(f"{where}.partition_key: {path} is not a group.by field ({', '.join(sorted(top_level))})")


def _check_unique_containers(entries: Sequence[PublishedModel], problems: list[str]) -> None:
    """Two entries in one container would delete each other's documents."""
    owners: dict[tuple[str, str], str] = {}
    for entry in entries:
        key = (entry.database, entry.container)
        if key in owners:
            problems.append(f"publish.{entry.name}: container {'/'.join(key)} is already published by {owners[key]}")
        owners.setdefault(key, entry.name)


def _parse_groups(raw: object, entry_names: set[str], problems: list[str]) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        problems.append("groups: must map group names to lists of entry names")
        return {}
    groups = {}
    for name, members in raw.items():
        where = f"groups.{name}"
        if str(name) in entry_names:
            problems.append(f"{where}: a group cannot share a name with a publish entry")
        listed = _string_list(where, members, problems)
        for member in listed:
            if member not in entry_names:
                problems.append(f"{where}: {member!r} is not a publish entry")
        groups[str(name)] = tuple(listed)
    return groups


def _check_keys(where: str, raw: Mapping, *, required: set[str], allowed: set[str], problems: list[str]) -> None:
    for key in sorted(required - set(raw)):
        problems.append(f"{where}: missing {key}")
    for key in sorted(set(map(str, raw)) - allowed):
        problems.append(f"{where}: unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")


def _string_list(where: str, raw: object, problems: list[str]) -> list[str]:
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not all(isinstance(value, str) and value for value in values):
        problems.append(f"{where}: must be a name or a list of names, got {raw!r}")
        return []
    return list(values)


def _column_list(where: str, raw: object, problems: list[str]) -> tuple[str, ...]:
    columns = _string_list(where, raw, problems)
    for column in columns:
        if not _NAME.match(column):
            problems.append(f"{where}: {column!r} is not a column name")
    if raw is not None and not columns:
        problems.append(f"{where}: name at least one column")
    if len(set(columns)) != len(columns):
        problems.append(f"{where}: a column is listed twice")
    return tuple(columns)
