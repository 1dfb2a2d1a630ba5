"""Rows to Cosmos documents: shaping, ids, content hashes and the pre-flight checks Cosmos would fail on.

Every document is checked before anything is sent; a row that Cosmos would
reject (bad id characters, oversize id, partition key or document) is reported
with its reason instead, so one bad row never fails or throttles a batch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from itertools import groupby
from typing import Any

import pyarrow as pa

from flick_ops.publish.spec import PublishedModel, SpecError

MAX_ID_BYTES = 1023
MAX_PARTITION_KEY_BYTES = 2048
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
FORBIDDEN_ID_CHARACTERS = frozenset("/\\?#")
ID_SEPARATOR = ":"
FLAG_PREFIXES = ("is_", "has_")

JsonScalar = str | int | float | bool | None


@dataclass(frozen=True, order=True)
class DocumentKey:
    """A document's identity in a container: its id within its (possibly hierarchical) partition key."""

    id: str
    partition_key: tuple[JsonScalar, ...]

    @property
    def partition_key_json(self) -> str:
        return json.dumps(list(self.partition_key), separators=(",", ":"), ensure_ascii=False)

    @property
    def sdk_partition_key(self) -> JsonScalar | list[JsonScalar]:
        """The value the Cosmos SDK expects: a scalar, or a list for hierarchical keys."""
        return self.partition_key[0] if len(self.partition_key) == 1 else list(self.partition_key)


@dataclass(frozen=True)
class Document:
    key: DocumentKey
    body: dict[str, Any]
    content_hash: str
    size_bytes: int


@dataclass(frozen=True)
class InvalidDocument:
    entry: str
    id: str | None
    reason: str


@dataclass(frozen=True)
class _Rejection:
    problem: InvalidDocument
    key: DocumentKey | None


@dataclass(frozen=True)
class Documents:
    """An entry's documents: those to publish, those rejected, and the keys whose published version must stay.

    `held_keys` are keys of rejected documents that may already be in the sink
    (an oversize or duplicated document with a good id): consumers keep the
    last good version rather than lose the document.
    """

    valid: tuple[Document, ...]
    invalid: tuple[InvalidDocument, ...]
    held_keys: frozenset[DocumentKey]


def build_documents(entry: PublishedModel, table: pa.Table) -> Documents:
    """Shape a Gold model's rows into the entry's documents and pre-flight check each one."""
    check_columns(entry, table.column_names)
    flags = flag_columns(table.schema)
    rows = [
        {column: (_as_boolean(value) if column in flags else to_json_value(value)) for column, value in row.items()}
        for row in table.to_pylist()
    ]
    bodies = _grouped_bodies(entry, rows) if entry.grouping else (_flat_body(entry, row) for row in rows)

    candidates: list[Document] = []
    invalid: list[InvalidDocument] = []
    held: set[DocumentKey] = set()
    for body in bodies:
        checked = _check(entry, body)
        if isinstance(checked, Document):
            candidates.append(checked)
            continue
        invalid.append(checked.problem)
        if checked.key is not None:
            held.add(checked.key)
    valid, duplicated_keys = _split_duplicates(candidates)
    invalid.extend(
        InvalidDocument(entry.name, key.id, f"{count} rows make this document (id and partition key repeat)")
        for key, count in duplicated_keys.items()
    )
    held.update(duplicated_keys)
    return Documents(tuple(valid), tuple(invalid), frozenset(held))


def check_columns(entry: PublishedModel, columns: Sequence[str]) -> None:
    """The spec may only name columns the model has; checked against the warehouse, not the YAML."""
    available = set(columns)
    named = set(entry.id_columns)
    if entry.grouping:
        named |= set(entry.grouping.by) | {key.column for key in entry.grouping.order_by}
        top_level = {entry.field_name(column) for column in entry.grouping.by}
    else:
        top_level = {entry.field_name(column) for column in columns}
    missing = sorted(named - available)
    if missing:
        raise SpecError(f"publish.{entry.name}: {entry.model} has no column {', '.join(missing)}")
    for path in entry.partition_key_paths:
        if path[1:] not in top_level:
            raise SpecError(f"publish.{entry.name}.partition_key: {path} is not a field of {entry.model}'s documents")


def flag_columns(schema: pa.Schema) -> frozenset[str]:
    """Integer columns named `is_...` or `has_...`: the warehouse's 0/1 flags (T-SQL has no boolean column type),
    which documents carry as JSON booleans."""
    return frozenset(
        field.name
        for field in schema
        if field.name.startswith(FLAG_PREFIXES) and (pa.types.is_integer(field.type) or pa.types.is_boolean(field.type))
    )


def _as_boolean(value: object) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    raise ValueError(f"flag value {value!r} is neither 0 nor 1")


def to_json_value(value: object) -> JsonScalar:
    """A warehouse value as JSON: decimals as numbers (whole ones as integers), dates as ISO dates, timestamps as UTC ISO instants."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float | Decimal):
        # JSON has one number type: 0.0 comes back from Cosmos as 0, so whole numbers are sent (and hashed) as ints.
        number = float(value)
        return int(number) if number.is_integer() else number
    if isinstance(value, datetime):
        instant = value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)
        return instant.isoformat(timespec="microseconds" if instant.microsecond else "seconds") + "Z"
    if isinstance(value, date | time):
        return value.isoformat()
    raise TypeError(f"cannot publish a {type(value).__name__} value")


def canonical_json(body: Mapping[str, Any]) -> str:
    """The form the content hash is taken over: sorted keys, no whitespace, no system (`_`) fields."""
    content = {key: value for key, value in body.items() if not key.startswith("_")}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def content_hash(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def _flat_body(entry: PublishedModel, row: Mapping[str, JsonScalar]) -> dict[str, Any]:
    body: dict[str, Any] = {"id": _document_id(entry, row)}
    body.update((entry.field_name(column), value) for column, value in row.items())
    return _with_ttl(entry, body)


def _grouped_bodies(entry: PublishedModel, rows: list[dict[str, JsonScalar]]) -> Iterator[dict[str, Any]]:
    grouping = entry.grouping
    assert grouping is not None
    item_columns = [column for column in rows[0] if column not in grouping.by] if rows else []

    def group_key(row: Mapping[str, JsonScalar]) -> tuple:
        return tuple(_sortable(row[column]) for column in grouping.by)

    for _, members in groupby(sorted(rows, key=group_key), key=group_key):
        group_rows = list(members)
        first = group_rows[0]
        body: dict[str, Any] = {"id": _document_id(entry, first)}
        body.update((entry.field_name(column), first[column]) for column in grouping.by)
        items = [{entry.field_name(column): row[column] for column in item_columns} for row in group_rows]
        body[grouping.items] = _ordered_items(entry, group_rows, items)
        yield _with_ttl(entry, body)


def _ordered_items(entry: PublishedModel, rows: list[dict], items: list[dict]) -> list[dict]:
    """Items in order_by order; ties broken by content so the same rows always make the same document."""
    assert entry.grouping is not None
    order = sorted(range(len(rows)), key=lambda i: canonical_json(items[i]))
    for key in reversed(entry.grouping.order_by):
        order.sort(key=lambda i, column=key.column: _sortable(rows[i][column]), reverse=key.descending)
    return [items[i] for i in order]


def _sortable(value: JsonScalar) -> tuple:
    """Sort key putting nulls last and never comparing values of different types."""
    return (value is None, type(value).__name__, value if value is not None else 0)


def _document_id(entry: PublishedModel, row: Mapping[str, JsonScalar]) -> str | None:
    parts = [row[column] for column in entry.id_columns]
    if any(part is None for part in parts):
        return None
    return ID_SEPARATOR.join(str(part) for part in parts)


def _with_ttl(entry: PublishedModel, body: dict[str, Any]) -> dict[str, Any]:
    if entry.ttl_seconds is not None:
        body["ttl"] = entry.ttl_seconds
    return body


def _check(entry: PublishedModel, body: dict[str, Any]) -> Document | _Rejection:
    document_id = body["id"]
    if document_id is None:
        nulls = [column for column in entry.id_columns if body.get(entry.field_name(column)) is None]
        return _Rejection(InvalidDocument(entry.name, None, f"id column {', '.join(nulls)} is null"), None)
    problem = id_problem(document_id)
    if problem:
        return _Rejection(InvalidDocument(entry.name, document_id, problem), None)
    partition_key = tuple(body.get(path[1:]) for path in entry.partition_key_paths)
    if any(value is None for value in partition_key):
        return _Rejection(InvalidDocument(entry.name, document_id, "partition key value is null"), None)
    key = DocumentKey(document_id, partition_key)
    if len(key.partition_key_json.encode("utf-8")) > MAX_PARTITION_KEY_BYTES:
        reason = f"partition key is over {MAX_PARTITION_KEY_BYTES} bytes"
        return _Rejection(InvalidDocument(entry.name, document_id, reason), None)
    try:
        text = canonical_json(body)
    except ValueError:
        return _Rejection(InvalidDocument(entry.name, document_id, "document holds a NaN or infinite number"), key)
    size = len(text.encode("utf-8"))
    if size > MAX_DOCUMENT_BYTES:
        reason = f"document is {size:,} bytes, over Cosmos's 2 MB limit"
        return _Rejection(InvalidDocument(entry.name, document_id, reason), key)
    return Document(key, body, hashlib.sha256(text.encode("utf-8")).hexdigest(), size)


def id_problem(document_id: str) -> str | None:
    """Why Cosmos would reject (or mis-route) this id, or None if it is fine."""
    if not document_id:
        return "id is empty"
    bad = sorted(FORBIDDEN_ID_CHARACTERS.intersection(document_id))
    if bad:
        return f"id contains {' '.join(bad)} (Cosmos ids cannot hold / \\ ? #)"
    if any(ord(character) < 32 or ord(character) == 127 for character in document_id):
        return "id contains a control character"
    if document_id != document_id.strip():
        return "id has leading or trailing whitespace"
    size = len(document_id.encode("utf-8"))
    if size > MAX_ID_BYTES:
        return f"id is {size} bytes, over Cosmos's {MAX_ID_BYTES}"
    return None


def _split_duplicates(documents: Iterable[Document]) -> tuple[list[Document], dict[DocumentKey, int]]:
    """Two rows making the same document would overwrite each other; neither is sent."""
    by_key: dict[DocumentKey, list[Document]] = {}
    for document in documents:
        by_key.setdefault(document.key, []).append(document)
    valid = [group[0] for group in by_key.values() if len(group) == 1]
    return valid, {key: len(group) for key, group in by_key.items() if len(group) > 1}
