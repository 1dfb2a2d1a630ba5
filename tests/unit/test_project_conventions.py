"""Project rules from STYLE.md that a reader should never have to check by eye.

Static checks over the model files, their YAML, the macros and the singular
tests: documentation on every model and column, contracts on Gold with types
that exist on all three engines, and SQL free of the constructs that break on
T-SQL or Spark.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MODELS = PROJECT_ROOT / "models"

# `cast(null as <type>)` works on DuckDB, Spark/Databricks and Synapse for these
# spellings (dbt translates `timestamp` to DATETIME2(6) on Synapse). Bare
# varchar/string become VARCHAR(MAX) on Synapse, which columnstore tables refuse;
# float/double differ in width or do not exist across the engines.
PORTABLE_TYPE = re.compile(r"^(varchar\(\d+\)|int|bigint|decimal\(\d+,\s*\d+\)|date|timestamp)$", re.IGNORECASE)

SQL_TRAPS = {
    "`::` cast (use cast() or dbt.safe_cast)": re.compile(r"::"),
    "`||` concatenation (use dbt.concat)": re.compile(r"\|\|"),
    "`limit` (T-SQL has none)": re.compile(r"\blimit\s+\d", re.IGNORECASE),
    "`qualify` (T-SQL has none)": re.compile(r"\bqualify\b", re.IGNORECASE),
    "`group by` ordinal": re.compile(r"\bgroup\s+by\s+\d", re.IGNORECASE),
    "boolean literal (use 0/1 flags)": re.compile(r"(?<![\w.'\"])(true|false)(?![\w'\"])", re.IGNORECASE),
}


def _model_sql_files() -> list[Path]:
    return sorted(MODELS.rglob("*.sql"))


def _model_properties() -> dict[str, dict]:
    properties: dict[str, dict] = {}
    for path in sorted(MODELS.rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models", []) or []:
            properties[model["name"]] = model
    return properties


PROPERTIES = _model_properties()


def _traps(sql: str) -> list[str]:
    return [trap for trap, pattern in SQL_TRAPS.items() if pattern.search(sql)]


def _sql_without_comments(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.DOTALL)
    text = re.sub(r"--[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    return re.sub(r"'(?:[^']|'')*'", "''", text)


@pytest.mark.parametrize("path", _model_sql_files(), ids=lambda p: p.stem)
def test_every_model_is_documented_with_its_columns(path: Path) -> None:
    model = PROPERTIES.get(path.stem)
    assert model is not None, f"{path.relative_to(PROJECT_ROOT)} has no YAML properties"
    assert (model.get("description") or "").strip(), f"{path.stem} has no description"
    columns = model.get("columns") or []
    assert columns, f"{path.stem} documents no columns"
    undocumented = [c["name"] for c in columns if not (c.get("description") or "").strip()]
    assert undocumented == [], f"{path.stem}: columns without a description: {undocumented}"


@pytest.mark.parametrize("path", _model_sql_files(), ids=lambda p: p.stem)
def test_model_sql_avoids_constructs_that_break_on_tsql_or_spark(path: Path) -> None:
    found = _traps(_sql_without_comments(path))
    assert found == [], f"{path.relative_to(PROJECT_ROOT)}: {found}"


# Gold models that leave the warehouse; `int_` models are Gold's internal building blocks.
GOLD_MODELS = sorted(p.stem for p in (MODELS / "gold").rglob("*.sql") if not p.stem.startswith("int_"))


@pytest.mark.parametrize("model_name", GOLD_MODELS)
def test_gold_models_have_enforced_contracts_with_portable_types(model_name: str) -> None:
    model = PROPERTIES[model_name]
    contract = (model.get("config") or {}).get("contract") or model.get("contract") or {}
    assert contract.get("enforced") is True, f"{model_name} leaves the warehouse without an enforced contract"
    not_portable = {
        column["name"]: column.get("data_type")
        for column in model.get("columns", [])
        if not PORTABLE_TYPE.match(str(column.get("data_type", "")).strip())
    }
    assert not_portable == {}, f"{model_name}: types that do not exist on every engine: {not_portable}"


# A macro named `<adapter>__<name>` is one engine's implementation and may use that engine's syntax;
# every other macro's SQL (`default__` ones included) runs on all three engines.
ADAPTER_MACRO = re.compile(r"^(duckdb|spark|databricks|synapse|fabric|sqlserver)__")
MACRO = re.compile(r"\{%-?\s*macro\s+(\w+)\s*\(.*?\)\s*-?%\}(.*?)\{%-?\s*endmacro\s*-?%\}", re.DOTALL)
JINJA_STATEMENT = re.compile(r"\{%.*?%\}", re.DOTALL)


def _portable_sql(text: str) -> dict[str, str]:
    """The SQL text of each macro that every engine runs, Jinja statements (`{% set x = true %}`) left out."""
    return {name: JINJA_STATEMENT.sub("", body) for name, body in MACRO.findall(text) if not ADAPTER_MACRO.match(name)}


def _macro_files() -> list[Path]:
    return sorted((PROJECT_ROOT / "macros").rglob("*.sql"))


def _singular_tests() -> list[Path]:
    return sorted((PROJECT_ROOT / "tests" / "data_tests").rglob("*.sql"))


def _traps_in_macros(text: str) -> dict[str, list[str]]:
    found = {name: _traps(sql) for name, sql in _portable_sql(text).items()}
    return {name: traps for name, traps in found.items() if traps}


@pytest.mark.parametrize("path", _macro_files(), ids=lambda p: p.stem)
def test_macro_sql_avoids_constructs_that_break_on_tsql_or_spark(path: Path) -> None:
    """Models call macros for most of their SQL, so the trap check reads the macros too."""
    found = _traps_in_macros(_sql_without_comments(path))
    assert found == {}, f"{path.relative_to(PROJECT_ROOT)}: {found}"


@pytest.mark.parametrize("path", _singular_tests(), ids=lambda p: p.stem)
def test_singular_test_sql_avoids_constructs_that_break_on_tsql_or_spark(path: Path) -> None:
    found = _traps(JINJA_STATEMENT.sub("", _sql_without_comments(path)))
    assert found == [], f"{path.relative_to(PROJECT_ROOT)}: {found}"


def test_the_trap_check_catches_what_it_claims() -> None:
    planted = "select a::int, b || c, true as f from t group by 1 qualify x limit 10"
    assert all(pattern.search(planted) for pattern in SQL_TRAPS.values())
    assert not SQL_TRAPS["boolean literal (use 0/1 flags)"].search("select is_true_flag, 'false' from t")


def test_the_macro_trap_check_reads_portable_macros_only() -> None:
    planted = (
        "{% macro flag(x, keep=false) %}{% set on = true %}{{ x }} || 'a'{% endmacro %}\n"
        "{% macro duckdb__cast_it(x) %}{{ x }}::int{% endmacro %}\n"
        "{% macro default__cast_it(x) -%} {{ x }}::int {%- endmacro %}"
    )
    assert _traps_in_macros(planted) == {
        "flag": ["`||` concatenation (use dbt.concat)"],
        "default__cast_it": ["`::` cast (use cast() or dbt.safe_cast)"],
    }


def _test_names(tests: list | None) -> set[str]:
    names = set()
    for test in tests or []:
        names.add(test if isinstance(test, str) else next(iter(test)))
    return names


def _has_primary_key_test(model: dict) -> bool:
    if "unique_combination_of_columns" in _test_names(model.get("data_tests") or model.get("tests")):
        return True
    return any(
        {"unique", "not_null"} <= _test_names(column.get("data_tests") or column.get("tests"))
        for column in model.get("columns", [])
    )


def _unit_tests() -> dict[str, str]:
    """Unit test name -> the model it tests."""
    tests: dict[str, str] = {}
    for path in sorted(MODELS.rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for test in document.get("unit_tests", []) or []:
            tests[test["name"]] = test["model"]
    return tests


UNIT_TESTS = _unit_tests()


def _key_tested_elsewhere(name: str, model: dict) -> bool:
    """A Bronze view over a large stream, whose every test would read it whole, may name where its key is
    tested instead (`meta.primary_key_tested_on`): the table holding each of its rows once, with a key
    test there, or one of its own unit tests."""
    where = ((model.get("config") or {}).get("meta") or {}).get("primary_key_tested_on")
    if where is None:
        return False
    if where in PROPERTIES:
        return _has_primary_key_test(PROPERTIES[where])
    return UNIT_TESTS.get(where) == name


@pytest.mark.parametrize("path", _model_sql_files(), ids=lambda p: p.stem)
def test_every_model_has_a_primary_key_test(path: Path) -> None:
    model = PROPERTIES[path.stem]
    assert _has_primary_key_test(model) or _key_tested_elsewhere(path.stem, model), (
        f"{path.stem}: no unique + not_null column, no unique_combination_of_columns"
        " and no meta.primary_key_tested_on naming a model with one or a unit test of this model"
    )


# A verdict column written as a hand-made `case` ladder, or a re-delivery ranked by hand.
HAND_WRITTEN_VERDICT = re.compile(r"\bend\s+as\s+(rule_\w+|quarantine_reason|quarantine_detail)\b", re.IGNORECASE)
HAND_WRITTEN_RANK = re.compile(r"\brow_number\s*\(", re.IGNORECASE)
SILVER_RANKING_MODELS = sorted(
    [*(MODELS / "silver").rglob("int_*_validated.sql"), *(MODELS / "silver").rglob("int_*_deliveries.sql")]
)


@pytest.mark.parametrize("path", sorted((MODELS / "silver").rglob("*.sql")), ids=lambda p: p.stem)
def test_silver_verdicts_come_from_one_rule_list(path: Path) -> None:
    """STYLE rule 12: reason and detail come from one ordered rule list (`validation_columns`)."""
    sql = _sql_without_comments(path)
    assert not HAND_WRITTEN_VERDICT.search(sql), f"{path.stem} writes a verdict `case` ladder by hand"


@pytest.mark.parametrize("path", SILVER_RANKING_MODELS, ids=lambda p: p.stem)
def test_silver_re_deliveries_are_ranked_one_way(path: Path) -> None:
    sql = _sql_without_comments(path)
    assert not HAND_WRITTEN_RANK.search(sql), f"{path.stem} ranks re-deliveries by hand, not with ranked_deliveries"
