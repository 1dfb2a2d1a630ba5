"""The dialect checks catch what breaks on T-SQL, in planted SQL and in planted models compiled offline.

The planted models live in a copy of the project; compiling only them takes
~30 s per engine (dbt's parse of the whole project dominates).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flick_ops.compile.dialects import check_compilation, tsql_traps
from flick_ops.compile.harness import compile_offline, plant_models

SCRATCH_MODELS = {
    "scratch_nested_cte": (
        "with outer_numbers as (\n    with inner_numbers as (select 1 as n)\n    select n from inner_numbers\n)\n"
        "select n from outer_numbers\n"
    ),
    "scratch_limit": "select n from (select 1 as n) as numbers order by n limit 1\n",
    "scratch_plan": "select plan from (select 1 as n) as numbers\n",
    "scratch_clean": "with numbers as (select 1 as n)\nselect n from numbers\n",
    "scratch_events_incremental": """\
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

select
    event_id,
    account_id,
    _ingest_date
from {{ ref('playback_events') }}
{% if is_incremental() %}
where _ingest_date >= (select max(_ingest_date) from {{ this }})
{% endif %}
""",
}

SCRATCH_PROPERTIES = """\
version: 2
models:
  - name: scratch_events_incremental
    description: One row per event; a planted incremental model.
    columns:
      - name: event_id
        description: Event id.
      - name: account_id
        description: Account id.
      - name: _ingest_date
        description: Landing date.
"""


@pytest.fixture(scope="module")
def planted_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the dbt project (no lake, warehouse or artifacts) with the scratch models planted."""
    scratch = tmp_path_factory.mktemp("planted") / "scratch"
    scratch.mkdir()
    for name, sql in SCRATCH_MODELS.items():
        (scratch / f"{name}.sql").write_text(sql)
    (scratch / "_scratch__models.yml").write_text(SCRATCH_PROPERTIES)
    return plant_models(scratch, tmp_path_factory.mktemp("project") / "flick")


def test_planted_nested_cte_limit_and_reserved_word_fail_the_synapse_checks(
    planted_project: Path, tmp_path: Path
) -> None:
    compilation = compile_offline(
        "synapse", tmp_path / "out", project_dir=planted_project, select=["path:models/scratch"]
    )
    findings = check_compilation(compilation)

    assert {f.node for f in findings} == {
        "model.flick.scratch_nested_cte",
        "model.flick.scratch_limit",
        "model.flick.scratch_plan",
    }, "\n".join(map(str, findings))
    checks = {(f.node, f.check) for f in findings}
    assert ("model.flick.scratch_nested_cte", "nested CTE") in checks
    assert ("model.flick.scratch_limit", "limit") in checks

    # The planted incremental model takes delete+insert once its table exists.
    fresh = "\n".join(compilation.for_node("scratch_events_incremental", "fresh")).lower()
    existing = "\n".join(compilation.for_node("scratch_events_incremental", "existing")).lower()
    assert "delete from" not in fresh
    assert "delete from" in existing and "insert into" in existing and "max(_ingest_date)" in existing


def test_a_planted_incremental_model_takes_its_incremental_path_on_databricks(
    planted_project: Path, tmp_path: Path
) -> None:
    compilation = compile_offline(
        "databricks", tmp_path / "out", project_dir=planted_project, select=["scratch_events_incremental"]
    )
    assert check_compilation(compilation) == []

    fresh = "\n".join(compilation.for_node("scratch_events_incremental", "fresh")).lower()
    existing = "\n".join(compilation.for_node("scratch_events_incremental", "existing")).lower()
    assert "create or replace table" in fresh and "replace on" not in fresh
    # Databricks' delete+insert is one statement on current runtimes: insert ... replace on (key match).
    assert "insert into table" in existing and "replace on (target.`event_id` <=> temp.`event_id`)" in existing
    assert "max(_ingest_date)" in existing


@pytest.mark.parametrize(
    ("sql", "trap"),
    [
        ("with a as (with b as (select 1 as n) select n from b) select n from a", "nested CTE"),
        ("select n from (with b as (select 1 as n) select n from b) as a", "nested CTE"),
        (
            "EXEC('create view v as with a as (with b as (select ''x'' as s) select s from b) select s from a')",
            "nested CTE",
        ),
        ("select n from t order by n limit 1", "limit"),
        ("select n from t where is_active = true", "boolean literal"),
        ("select n, count(*) as c from t group by 1", "group by ordinal"),
        ("select n, count(*) as c from t group by n, 2", "group by ordinal"),
        ("select user from t", "reserved word as bare identifier"),
        (
            "CREATE TABLE x WITH (DISTRIBUTION = ROUND_ROBIN, CLUSTERED COLUMNSTORE INDEX) AS "
            "SELECT cast(a as nvarchar(max)) as a FROM t",
            "varchar(max) in a columnstore table",
        ),
    ],
)
def test_each_tsql_trap_is_caught(sql: str, trap: str) -> None:
    assert trap in {check for check, _ in tsql_traps(sql)}


def test_portable_tsql_has_no_traps() -> None:
    sql = (
        "with a as (select 1 as n, 'true' as label, [plan] from t), b as (select n from a) "
        "select top 10 n, count(*) as c from b group by n -- limit 1 in a comment\n"
        "CREATE TABLE y WITH (DISTRIBUTION = HASH(n), HEAP) AS SELECT cast(a as varchar(max)) as a FROM t"
    )
    assert tsql_traps(sql) == []
