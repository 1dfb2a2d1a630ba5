"""What an Azure Synapse dedicated SQL pool rejects in T-SQL that parses: rules from Microsoft's documentation.

sqlfluff's `tsql` dialect (see dialects.py) answers "does this parse as
T-SQL?". A dedicated SQL pool is narrower than T-SQL and much narrower than
what DuckDB accepts, so this module reads each statement with sqlglot and
applies what Microsoft documents for dedicated SQL pools:

* functions: only those of "T-SQL language elements for dedicated SQL pool"
  (learn.microsoft.com/azure/synapse-analytics/sql-data-warehouse/
  sql-data-warehouse-reference-tsql-language-elements), plus those whose own
  reference page applies to Azure Synapse Analytics (`azure-sqldw-latest`);
* operators and clauses T-SQL does not have (`::`, `||`, ILIKE, SIMILAR TO,
  INTERVAL and typed literals, DISTINCT ON, QUALIFY, LATERAL, UNNEST, JOIN
  USING and NATURAL/SEMI/ANTI/ASOF joins, NULLS FIRST/LAST, `* EXCLUDE/
  REPLACE`, GROUP BY ALL, aggregate FILTER, recursive CTEs), the GROUP BY
  options dedicated pools lack (ROLLUP, CUBE, GROUPING SETS: "Group by
  options for dedicated SQL pools"), the ORDER BY ... OFFSET
  ... FETCH rules, and ORDER BY in a view, derived table, subquery or CTE
  without TOP or OFFSET (ORDER BY clause); reserved keywords as bare names;
* T-SQL has no boolean values: a predicate may stand only where a condition
  is expected (WHERE, HAVING, ON, WHEN, the first argument of IIF), and a
  condition must be a predicate;
* PERCENTILE_CONT/DISC need OVER (they are not plain aggregates), DISTINCT
  is not allowed in a window aggregate, and window frames are ROWS or RANGE
  with RANGE bounded only by UNBOUNDED or CURRENT ROW (SELECT - OVER clause);
* data types: those of CREATE TABLE (Azure Synapse Analytics); `text`,
  `ntext`, `xml`, `timestamp`, `sql_variant`, `image`, `geography`,
  `geometry` and `hierarchyid` are documented as unsupported in "Table data
  types for dedicated SQL pool", and other engines' types do not exist.

`problems(sql)` takes one T-SQL unit (a batch, or the text of an EXEC) and
returns (check, detail) pairs naming the construct; it needs no dbt.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from itertools import pairwise
from typing import Any, ClassVar

import sqlglot
from sqlglot import exp
from sqlglot.dialects.tsql import TSQL
from sqlglot.parser import Parser as BaseParser
from sqlglot.tokens import TokenType

Problem = tuple[str, str]

# Microsoft's list of T-SQL reserved keywords (SQL Server and Azure Synapse Analytics):
# https://learn.microsoft.com/sql/t-sql/language-elements/reserved-keywords-transact-sql
_TSQL_RESERVED_WORDS = """
    ADD ALL ALTER AND ANY AS ASC AUTHORIZATION BACKUP BEGIN BETWEEN BREAK BROWSE BULK BY CASCADE CASE CHECK
    CHECKPOINT CLOSE CLUSTERED COALESCE COLLATE COLUMN COMMIT COMPUTE CONSTRAINT CONTAINS CONTAINSTABLE CONTINUE
    CONVERT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER CURSOR DATABASE DBCC
    DEALLOCATE DECLARE DEFAULT DELETE DENY DESC DISK DISTINCT DISTRIBUTED DOUBLE DROP DUMP ELSE END ERRLVL ESCAPE
    EXCEPT EXEC EXECUTE EXISTS EXIT EXTERNAL FETCH FILE FILLFACTOR FOR FOREIGN FREETEXT FREETEXTTABLE FROM FULL
    FUNCTION GOTO GRANT GROUP HAVING HOLDLOCK IDENTITY IDENTITY_INSERT IDENTITYCOL IF IN INDEX INNER INSERT
    INTERSECT INTO IS JOIN KEY KILL LEFT LIKE LINENO LOAD MERGE NATIONAL NOCHECK NONCLUSTERED NOT NULL NULLIF OF
    OFF OFFSETS ON OPEN OPENDATASOURCE OPENQUERY OPENROWSET OPENXML OPTION OR ORDER OUTER OVER PERCENT PIVOT PLAN
    PRECISION PRIMARY PRINT PROC PROCEDURE PUBLIC RAISERROR READ READTEXT RECONFIGURE REFERENCES REPLICATION
    RESTORE RESTRICT RETURN REVERT REVOKE RIGHT ROLLBACK ROWCOUNT ROWGUIDCOL RULE SAVE SCHEMA SECURITYAUDIT SELECT
    SEMANTICKEYPHRASETABLE SEMANTICSIMILARITYDETAILSTABLE SEMANTICSIMILARITYTABLE SESSION_USER SET SETUSER
    SHUTDOWN SOME STATISTICS SYSTEM_USER TABLE TABLESAMPLE TEXTSIZE THEN TO TOP TRAN TRANSACTION TRIGGER TRUNCATE
    TRY_CONVERT TSEQUAL UNION UNIQUE UNPIVOT UPDATE UPDATETEXT USE USER VALUES VARYING VIEW WAITFOR WHEN WHERE
    WHILE WITH WRITETEXT
"""
TSQL_RESERVED = frozenset(_TSQL_RESERVED_WORDS.split())

# "T-SQL language elements for dedicated SQL pool in Azure Synapse Analytics", Functions.
_DOCUMENTED_FUNCTIONS = """
    abs acos ascii asin atan atn2 binary_checksum cast convert ceiling char charindex checksum coalesce col_name
    collationproperty concat cos cot count concat_ws count_big cume_dist current_timestamp current_user
    databasepropertyex datalength dateadd datediff datefromparts datename datepart datetime2fromparts
    datetimefromparts datetimeoffsetfromparts day db_id db_name degrees dense_rank difference eomonth error_message
    error_number error_procedure error_severity error_state exp first_value floor getdate getutcdate has_dbaccess
    hashbytes indexproperty isdate isnull isnumeric lag last_value lead left len log log10 lower ltrim max min month
    nchar ntile nullif object_id object_name objectproperty objectpropertyex parsename patindex percentile_cont
    percentile_disc percent_rank pi power quotename radians rand rank replace replicate reverse right round
    row_number rtrim schema_id schema_name serverproperty session_user sign sin smalldatetimefromparts soundex space
    sql_variant_property sqrt square stats_date stdev stdevp str string_agg string_split stuff substring sum
    suser_sname switchoffset sysdatetime sysdatetimeoffset system_user sysutcdatetime tan tertiary_weights
    timefromparts trim todatetimeoffset type_id type_name typeproperty unicode upper user user_name var varp year
    xact_state
"""
# Functions whose own reference page applies to Azure Synapse Analytics (monikerRange `azure-sqldw-latest`):
# the aggregates, the JSON functions, the TRY_ conversions, the logical functions and FORMAT.
_PAGE_FUNCTIONS = """
    avg grouping grouping_id checksum_agg approx_count_distinct isjson json_value json_query json_modify openjson
    try_cast try_convert iif choose format newid
"""
SUPPORTED_FUNCTIONS = frozenset((_DOCUMENTED_FUNCTIONS + _PAGE_FUNCTIONS).split())

# CREATE TABLE (Azure Synapse Analytics), data types; `integer`, `dec` and `numeric` are T-SQL's synonyms.
_DOCUMENTED_TYPES = """
    bigint int integer smallint tinyint bit decimal dec numeric money smallmoney float real date time datetime
    datetime2 smalldatetime datetimeoffset char character varchar nchar nvarchar binary varbinary uniqueidentifier
"""
SUPPORTED_TYPES = frozenset(_DOCUMENTED_TYPES.split())
# Type names sqlglot must still read as keywords: the supported ones (but datetimeoffset, which sqlglot
# would read as timestamp with time zone), those a dedicated pool documents as unsupported, the composite
# types of other engines (so that `array<int>` parses and is reported) and keywords that are not only types.
_TYPE_KEYWORDS_KEPT = (SUPPORTED_TYPES - {"datetimeoffset"}) | {
    "double precision",
    "text",
    "ntext",
    "xml",
    "image",
    "geography",
    "geometry",
    "sql_variant",
    "timestamp",
    "array",
    "struct",
    "map",
    # words that are also keywords outside types
    "interval",
    "null",
    "range",
    "union",
    "object",
    "user-defined",
}
_UNSUPPORTED_TYPE_KINDS = {
    exp.DataType.Type.TEXT: "text/ntext",
    exp.DataType.Type.XML: "xml",
    exp.DataType.Type.IMAGE: "image",
    exp.DataType.Type.GEOGRAPHY: "geography",
    exp.DataType.Type.GEOMETRY: "geometry",
    exp.DataType.Type.VARIANT: "sql_variant",
    exp.DataType.Type.TIMESTAMP: "timestamp (rowversion)",
    exp.DataType.Type.TIMESTAMPTZ: "timestamp with time zone",
    exp.DataType.Type.ARRAY: "array",
    exp.DataType.Type.STRUCT: "struct",
    exp.DataType.Type.MAP: "map",
}
# sqlglot builds these from bare keywords (no parentheses); the names are what T-SQL would have to know.
_KEYWORD_FUNCTIONS = {
    exp.CurrentDate: "current_date",
    exp.CurrentTime: "current_time",
    exp.CurrentDatetime: "current_datetime",
}

# The first argument of these is a condition, not a value.
_CONDITION_FIRST_ARGUMENT = frozenset({"iif"})
_PERCENTILES = frozenset({"percentile_cont", "percentile_disc"})
# Nothing but predicates may stand as a condition; these sqlglot nodes are predicates.
_PREDICATES = (exp.Predicate, exp.Connector, exp.Not, exp.Boolean)
# dbt-synapse's table options, renames and guarded drops, which sqlglot does not read (consecutive IF
# blocks without semicolons); they hold no model SQL.
_TABLE_OPTIONS = re.compile(
    r"\bWITH\s*\((?=[^()]*\b(?:DISTRIBUTION|COLUMNSTORE|HEAP)\b)(?:[^()]|\([^()]*\))*\)", re.IGNORECASE
)
_RENAME = re.compile(r"\brename\s+object\s+\S+\s+to\s+\S+", re.IGNORECASE)
_GUARDED_DROP = re.compile(
    r"\bif\s+object_id\s*\((?:[^()]|\([^()]*\))*\)\s+is\s+(?:not\s+)?null\s+"
    r"(?:begin\s+)?drop\s+(?:view|table)\s+\S+(?:\s+end\b)?\s*;?",
    re.IGNORECASE,
)
# A guarded EXEC block (dbt's create-schema); the text it runs is checked on its own (dialects.tsql_units).
_GUARDED_EXEC = re.compile(
    r"\bIF\s+(?:NOT\s+)?EXISTS\s*\((?:[^()]|\([^()]*\))*\)\s*BEGIN\s+EXEC\s*\(\s*'(?:[^']|'')*'\s*\)\s*END\b",
    re.IGNORECASE,
)
# T-SQL needs no semicolon between statements; where sqlglot cannot tell them apart, a line opening
# one of these starts a new statement.
_STATEMENT_START = re.compile(
    r"^(?=[ \t]*(?:create|insert|delete|update|merge|drop|if|exec|execute|declare|truncate)\b)",
    re.IGNORECASE | re.MULTILINE,
)
# `DATE '2026-01-01'`: a type keyword right before a string is a typed literal, which T-SQL lacks.
_TYPED_LITERAL_TYPES = frozenset({TokenType.DATE, TokenType.TIME, TokenType.TIMESTAMP, TokenType.DATETIME})
_QUERY_LABEL = re.compile(r"\bOPTION\s*\(\s*LABEL\s*=\s*'(?:[^']|'')*'\s*\)", re.IGNORECASE)


def _recording(name: str, parse: Callable[[Any], exp.Expression | None]) -> Callable[[Any], exp.Expression | None]:
    def parse_and_name(parser: Any) -> exp.Expression | None:
        node = parse(parser)
        if node is not None:
            node.meta["written_name"] = name.lower()
        return node

    return parse_and_name


class _SynapseReader(TSQL):
    """T-SQL as sqlglot reads it, but keeping what was written.

    Every function call stays an anonymous call under its own name (sqlglot
    would otherwise turn `ifnull` into COALESCE), and the type names of
    other engines are left as names (`boolean`, `string`, `timestamptz`).
    """

    class Tokenizer(TSQL.Tokenizer):
        KEYWORDS: ClassVar[dict[str, TokenType]] = {
            **{
                word: token
                for word, token in TSQL.Tokenizer.KEYWORDS.items()
                if token not in BaseParser.TYPE_TOKENS or word.lower() in _TYPE_KEYWORDS_KEPT
            },
            "TIMESTAMP": TokenType.TIMESTAMP,  # so that `timestamp with time zone` reads as one type
        }

    class Parser(TSQL.Parser):
        FUNCTIONS: ClassVar[dict[str, Any]] = {}
        # Calls with their own syntax (CAST(x AS t), TRIM(... FROM ...)) keep their parser; the name is recorded.
        FUNCTION_PARSERS: ClassVar[dict[str, Callable[[Any], exp.Expression | None]]] = {
            name: _recording(name, parse) for name, parse in TSQL.Parser.FUNCTION_PARSERS.items()
        }


# T-SQL without translate() or string_escape() removes or escapes characters with one replace() per
# character (normalise_title, tsql_json_string): ~60 nested calls, and parsers recurse per level.
_PARSE_RECURSION_LIMIT = 20_000


@contextmanager
def deep_recursion() -> Iterator[None]:
    """Room for the parsers (sqlglot here, sqlfluff in dialects.py) to read deeply nested SQL."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, _PARSE_RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def problems(sql: str) -> list[Problem]:
    """Every construct in one T-SQL unit that a dedicated SQL pool rejects, as (check, detail) pairs."""
    with deep_recursion():
        return _problems(sql)


def _problems(sql: str) -> list[Problem]:
    found = _token_problems(sql)
    statements, unreadable = _statements(sql)
    found += [("not readable for the Synapse rules", _excerpt(text)) for text in unreadable]
    for statement in statements:
        found += _statement_problems(statement)
    return found


@cache
def _statements(sql: str) -> tuple[tuple[exp.Expression, ...], tuple[str, ...]]:
    """The statements sqlglot reads, and the texts it cannot read."""
    readable = sql
    for adapter_plumbing in (_QUERY_LABEL, _TABLE_OPTIONS, _RENAME, _GUARDED_DROP, _GUARDED_EXEC):
        readable = adapter_plumbing.sub("", readable)
    whole = _parse(readable)
    if whole is not None:
        return whole, ()
    statements: list[exp.Expression] = []
    unreadable: list[str] = []
    for piece in _STATEMENT_START.split(readable):
        parsed = _parse(piece)
        if parsed is None:
            unreadable.append(piece)
        else:
            statements += parsed
    return tuple(statements), tuple(unreadable)


def _parse(sql: str) -> tuple[exp.Expression, ...] | None:
    try:
        parsed = sqlglot.parse(sql, dialect=_SynapseReader, error_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.SqlglotError:
        return None
    return tuple(statement for statement in parsed if statement is not None)


def _token_problems(sql: str) -> list[Problem]:
    try:
        tokens = _SynapseReader().tokenize(sql)
    except sqlglot.errors.SqlglotError:
        return []
    found: list[Problem] = []
    for token in tokens:
        if token.token_type == TokenType.DCOLON:
            found.append(("`::` cast", "T-SQL casts with CAST(x AS type) or CONVERT(type, x)"))
        elif token.token_type == TokenType.DPIPE:
            found.append(("`||` concatenation", "T-SQL concatenates with + or CONCAT()"))
        elif token.token_type == TokenType.DOUBLE and token.text.lower() == "double":
            found.append(("data type the pool lacks", "double (T-SQL spells it float or double precision)"))
    for token, following in pairwise(tokens):
        if token.token_type in _TYPED_LITERAL_TYPES and following.token_type == TokenType.STRING:
            found.append(("typed literal", f"{token.text} '{following.text}': write CAST('...' AS {token.text})"))
    return found


def _statement_problems(statement: exp.Expression) -> list[Problem]:
    found: list[Problem] = []
    for node in statement.walk():
        found += _node_problems(node)
    for condition, place in _case_conditions(statement):
        found += _condition_problems(condition, place)
    return found


def _node_problems(node: exp.Expression) -> list[Problem]:
    found: list[Problem] = []
    for kind, check in _NODE_CHECKS:
        if isinstance(node, kind):
            found += check(node)
    return found


def _clause_problem(check: str, detail: Callable[[Any], str]) -> Callable[[Any], list[Problem]]:
    return lambda node: [(check, detail(node))]


def _sql_of(node: exp.Expression) -> str:
    return _excerpt(node.sql())


def _function_problems(node: exp.Func) -> list[Problem]:
    name = _function_name(node)
    if name is None:
        return []
    found: list[Problem] = []
    if name not in SUPPORTED_FUNCTIONS:
        found.append(("function not in a dedicated SQL pool", f"{name}()"))
    if name in _PERCENTILES and not _has_over(node):
        found.append(("ordered-set aggregate without OVER", f"{name}(...) WITHIN GROUP needs OVER (PARTITION BY ...)"))
    if name == "isjson" and len(node.expressions) > 1:
        found.append(("isjson type constraint", "ISJSON's second argument is not supported in dedicated pools"))
    return found


def _function_name(node: exp.Func) -> str | None:
    if isinstance(node, exp.Anonymous):
        return None if isinstance(node.parent, exp.Dot) else node.name.lower()
    if "written_name" in node.meta:
        return str(node.meta["written_name"])
    for kind, name in _KEYWORD_FUNCTIONS.items():
        if isinstance(node, kind):
            return name
    return None


def _has_over(node: exp.Expression) -> bool:
    parent = node.parent
    if isinstance(parent, exp.WithinGroup):
        parent = parent.parent
    return isinstance(parent, exp.Window)


def _predicate_problems(node: exp.Expression) -> list[Problem]:
    """A predicate standing where T-SQL expects a value (T-SQL has no boolean type)."""
    top, parent = node, node.parent
    while isinstance(parent, (exp.Paren, exp.Connector, exp.Not)):
        top, parent = parent, parent.parent
    if top is not node:
        return []  # judged once, at the outermost predicate of a chain
    if isinstance(node, exp.Boolean):
        return []  # reported as a boolean literal by the trap checks
    place = _value_place(top, parent)
    return [] if place is None else [("boolean expression used as a value", f"{_excerpt(top.sql())} in {place}")]


def _value_place(node: exp.Expression, parent: exp.Expression | None) -> str | None:
    if parent is None:
        return None
    if isinstance(parent, exp.Alias) or (isinstance(parent, exp.Select) and node.arg_key == "expressions"):
        return "a select list"
    if (isinstance(parent, exp.If) and node.arg_key == "true") or (
        isinstance(parent, exp.Case) and node.arg_key in ("default", "this")
    ):
        return "a CASE result"
    if isinstance(parent, exp.Anonymous) and parent.name.lower() in _CONDITION_FIRST_ARGUMENT:
        return None if parent.expressions and parent.expressions[0] is node else "a function argument"
    if isinstance(parent, exp.Func) and not isinstance(parent, (exp.If, exp.Case)):
        return "a function argument"
    if isinstance(parent, (exp.Binary, exp.Unary)) and not isinstance(parent, _PREDICATES):
        return "an arithmetic expression"
    if isinstance(parent, (exp.Ordered, exp.Group)):
        return "an ORDER BY or GROUP BY"
    return None


def _condition_problems(condition: exp.Expression | None, place: str) -> list[Problem]:
    """A value standing where T-SQL expects a predicate (`where is_late`, `case when flag then`)."""
    if condition is None:
        return []
    leaves = [condition]
    found: list[Problem] = []
    while leaves:
        leaf = leaves.pop()
        if isinstance(leaf, (exp.Paren, exp.Not)):
            leaves.append(leaf.this)
        elif isinstance(leaf, exp.Connector):
            leaves += [leaf.this, leaf.expression]
        elif not isinstance(leaf, _PREDICATES) and not isinstance(leaf, exp.Subquery):
            found.append(("value used as a condition", f"{_excerpt(leaf.sql())} in {place} is not a predicate"))
    return found


def _type_problems(node: exp.DataType) -> list[Problem]:
    if node.this == exp.DataType.Type.USERDEFINED:
        name = str(node.args.get("kind") or "").lower()
        return [] if name in SUPPORTED_TYPES else [("data type the pool lacks", name)]
    kind = _UNSUPPORTED_TYPE_KINDS.get(node.this)
    if kind is None or isinstance(node.parent, exp.DataType):
        return []
    return [("data type the pool lacks", kind)]


def _star_problems(node: exp.Star) -> list[Problem]:
    found: list[Problem] = []
    if node.args.get("except_") or node.args.get("except"):
        found.append(("select * exclude", "list the columns instead"))
    if node.args.get("replace"):
        found.append(("select * replace", "list the columns instead"))
    return found


def _recursive_cte_problems(node: exp.CTE) -> list[Problem]:
    name = node.alias_or_name.lower()
    body = node.this
    if any(table.name.lower() == name and not table.db for table in body.find_all(exp.Table)):
        return [("recursive CTE", f"{name} reads itself; dedicated pools do not run recursive CTEs")]
    return []


def _select_problems(select: exp.Select) -> list[Problem]:
    found: list[Problem] = []
    for key in ("where", "having"):
        clause = select.args.get(key)
        if clause is not None:
            found += _condition_problems(clause.this, key.upper())
    for join in select.args.get("joins") or []:
        found += _condition_problems(join.args.get("on"), "a join's ON")
    limit = select.args.get("limit")
    offset = select.args.get("offset")
    ordered = select.args.get("order") is not None
    if isinstance(limit, exp.Fetch) and offset is None:
        found.append(("fetch without offset", "T-SQL needs ORDER BY ... OFFSET n ROWS before FETCH"))
    if offset is not None and not ordered:
        found.append(("offset without order by", "OFFSET ... FETCH needs an ORDER BY"))
    if offset is not None and isinstance(limit, exp.Limit):
        found.append(("top with offset", "TOP (or LIMIT) cannot be combined with OFFSET"))
    return found + _nested_order_problems(select)


def _nested_order_problems(query: exp.Query) -> list[Problem]:
    """T-SQL's ORDER BY is invalid in views, derived tables, subqueries and CTEs unless TOP or OFFSET is given."""
    unlimited = query.args.get("limit") is None and query.args.get("offset") is None
    if query.args.get("order") is not None and unlimited and _is_nested(query):
        return [("order by in a view, subquery or CTE", "ORDER BY there needs TOP or OFFSET ... FETCH")]
    return []


def _is_nested(query: exp.Query) -> bool:
    """Whether a query is a view body, a derived table, a subquery or a CTE (not a statement of its own)."""
    parent = query.parent
    while isinstance(parent, exp.SetOperation):
        parent = parent.parent
    return isinstance(parent, (exp.Subquery, exp.CTE)) or (
        isinstance(parent, exp.Create) and str(parent.args.get("kind", "")).upper() == "VIEW"
    )


def _join_problems(join: exp.Join) -> list[Problem]:
    found: list[Problem] = []
    if join.args.get("using"):
        found.append(("join using", "T-SQL joins ON a condition, not USING (columns)"))
    for kind in (join.args.get("method"), join.args.get("kind")):
        if kind and str(kind).upper() in ("NATURAL", "ASOF", "SEMI", "ANTI", "POSITIONAL"):
            found.append((f"{str(kind).lower()} join", "T-SQL has INNER, LEFT, RIGHT, FULL and CROSS joins"))
    return found


def _null_ordering_problems(ordered: exp.Ordered) -> list[Problem]:
    """NULLS FIRST/LAST: T-SQL sorts NULL lowest and has no clause to say otherwise."""
    nulls_first = ordered.args.get("nulls_first")
    if nulls_first is None or bool(nulls_first) == (not ordered.args.get("desc")):
        return []
    return [("nulls first/last", _sql_of(ordered))]


def _window_problems(window: exp.Window) -> list[Problem]:
    found: list[Problem] = []
    function = window.this.this if isinstance(window.this, exp.WithinGroup) else window.this
    if isinstance(function, exp.Func) and any(isinstance(arg, exp.Distinct) for arg in function.iter_expressions()):
        found.append(("distinct in a window aggregate", _excerpt(window.sql())))
    spec = window.args.get("spec")
    if spec is not None:
        found += _frame_problems(window, spec)
    return found


def _frame_problems(window: exp.Window, spec: exp.WindowSpec) -> list[Problem]:
    kind = str(spec.args.get("kind") or "").lower()
    bounds = [spec.args.get("start"), spec.args.get("end")]
    found: list[Problem] = []
    if kind not in ("rows", "range"):
        found.append(("window frame", f"{kind.upper()} frames: T-SQL has ROWS and RANGE only"))
    if spec.args.get("exclude"):
        found.append(("window frame", "EXCLUDE in a frame"))
    offsets = [b for b in bounds if isinstance(b, exp.Expression)]
    if kind == "range" and offsets:
        found.append(("window frame", "RANGE with an offset: RANGE takes only UNBOUNDED and CURRENT ROW"))
    if any(not (isinstance(b, exp.Literal) and b.is_int) for b in offsets):
        found.append(("window frame", "a frame offset must be an unsigned integer literal"))
    if window.args.get("order") is None:
        found.append(("window frame", "ROWS/RANGE needs ORDER BY in the OVER clause"))
    return found


def _case_conditions(statement: exp.Expression) -> Iterator[tuple[exp.Expression, str]]:
    """The CASE WHEN and IIF conditions of a statement (WHERE, HAVING and ON are checked per SELECT)."""
    for case_when in statement.find_all(exp.If):
        if isinstance(case_when.parent, exp.Case) and case_when.parent.args.get("this") is None:
            yield case_when.this, "a CASE WHEN"
    for call in statement.find_all(exp.Anonymous):
        if call.name.lower() in _CONDITION_FIRST_ARGUMENT and call.expressions:
            yield call.expressions[0], f"{call.name}()"


def _excerpt(sql: str, length: int = 80) -> str:
    return " ".join(sql.split())[:length]


_NODE_CHECKS: tuple[tuple[type | tuple[type, ...], Callable[[Any], list[Problem]]], ...] = (
    (exp.Func, _function_problems),
    (_PREDICATES, _predicate_problems),
    (exp.DataType, _type_problems),
    (exp.ILike, _clause_problem("ilike", _sql_of)),
    (exp.SimilarTo, _clause_problem("similar to", _sql_of)),
    (exp.RegexpLike, _clause_problem("regular expression match", _sql_of)),
    ((exp.NullSafeEQ, exp.NullSafeNEQ), _clause_problem("is [not] distinct from", _sql_of)),
    (exp.Interval, _clause_problem("interval literal", _sql_of)),
    (exp.Qualify, _clause_problem("qualify", _sql_of)),
    (exp.Distinct, lambda node: [("distinct on", _sql_of(node))] if node.args.get("on") is not None else []),
    (
        exp.Lateral,
        lambda node: (
            [("lateral", "T-SQL has CROSS APPLY / OUTER APPLY, not LATERAL")]
            if node.args.get("cross_apply") is None
            else []
        ),
    ),
    (exp.Star, _star_problems),
    (exp.Group, lambda node: [("group by all", "name the grouping columns")] if node.args.get("all") else []),
    (exp.With, lambda node: [("recursive CTE", "WITH RECURSIVE")] if node.args.get("recursive") else []),
    (exp.CTE, _recursive_cte_problems),
    (exp.Select, _select_problems),
    (exp.SetOperation, _nested_order_problems),
    (exp.Window, _window_problems),
    (exp.Filter, _clause_problem("aggregate FILTER clause", lambda node: "use CASE inside the aggregate")),
    (exp.Join, _join_problems),
    (exp.Ordered, _null_ordering_problems),
    ((exp.Rollup, exp.Cube, exp.GroupingSets), _clause_problem("group by rollup/cube/grouping sets", _sql_of)),
    (exp.Unnest, _clause_problem("unnest", lambda node: "T-SQL has no arrays to unnest")),
    (exp.Struct, _clause_problem("struct literal", _sql_of)),
    (
        exp.Identifier,
        lambda node: (
            [("reserved word as bare identifier", node.name)]
            if not node.quoted and node.name.upper() in TSQL_RESERVED
            else []
        ),
    ),
)
