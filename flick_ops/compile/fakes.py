"""Stand-ins for a Synapse or Databricks warehouse, so dbt can run against none.

The adapters stay real: their materializations, macros and Python decide
every statement. Only the last step is replaced. Opening a connection hands
the adapter a driver connection whose cursor records each statement instead
of sending it, and the adapter's metadata look-ups (which relations exist,
which columns they have) are answered from the project's manifest:

* `fresh`: no model, seed or snapshot exists yet, so materializations take
  their create paths;
* `existing`: every one exists, so incremental models and snapshots take
  their merge / delete+insert paths.

Sources (external tables over the lake) exist in both modes.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlglot
from dbt.adapters.contracts.connection import Connection, ConnectionState
from dbt_common.events.contextvars import get_node_info
from sqlglot import exp

# dbt names its scratch relations after the model: `<model>__dbt_tmp`, `<model>__dbt_temp`, `<model>__dbt_backup`...
_SCRATCH_SUFFIX = re.compile(r"__dbt_(tmp|temp|backup)\w*$", re.IGNORECASE)
# Queries that ask only for the shape of a result (contract checks, column look-ups of a select).
_EMPTY_PROBE = re.compile(r"where\s+(0\s*=\s*1|1\s*=\s*0|false)\b|\blimit\s+0\b|\btop\s+0\b", re.IGNORECASE)

FRESH, EXISTING = "fresh", "existing"


@dataclass(frozen=True)
class CatalogEntry:
    schema: str
    identifier: str
    kind: str  # "table" or "view"
    columns: tuple[tuple[str, str | None], ...]
    is_source: bool


class OfflineCatalog:
    """The warehouse as the manifest describes it, seen in one mode."""

    def __init__(self, entries: Sequence[CatalogEntry], mode: str, default_type: str, dialect: str) -> None:
        self._entries = {(e.schema.lower(), e.identifier.lower()): e for e in entries}
        self._by_node: dict[str, CatalogEntry] = {}
        self.mode = mode
        self.default_type = default_type
        self.dialect = dialect

    @classmethod
    def from_manifest(cls, manifest: Any, mode: str, default_type: str, dialect: str) -> OfflineCatalog:
        entries = []
        by_node = {}
        for unique_id, node in manifest.nodes.items():
            if node.resource_type.value not in ("model", "seed", "snapshot"):
                continue
            kind = "view" if node.config.materialized == "view" else "table"
            entry = CatalogEntry(node.schema, node.alias, kind, _columns_of(node), is_source=False)
            entries.append(entry)
            by_node[unique_id] = entry
        for source in manifest.sources.values():
            entries.append(CatalogEntry(source.schema, source.identifier, "table", _columns_of(source), True))
        catalog = cls(entries, mode, default_type, dialect)
        catalog._by_node = by_node
        return catalog

    def exists(self, entry: CatalogEntry) -> bool:
        return entry.is_source or self.mode == EXISTING

    def relations_in(self, schema: str) -> list[CatalogEntry]:
        return [e for (s, _), e in self._entries.items() if s == schema.lower() and self.exists(e)]

    def schemas(self) -> list[str]:
        return sorted({e.schema for e in self._entries.values() if self.exists(e)})

    def columns_of(self, schema: str | None, identifier: str) -> list[tuple[str, str]]:
        """Columns of a relation, or of the model a scratch relation (`<model>__dbt_tmp`) was made from.

        Databricks' temporary views have no schema; they are found by name alone.
        """
        base = _SCRATCH_SUFFIX.sub("", identifier.strip('#`[]"')).lower()
        matches = [e for (s, i), e in self._entries.items() if i == base and schema in (None, s)]
        return self._typed(matches[0].columns) if matches else []

    def result_columns(self, sql: str) -> list[tuple[str, str]]:
        """The columns a shape-only query returns: its own select list where it names one, else the running node's."""
        entry = self._by_node.get(get_node_info().get("unique_id", ""))
        documented = self._typed(entry.columns) if entry else []
        names = projected_names(sql, self.dialect)
        if names is None:
            return documented
        types = {name.lower(): data_type for name, data_type in documented}
        return [(name, types.get(name.lower(), self.default_type)) for name in names]

    def _typed(self, columns: Sequence[tuple[str, str | None]]) -> list[tuple[str, str]]:
        return [(name, data_type or self.default_type) for name, data_type in columns]


def projected_names(sql: str, dialect: str) -> list[str] | None:
    """Output column names of a query, following `select *` through subqueries and CTEs; None if unknown."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except sqlglot.errors.SqlglotError:
        return None
    selects = [s for s in statements if isinstance(s, exp.Query)]
    if not selects:
        return None
    ctes = {cte.alias_or_name.lower(): cte.this for cte in selects[-1].find_all(exp.CTE)}
    query: exp.Expression | None = selects[-1]
    for _ in range(50):  # a chain of `select * from <previous>` is never this long; guards against cycles
        while isinstance(query, exp.SetOperation):
            query = query.left
        if not isinstance(query, exp.Select):
            return None
        if not any(isinstance(e, exp.Star) or e.is_star for e in query.expressions):
            return [e.alias_or_name for e in query.expressions]
        query = _only_source(query, ctes)
    return None


def _only_source(select: exp.Select, ctes: dict[str, exp.Expression]) -> exp.Expression | None:
    """What a lone `select * from x` reads: the subquery or CTE named x (a table gives None)."""
    if len(select.expressions) != 1 or select.args.get("joins"):
        return None
    source = select.args.get("from_") or select.args.get("from")
    if source is None:
        return None
    if isinstance(source.this, exp.Subquery):
        return source.this.this
    if isinstance(source.this, exp.Table):
        return ctes.get(source.this.name.lower())
    return None


def _columns_of(node: Any) -> tuple[tuple[str, str | None], ...]:
    return tuple((column.name, column.data_type) for column in node.columns.values())


class RecordingCursor:
    """A DB-API cursor that records what it is given and answers with empty results.

    A query that only asks for the shape of a result (`... where 0 = 1`) is
    answered with the running node's documented columns: dbt's contract check
    compares two such answers, and offline they cannot differ; the contract
    is checked for real on DuckDB.
    """

    rowcount = -1
    query_id = "offline"

    def __init__(self, record: Callable[[str], None], catalog: OfflineCatalog, connection: Any) -> None:
        self._record = record
        self._catalog = catalog
        self.connection = connection
        self.description: list[tuple[Any, ...]] | None = None

    def execute(self, sql: str, *parameters: Any) -> RecordingCursor:
        self._record(sql)
        columns = self._catalog.result_columns(sql) if _EMPTY_PROBE.search(sql) else []
        # The type code is a Python type, as pyodbc reports it; both adapters map it to a SQL type name.
        self.description = [(name, str, None, None, None, None, True) for name, _ in columns] or None
        return self

    def fetchall(self) -> list[tuple[Any, ...]]:
        return []

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        return []

    def fetchone(self) -> tuple[Any, ...] | None:
        return None

    def nextset(self) -> bool:
        return False

    def schemas(self, catalog_name: str | None = None, schema_name: str | None = None) -> RecordingCursor:
        self.description = None
        return self

    def tables(self, catalog_name: str | None = None, schema_name: str | None = None) -> RecordingCursor:
        self.description = None
        return self

    def close(self) -> None:
        """Nothing to release."""

    def cancel(self) -> None:
        """Nothing runs, so nothing to cancel."""


class RecordingDriverConnection:
    """What pyodbc.connect or databricks.sql.connect would have returned."""

    def __init__(self, record: Callable[[str], None], catalog: OfflineCatalog) -> None:
        self._record = record
        self._catalog = catalog

    def cursor(self) -> RecordingCursor:
        return RecordingCursor(self._record, self._catalog, self)

    def add_output_converter(self, sql_type: int, converter: Callable[[bytes], Any]) -> None:
        """pyodbc API; results are never converted offline."""

    def get_session_id_hex(self) -> str:
        return "offline"

    def commit(self) -> None:
        """Autocommit, as the adapters use it."""

    def rollback(self) -> None:
        """Nothing is ever written."""

    def close(self) -> None:
        """Nothing to close."""


def install(adapter_type: str, catalog: OfflineCatalog, record: Callable[[str], None]) -> None:
    """Patch the adapter's connection manager and metadata look-ups; call before dbt loads the adapter's plugin."""
    if adapter_type in ("synapse", "fabric"):
        _install_synapse(catalog, record)
    elif adapter_type == "databricks":
        _install_databricks(catalog, record)
    else:
        raise ValueError(f"no offline stand-in for adapter type {adapter_type!r}; use synapse or databricks")


def _install_synapse(catalog: OfflineCatalog, record: Callable[[str], None]) -> None:
    from dbt.adapters.synapse.synapse_adapter import SynapseAdapter
    from dbt.adapters.synapse.synapse_connection_manager import SynapseConnectionManager

    def open_offline(cls: type, connection: Connection) -> Connection:
        if connection.state != ConnectionState.OPEN:
            connection.handle = RecordingDriverConnection(record, catalog)
            connection.state = ConnectionState.OPEN
        return connection

    SynapseConnectionManager.open = classmethod(open_offline)  # type: ignore[method-assign,assignment]
    _answer_metadata(SynapseAdapter, catalog, relation_options=lambda kind: {})


def _install_databricks(catalog: OfflineCatalog, record: Callable[[str], None]) -> None:
    from dbt.adapters.databricks.connections import DatabricksConnectionManager
    from dbt.adapters.databricks.dbr_capabilities import DBRCapabilities
    from dbt.adapters.databricks.handle import DatabricksHandle
    from dbt.adapters.databricks.impl import DatabricksAdapter

    # A SQL warehouse runs the newest runtime, so every version-gated feature is on.
    newest = DBRCapabilities(dbr_version=(sys.maxsize, sys.maxsize), is_sql_warehouse=True)

    def open_offline(cls: type, connection: Connection) -> Connection:
        if connection.state != ConnectionState.OPEN:
            connection.handle = DatabricksHandle(RecordingDriverConnection(record, catalog), is_cluster=False)
            connection.session_id = "offline"  # type: ignore[attr-defined]
            connection.capabilities = newest  # type: ignore[attr-defined]
            connection.state = ConnectionState.OPEN
        return connection

    def capabilities_offline(cls: type, creds: Any, http_path: str) -> None:
        cls._dbr_capabilities_cache[http_path] = newest

    DatabricksConnectionManager.open = classmethod(open_offline)  # type: ignore[method-assign,assignment]
    DatabricksConnectionManager._cache_dbr_capabilities = classmethod(capabilities_offline)  # type: ignore[method-assign,assignment]

    def delta_table(kind: str) -> dict[str, Any]:
        if kind != "table":
            return {}
        return {"is_delta": True, "metadata": {"Provider": "delta", "Owner": "offline"}}

    _answer_metadata(DatabricksAdapter, catalog, relation_options=delta_table)


def _answer_metadata(
    adapter_class: type, catalog: OfflineCatalog, relation_options: Callable[[str], dict[str, Any]]
) -> None:
    def list_relations_without_caching(self: Any, schema_relation: Any) -> list[Any]:
        return [
            self.Relation.create(
                database=schema_relation.database,
                schema=entry.schema,
                identifier=entry.identifier,
                type=entry.kind,
                **relation_options(entry.kind),
            )
            for entry in catalog.relations_in(schema_relation.schema)
        ]

    def get_columns_in_relation(self: Any, relation: Any) -> list[Any]:
        columns = catalog.columns_of(relation.schema and relation.schema.lower(), relation.identifier)
        return [self.Column.create(name, data_type) for name, data_type in columns]

    def list_schemas(self: Any, database: Any) -> list[str]:
        return catalog.schemas()

    def check_schema_exists(self: Any, database: Any, schema: str) -> bool:
        return schema.lower() in {s.lower() for s in catalog.schemas()}

    adapter_class.list_relations_without_caching = list_relations_without_caching  # type: ignore[attr-defined]
    adapter_class.get_columns_in_relation = get_columns_in_relation  # type: ignore[attr-defined]
    adapter_class.list_schemas = list_schemas  # type: ignore[attr-defined]
    adapter_class.check_schema_exists = check_schema_exists  # type: ignore[attr-defined]
