"""The landing contract is the dbt source YAML, read by the Python side at run time:
the YAML documents every landed entity for analysts, and a change to it is what the
generator, the intake and the anomaly checks see."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from flick_ops.lake.contract import SOURCES_GLOB, ContractError, Entity, entities, entity

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _source_tables() -> dict[tuple[str, str], dict]:
    tables: dict[tuple[str, str], dict] = {}
    for path in sorted(PROJECT_ROOT.glob(SOURCES_GLOB)):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for source in document.get("sources", []):
            for table in source.get("tables", []):
                tables[(source["name"], table["name"])] = {"source": source, **table}
    return tables


SOURCE_TABLES = _source_tables()


def _copy_of_the_contract(destination: Path) -> Path:
    for path in PROJECT_ROOT.glob(SOURCES_GLOB):
        copy = destination / path.relative_to(PROJECT_ROOT)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
    return destination


def test_the_contract_holds_every_landed_entity_of_the_six_sources() -> None:
    assert {(e.source, e.name) for e in entities()} == {
        ("app", "accounts"),
        ("app", "profiles"),
        ("app", "subscription_events"),
        ("app", "ratings"),
        ("app", "watchlist_adds"),
        ("studio", "originals"),
        ("vendor", "catalog"),
        ("vendor", "license_windows"),
        ("social", "mentions"),
        ("reviews", "scores"),
        ("playback", "events"),
    }
    assert entity("app", "accounts").field("status").accepted_values == ("active", "suspended", "closed")
    assert entity("vendor", "catalog").key == ("show_id", "ingest_date")
    assert entity("vendor", "catalog").file_format == "csv"


def test_a_change_in_the_source_yaml_is_what_python_reads(tmp_path: Path) -> None:
    project = _copy_of_the_contract(tmp_path)
    sources = project / "models" / "bronze" / "app" / "_app__sources.yml"
    text = sources.read_text(encoding="utf-8")
    assert text.count("accepted_values: [active, suspended, closed]") == 1
    sources.write_text(
        text.replace(
            "accepted_values: [active, suspended, closed]", "accepted_values: [active, suspended, closed, paused]"
        ),
        encoding="utf-8",
    )

    assert entity("app", "accounts", project).field("status").accepted_values == (
        "active",
        "suspended",
        "closed",
        "paused",
    )
    assert "paused" not in entity("app", "accounts").field("status").accepted_values


@pytest.mark.parametrize(
    ("original", "broken"),
    [
        ("    tables:\n", "    tables: [\n"),
        ("                logical_type: timestamp\n", "                logical_type: datetime\n"),
        (
            "                accepted_values: [active, suspended, closed]\n",
            "                accepted_values: [no, yes]\n",
        ),
    ],
    ids=["not_yaml", "unknown_logical_type", "unquoted_boolean_value"],
)
def test_a_broken_source_yaml_is_named_in_the_error(tmp_path: Path, original: str, broken: str) -> None:
    project = _copy_of_the_contract(tmp_path)
    sources = project / "models" / "bronze" / "app" / "_app__sources.yml"
    sources.write_text(sources.read_text(encoding="utf-8").replace(original, broken, 1), encoding="utf-8")

    with pytest.raises(ContractError, match=re.escape(str(sources))):
        entities(project)


def test_a_missing_source_yaml_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match=r"no source YAML at .*models/bronze"):
        entities(tmp_path)


@pytest.mark.parametrize("entity", entities(), ids=lambda e: f"{e.source}.{e.name}")
def test_every_documented_column_has_a_description(entity: Entity) -> None:
    table = SOURCE_TABLES[(entity.source, entity.name)]
    undocumented = [column["name"] for column in table.get("columns", []) if not column.get("description")]
    assert undocumented == []


@pytest.mark.parametrize("entity", entities(), ids=lambda e: f"{e.source}.{e.name}")
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
