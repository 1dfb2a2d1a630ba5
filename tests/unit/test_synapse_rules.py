"""The Synapse dedicated-pool rules on their own: a construct in, a finding out (no dbt, no warehouse)."""

from __future__ import annotations

import pytest

from flick_ops.compile.synapse_rules import SUPPORTED_FUNCTIONS, problems

REJECTED = [
    ("select a::int as n from t", "`::` cast", "CAST"),
    ("select a || b as ab from t", "`||` concatenation", "CONCAT"),
    ("select a from t where a ilike 'x%'", "ilike", "ILIKE"),
    ("select a from t where a similar to 'x%'", "similar to", "SIMILAR TO"),
    ("select a from t where a rlike 'x'", "regular expression match", "x"),
    ("select a from t where a is distinct from b", "is [not] distinct from", "a"),
    ("select dateadd(day, 1, d) + interval '7 days' as d from t", "interval literal", "INTERVAL"),
    ("select distinct on (a) a, b from t", "distinct on", "DISTINCT ON"),
    ("select a from t qualify row_number() over (order by a) = 1", "qualify", "QUALIFY"),
    ("select a from t order by a fetch first 5 rows only", "fetch without offset", "OFFSET"),
    ("select a from t offset 5 rows", "offset without order by", "ORDER BY"),
    ("select top 5 a from t order by a offset 1 rows", "top with offset", "TOP"),
    ("select a from t cross join lateral (select 1 as b) as l", "lateral", "APPLY"),
    ("select * exclude (a) from t", "select * exclude", "columns"),
    ("select * replace (a as b) from t", "select * replace", "columns"),
    ("select a, count(*) as n from t group by all", "group by all", "grouping"),
    ("with recursive r as (select 1 as n) select n from r", "recursive CTE", "RECURSIVE"),
    ("with r as (select 1 as n union all select n + 1 from r where n < 3) select n from r", "recursive CTE", "r"),
    ("select ifnull(a, 0) as a from t", "function not in a dedicated SQL pool", "ifnull()"),
    ("select date_trunc('day', d) as d from t", "function not in a dedicated SQL pool", "date_trunc()"),
    ("select extract(year from d) as y from t", "function not in a dedicated SQL pool", "extract()"),
    ("select translate(a, 'ab', 'cd') as a from t", "function not in a dedicated SQL pool", "translate()"),
    ("select greatest(a, b) as g from t", "function not in a dedicated SQL pool", "greatest()"),
    ("select string_escape(a, 'json') as a from t", "function not in a dedicated SQL pool", "string_escape()"),
    ("select current_date as d", "function not in a dedicated SQL pool", "current_date()"),
    ("select ceil(a) as c from t", "function not in a dedicated SQL pool", "ceil()"),
    ("select isjson(a, object) as j from t", "isjson type constraint", "second argument"),
    ("select watch_ms > 0 as watched from t", "boolean expression used as a value", "select list"),
    ("select case when a > 1 then b = 2 else 0 end as x from t", "boolean expression used as a value", "CASE result"),
    ("select coalesce(a = b, 0) as x from t", "boolean expression used as a value", "function argument"),
    ("select cast(a > 0 as int) as x from t", "boolean expression used as a value", "function argument"),
    ("select a from t where is_late", "value used as a condition", "WHERE"),
    ("select case when is_late then 1 else 0 end as x from t", "value used as a condition", "CASE WHEN"),
    ("select iif(flag, 1, 0) as x from t", "value used as a condition", "iif()"),
    (
        "select percentile_cont(0.5) within group (order by a) as p from t",
        "ordered-set aggregate without OVER",
        "percentile_cont",
    ),
    ("select count(distinct a) over (partition by b) as n from t", "distinct in a window aggregate", "DISTINCT"),
    (
        "select sum(a) over (order by d groups between 1 preceding and current row) as s from t",
        "window frame",
        "GROUPS",
    ),
    ("select sum(a) over (order by d range between 1 preceding and current row) as s from t", "window frame", "RANGE"),
    ("select sum(a) over (partition by b rows unbounded preceding) as s from t", "window frame", "ORDER BY"),
    ("select cast(a as boolean) as b from t", "data type the pool lacks", "boolean"),
    ("select cast(a as text) as b from t", "data type the pool lacks", "text"),
    ("select cast(a as json) as b from t", "data type the pool lacks", "json"),
    ("select cast(a as string) as b from t", "data type the pool lacks", "string"),
    ("select cast(a as array<int>) as b from t", "data type the pool lacks", "array"),
    ("select cast(a as struct<x int>) as b from t", "data type the pool lacks", "struct"),
    ("select cast(a as timestamptz) as b from t", "data type the pool lacks", "timestamptz"),
    ("select cast(a as timestamp with time zone) as b from t", "data type the pool lacks", "time zone"),
    ("select cast(a as timestamp) as b from t", "data type the pool lacks", "rowversion"),
    ("select cast(a as double) as b from t", "data type the pool lacks", "double"),
    ("create table x (a int, b xml)", "data type the pool lacks", "xml"),
    ("select count(*) filter (where a > 1) as n from t", "aggregate FILTER clause", "CASE"),
    ("select a from t join u using (id)", "join using", "USING"),
    ("select a from t natural join u", "natural join", "INNER"),
    ("select a from t semi join u on t.id = u.id", "semi join", "INNER"),
    ("select a from t asof join u on t.id = u.id and t.ts >= u.ts", "asof join", "INNER"),
    ("select a from t order by a nulls last", "nulls first/last", "NULLS LAST"),
    ("select a from t order by a desc nulls first", "nulls first/last", "NULLS FIRST"),
    ("select a, sum(b) as s from t group by rollup (a)", "group by rollup/cube/grouping sets", "ROLLUP"),
    ("select a, sum(b) as s from t group by grouping sets ((a), ())", "group by rollup/cube/grouping sets", "GROUPING"),
    ("select * from unnest(x) as u", "unnest", "arrays"),
    ("select {'a': 1} as s", "struct literal", "a"),
    ("select a from t where d >= date '2026-01-01'", "typed literal", "CAST"),
    ("create view v as select a from t order by a", "order by in a view, subquery or CTE", "TOP"),
    (
        "create view v as select a from t union all select b from u order by a",
        "order by in a view, subquery or CTE",
        "TOP",
    ),
    ("with c as (select a from t order by a) select a from c", "order by in a view, subquery or CTE", "OFFSET"),
    ("select a from (select a from t order by a) as x", "order by in a view, subquery or CTE", "TOP"),
]

ACCEPTED = [
    "select try_cast(a as int) as n from t",
    "select try_convert(int, a) as n from t",
    "select string_agg(a, ',') within group (order by a) as s from t group by b",
    "select percentile_cont(0.5) within group (order by a) over (partition by b) as p from t",
    "select convert(varchar(10), d, 23) as s from t",
    "select iif(a > 1, 1, 0) as x from t",
    "select top (5) a from t order by a",
    "select a from t order by a offset 5 rows fetch next 5 rows only",
    "select a from t cross apply (select 1 as b) as l",
    "select case when a > 1 then 1 when b is null then 2 else 0 end as x from t",
    "select case a when 1 then 'one' else 'other' end as x from t",
    "select a from t where exists (select 1 from u where u.a = t.a) and (b = 1 or not c in (1, 2))",
    "select cast(a as datetime2(6)) as a, cast(b as datetimeoffset) as b, cast(c as decimal(18, 2)) as c from t",
    "select cast(a as nvarchar(4000)) as a, cast(b as uniqueidentifier) as b, cast(c as double precision) as c from t",
    "select sum(a) over (partition by b order by d rows between 1 preceding and current row) as s from t",
    "select json_value(a, '$.x') as x, isjson(a) as j from t",
    "select dateadd(day, 1, d) as d, datediff(day, d, e) as n, eomonth(d) as m from t",
    "select a + b as ab, concat(a, b) as c, left(a, 2) as l from t",
    "select avg(a) as a, count_big(*) as n, approx_count_distinct(b) as d from t",
    "CREATE TABLE x WITH (DISTRIBUTION = HASH(a), CLUSTERED COLUMNSTORE INDEX) AS SELECT a FROM t",
    'if object_id (\'"gold"."x"\',\'V\') is not null\n begin\n drop view "gold"."x"\n end\n'
    'if object_id (\'"gold"."x"\',\'U\') is not null\n begin\n drop table "gold"."x"\n end\n'
    'rename object "gold"."x__dbt_temp" to x',
    "select 'a || b' as s, 'x::int' as t from t",
    "create view v as select top 5 a from t order by a",
    "create view v as select a from t order by a offset 0 rows",
    "select a from t union all select b from u order by a",
    "select a from t order by a asc, b desc",
    "select cast('2026-01-01' as date) as d, convert(date, '2026-01-01') as e, try_cast(a as time) as f from t",
    "select a from t full outer join u on t.id = u.id left join v on v.id = u.id",
]


@pytest.mark.parametrize(("sql", "check", "detail"), REJECTED, ids=[case[1] + ": " + case[0] for case in REJECTED])
def test_each_rejected_construct_is_named(sql: str, check: str, detail: str) -> None:
    found = problems(sql)
    assert any(c == check and detail in d for c, d in found), found


@pytest.mark.parametrize("sql", ACCEPTED)
def test_valid_dedicated_pool_tsql_passes(sql: str) -> None:
    assert problems(sql) == []


def test_sql_the_rules_cannot_read_is_reported_not_passed() -> None:
    assert [check for check, _ in problems("select from from where")] == ["not readable for the Synapse rules"]


def test_deeply_nested_calls_are_read() -> None:
    nested = "a"
    for position in range(80):
        nested = f"replace({nested}, '{position}', '')"
    assert problems(f"select {nested} as a from t") == []
    assert problems(f"select translate({nested}, 'ab', 'cd') as a from t") == [
        ("function not in a dedicated SQL pool", "translate()")
    ]


def test_the_allow_list_follows_the_documented_function_list() -> None:
    for documented in ("percentile_cont", "string_agg", "hashbytes", "eomonth", "concat_ws", "try_cast", "iif"):
        assert documented in SUPPORTED_FUNCTIONS
    for absent in ("translate", "string_escape", "greatest", "least", "datetrunc", "date_bucket", "generate_series"):
        assert absent not in SUPPORTED_FUNCTIONS
