"""The landing contract is stated twice, for two readers: in Python for the
generator and in the dbt source YAML for analysts. These tests keep them equal."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flick_ops.lake.contract import ENTITIES, Entity

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _source_tables() -> dict[tuple[str, str], dict]:
    tables: dict[tuple[str, str], dict] = {}
    for path in sorted((PROJECT_ROOT / "models" / "bronze").glob("*/_*__sources.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for source in document.get("sources", []):
            for table in source.get("tables", []):
                tables[(source["name"], table["name"])] = {"source": source, **table}
    return tables


SOURCE_TABLES = _source_tables()


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: f"{e.source}.{e.name}")
def test_every_landed_entity_is_a_documented_source(entity: Entity) -> None:
    assert (entity.source, entity.name) in SOURCE_TABLES, f"no dbt source table {entity.source}.{entity.name}"


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: f"{e.source}.{e.name}")
def test_source_yaml_documents_exactly_the_contract_columns(entity: Entity) -> None:
    table = SOURCE_TABLES[(entity.source, entity.name)]
    documented = [column["name"] for column in table.get("columns", [])]
    assert documented == entity.column_names


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: f"{e.source}.{e.name}")
def test_every_documented_column_has_a_description(entity: Entity) -> None:
    table = SOURCE_TABLES[(entity.source, entity.name)]
    undocumented = [column["name"] for column in table.get("columns", []) if not column.get("description")]
    assert undocumented == []


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: f"{e.source}.{e.name}")
def test_every_source_table_has_freshness_and_loaded_at(entity: Entity) -> None:
    table = SOURCE_TABLES[(entity.source, entity.name)]
    source = table["source"]

    def declared(key: str):
        # A table inherits what its source declares, in dbt's own order of precedence.
        for level in (table.get("config", {}), table, source.get("config", {}), source):
            if level.get(key):
                return level[key]
        return None

    loaded_at = declared("loaded_at_field")
    freshness = declared("freshness")
    assert loaded_at, "loaded_at_field missing (it may also sit on the source)"
    assert freshness and "warn_after" in freshness and "error_after" in freshness
