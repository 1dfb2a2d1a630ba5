"""Dialect checks on what the offline compilation recorded.

Every statement must parse in its engine's dialect, and the Synapse SQL must
be free of the T-SQL traps that DuckDB lets through and of what a dedicated
SQL pool rejects (synapse_rules.py). The parsers differ per
engine for a reason: sqlfluff's `tsql` dialect knows Synapse's DDL (`WITH
(DISTRIBUTION = ..., CLUSTERED COLUMNSTORE INDEX)`, `RENAME OBJECT`), which
sqlglot does not; sqlglot's `databricks` dialect parses Databricks' DDL and
is fast, where sqlfluff's Spark dialects take seconds per model.

dbt-synapse sends view bodies inside `EXEC('...')`; those strings are SQL
too, so they are unwrapped and checked like any other statement.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import sqlglot
from sqlfluff.core import FluffConfig, Linter
from sqlfluff.core.parser import BaseSegment

from flick_ops.compile import synapse_rules
from flick_ops.compile.recorder import OfflineCompilation, Statement
from flick_ops.compile.synapse_rules import TSQL_RESERVED, deep_recursion

# Reserved words T-SQL accepts unquoted, as functions: a column named `user` silently becomes the login's name.
_USER_FUNCTIONS = frozenset({"USER", "SESSION_USER", "SYSTEM_USER", "CURRENT_USER"})
# Adapter syntax newer than the parsers, rewritten to what they know before parsing (never before the trap checks):
#   T-SQL       dbt-fabric's `OPTION (LABEL = '...')` query label after a parenthesised insert source;
#   Databricks  `INSERT INTO t AS target REPLACE ON (<match>) (<select>) AS temp` (DBR 17.1's delete+insert),
#               parsed as `INSERT INTO t <select>`.
_QUERY_LABEL = re.compile(r"\bOPTION\s*\(\s*LABEL\s*=\s*'(?:[^']|'')*'\s*\)", re.IGNORECASE)
_REPLACE_ON = re.compile(
    r"(insert\s+into\s+(?:table\s+)?\S+)\s+as\s+\w+\s+replace\s+on\s+\(.*?\)\s*\((.*)\)\s*as\s+\w+\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_EXEC_BODY = re.compile(r"\bexec(?:ute)?\s*\(\s*'((?:[^']|'')*)'\s*\)", re.IGNORECASE)
_VIEW_HEADER = re.compile(r"^\s*create\s+view\s+\S+\s+as\s", re.IGNORECASE)
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_LINE_COMMENT = re.compile(r"--[^\n]*")
_STRING = re.compile(r"N?'(?:[^']|'')*'")
_LIMIT = re.compile(r"\blimit\s+\d", re.IGNORECASE)
_BOOLEAN = re.compile(r"(?<![\w.\"\[`])(true|false)(?![\w\"\]`])", re.IGNORECASE)
_COLUMNSTORE = re.compile(r"\bclustered\s+columnstore\s+index\b", re.IGNORECASE)
_MAX_TEXT = re.compile(r"\bn?varchar\s*\(\s*max\s*\)", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    target: str
    mode: str
    node: str
    statement: int  # 1-based position among the statements the node sent in that mode
    check: str
    detail: str

    def __str__(self) -> str:
        return f"{self.target} {self.mode} {self.node} statement {self.statement}: {self.check}: {self.detail}"


def check_compilation(compilation: OfflineCompilation) -> list[Finding]:
    """Every parse failure and T-SQL trap in one target's compiled statements."""
    with deep_recursion():
        return _check_compilation(compilation)


def _check_compilation(compilation: OfflineCompilation) -> list[Finding]:
    findings = []
    for position, statement in _numbered(compilation.statements):
        if compilation.target == "synapse":
            problems = _parse_failures_tsql(statement.sql) + tsql_traps(statement.sql)
        else:
            problems = _parse_failures_databricks(statement.sql)
        findings += [
            Finding(compilation.target, statement.mode, statement.node, position, check, detail)
            for check, detail in problems
        ]
    return findings


def _numbered(statements: tuple[Statement, ...]) -> Iterator[tuple[int, Statement]]:
    counts: dict[tuple[str, str], int] = {}
    for statement in statements:
        key = (statement.mode, statement.node)
        counts[key] = counts.get(key, 0) + 1
        yield counts[key], statement


def tsql_units(sql: str) -> list[str]:
    """The batch itself and every SQL text it runs through EXEC('...'), unescaped.

    The view name of a `create view <name> as` EXEC'd text is replaced by one
    fixed name: the same model SQL goes out under several scratch view names,
    and parsing it once is what keeps these checks quick (the header stays, as
    a view body has rules of its own).
    """
    units = [sql]
    for match in _EXEC_BODY.finditer(sql):
        body = match.group(1).replace("''", "'")
        units += tsql_units(_VIEW_HEADER.sub("create view scratch_view as ", body, count=1))
    return units


def tsql_traps(sql: str) -> list[tuple[str, str]]:
    """Constructs T-SQL rejects (or Synapse cannot store) that DuckDB accepts, as (check, detail) pairs."""
    with deep_recursion():
        return _tsql_traps(sql)


def _tsql_traps(sql: str) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if _COLUMNSTORE.search(_code_only(sql)) and _MAX_TEXT.search(_code_only(sql)):
        problems.append(("varchar(max) in a columnstore table", "columnstore tables cannot hold (n)varchar(max)"))
    for unit in tsql_units(sql):
        code = _code_only(unit)
        problems += [("limit", m.group(0)) for m in _LIMIT.finditer(code)]
        problems += [("boolean literal", m.group(0)) for m in _BOOLEAN.finditer(code)]
        tree = _tsql_tree(unit)
        if tree is not None:
            problems += _tree_traps(tree)
        problems += synapse_rules.problems(unit)
    return list(dict.fromkeys(problems))  # a construct both parsers flag is reported once


def _tree_traps(tree: BaseSegment) -> list[tuple[str, str]]:
    problems = []
    for segment, ancestors in _walk(tree, ()):
        if segment.is_type("with_compound_statement") and any(
            a in ("with_compound_statement", "bracketed") for a in ancestors
        ):
            problems.append(("nested CTE", _excerpt(segment.raw)))
        elif segment.is_type("numeric_literal") and ancestors and ancestors[-1] == "groupby_clause":
            problems.append(("group by ordinal", f"group by {segment.raw}"))
        elif segment.is_type("naked_identifier") and segment.raw.upper() in TSQL_RESERVED:
            problems.append(("reserved word as bare identifier", segment.raw))
        elif segment.is_type("bare_function") and segment.raw.upper() in _USER_FUNCTIONS:
            problems.append(("reserved word as bare identifier", f"{segment.raw} (T-SQL reads it as the login's name)"))
    return problems


def _walk(segment: BaseSegment, ancestors: tuple[str, ...]) -> Iterator[tuple[BaseSegment, tuple[str, ...]]]:
    yield segment, ancestors
    for child in segment.segments:
        yield from _walk(child, (*ancestors, segment.type))


def _parse_failures_tsql(sql: str) -> list[tuple[str, str]]:
    return [("tsql parse", problem) for unit in tsql_units(sql) for problem in _sqlfluff_problems(unit)]


@cache
def _sqlfluff_parse(sql: str) -> tuple[BaseSegment | None, tuple[str, ...]]:
    parsed = _tsql_linter().parse_string(_QUERY_LABEL.sub("", sql))
    problems = tuple(f"line {v.line_no}: {v.desc()}" for v in parsed.violations)
    variant = parsed.root_variant()
    return (variant.tree if variant else None), problems


def _sqlfluff_problems(sql: str) -> tuple[str, ...]:
    tree, problems = _sqlfluff_parse(sql)
    return problems if tree is not None else ("sqlfluff produced no parse tree", *problems)


def _tsql_tree(sql: str) -> BaseSegment | None:
    return _sqlfluff_parse(sql)[0]


@cache
def _tsql_linter() -> Linter:
    # normalise_title's T-SQL version nests ~40 replace() calls, deeper than sqlfluff's default limit.
    return Linter(config=FluffConfig(overrides={"dialect": "tsql", "templater": "raw", "max_parse_depth": 2000}))


@cache
def _parse_failures_databricks(sql: str) -> list[tuple[str, str]]:
    try:
        sqlglot.parse(_REPLACE_ON.sub(r"\1 \2", sql), read="databricks", error_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.SqlglotError as exc:
        return [("databricks parse", str(exc).splitlines()[0])]
    return []


def _code_only(sql: str) -> str:
    """SQL without comments and with string literals emptied, so only code is searched."""
    without_comments = _LINE_COMMENT.sub("", _BLOCK_COMMENT.sub("", sql))
    return _STRING.sub("''", without_comments)


def _excerpt(sql: str, length: int = 80) -> str:
    return " ".join(sql.split())[:length]


# sqlglot logs a warning for each statement it keeps as an opaque command (OPTIMIZE, COMMENT ON): not a failure.
logging.getLogger("sqlglot").setLevel(logging.ERROR)
