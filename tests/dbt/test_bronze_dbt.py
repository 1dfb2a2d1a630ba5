"""Bronze keeps every landed row, dirty ones included: real `dbt build` runs of the
Bronze views and reference seeds over a generated lake, checked against the files.

On top of the generator's own dirty rows, each run plants a file of its own with
known bad lines (malformed, empty, mistyped, missing field, exact re-delivery)
and a drifted catalog file, so the checks do not depend on what the generator
happens to draw.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from flick_ops.dbt.runner import DbtOutcome, DbtWorkspace, run_dbt
from flick_ops.generate import generate_lake
from flick_ops.generate.world import GeneratorConfig
from flick_ops.lake.contract import Entity, entities, entity

BUILD_TIMEOUT_SECONDS = 600
BRONZE_SELECTION = ["--select", "tag:bronze", "tag:reference", "--indirect-selection", "cautious"]
PLANTED_PART = 99
PLANTED_DAY = date(2026, 10, 2)

MODEL_NAMES = {
    ("vendor", "catalog"): "stg_vendor__catalog_titles",
}

GOOD_EVENT = {
    "event_id": "planted-good",
    "session_id": "s-1",
    "account_id": "A0000001",
    "profile_id": "P00000001",
    "title_id": "s1",
    "event_type": "play",
    "position_ms": 1000,
    "bitrate_kbps": 4500,
    "device": "web",
    "os": "windows",
    "app_version": "1.2.3",
    "cdn": "akamai",
    "country": "US",
    "client_ts": "2026-10-02T10:00:00.123Z",
    "enqueued_time": "2026-10-02T10:00:01.456Z",
    "partition": 3,
    "sequence_number": 42,
}
MALFORMED_LINE = '{"event_id": "planted-malformed", "position_ms": 12'
MISTYPED_EVENT = {**GOOD_EVENT, "event_id": "planted-mistyped", "position_ms": "twelve", "client_ts": "yesterday"}
MISSING_FIELD_EVENT = {key: value for key, value in GOOD_EVENT.items() if key != "session_id"} | {
    "event_id": "planted-missing"
}
TRICKY_TEXT_EVENT = {**GOOD_EVENT, "event_id": "planted-tricky", "app_version": 'a,b "quoted" back\\slash'}
REDELIVERED_LINE = json.dumps({**GOOD_EVENT, "event_id": "planted-redelivered"})
PLANTED_PLAYBACK_LINES = [
    json.dumps(GOOD_EVENT),
    MALFORMED_LINE,
    "",
    json.dumps(MISTYPED_EVENT),
    json.dumps(MISSING_FIELD_EVENT),
    json.dumps(TRICKY_TEXT_EVENT),
    REDELIVERED_LINE,
    REDELIVERED_LINE,
]

CATALOG = entity("vendor", "catalog")
DRIFTED_CATALOG_COLUMNS = [c for c in CATALOG.column_names if c not in ("cast", "description")]
DRIFTED_CATALOG_ROWS = [
    [
        "s900001",
        "Movie",
        "Planted Drift",
        "A. Director",
        "France",
        "October 2, 2026",
        "2019",
        "TV-14",
        "95 min",
        "Dramas",
    ],
    # Shifted by one column: the duration sits in `rating`, `duration` is empty.
    ["s900002", "TV Show", "Planted Shift", "", "Japan", "October 2, 2026", "20x1", "2 Seasons", "", "Anime Series"],
]


@dataclass(frozen=True)
class BronzeBuild:
    lake: Path
    workspace: DbtWorkspace
    outcome: DbtOutcome

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.workspace.duckdb_path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


def model_name(landed: Entity) -> str:
    return MODEL_NAMES.get((landed.source, landed.name), f"stg_{landed.source}__{landed.name}")


WIDE_SCORE_ROW = 'imdb,tt0000001,"Wide, Row",2020,7.5,1200,2026-10-01T00:00:00Z,SURPLUS'


def plant_dirty_files(lake: Path) -> None:
    playback_file = entity("playback", "events").file_path(lake, PLANTED_DAY, part=PLANTED_PART)
    playback_file.write_text("\n".join(PLANTED_PLAYBACK_LINES) + "\n", encoding="utf-8")
    catalog_file = CATALOG.file_path(lake, PLANTED_DAY, part=PLANTED_PART)
    catalog_file.parent.mkdir(parents=True, exist_ok=True)
    with open(catalog_file, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(DRIFTED_CATALOG_COLUMNS)
        writer.writerows(DRIFTED_CATALOG_ROWS)
    scores = sorted((lake / "bronze" / "reviews" / "scores").glob("*/*.csv"))[0]
    with open(scores, "a", encoding="utf-8") as handle:
        handle.write(WIDE_SCORE_ROW + "\n")


def landed_rows_per_file(landed: Entity, lake: Path) -> Counter:
    """Records each landed file holds: every non-blank line of a JSON-lines file, every non-blank CSV record."""
    counts: Counter = Counter()
    for path in sorted((lake / "bronze" / landed.source / landed.name).glob(f"*/*.{landed.extension}")):
        with open(path, encoding="utf-8", newline="") as handle:
            if landed.file_format == "jsonl":
                counts[str(path.resolve())] = sum(1 for line in handle if line.strip())
            else:
                counts[str(path.resolve())] = sum(1 for record in list(csv.reader(handle))[1:] if record)
    return counts


@pytest.fixture(scope="module")
def bronze_build(tmp_path_factory) -> BronzeBuild:
    folder = tmp_path_factory.mktemp("bronze")
    lake = folder / "lake"
    generate_lake(
        GeneratorConfig(lake_root=lake, accounts=200, days=3, events_per_day=2000, dirty_rate=0.02),
    )
    plant_dirty_files(lake)
    workspace = DbtWorkspace.in_folder(folder, lake_root=lake)
    outcome = run_dbt(
        ["build", "--target", "duckdb", *BRONZE_SELECTION], workspace, timeout_seconds=BUILD_TIMEOUT_SECONDS
    )
    return BronzeBuild(lake, workspace, outcome)


def test_bronze_and_reference_build_is_green(bronze_build: BronzeBuild) -> None:
    assert bronze_build.outcome.succeeded, bronze_build.outcome.output[-5000:]
    assert bronze_build.outcome.failures() == []
    built = {r["unique_id"] for r in bronze_build.outcome.run_results["results"]}
    assert {f"model.flick.{model_name(e)}" for e in entities()} <= built
    assert "test.flick.assert_every_landed_file_is_read_or_quarantined" in built


@pytest.mark.parametrize("landed", entities(), ids=lambda e: f"{e.source}.{e.name}")
def test_every_landed_row_is_in_bronze_exactly_once(bronze_build: BronzeBuild, landed: Entity) -> None:
    expected = landed_rows_per_file(landed, bronze_build.lake)
    assert sum(expected.values()) > 0, "the generator landed nothing for this entity"
    rows = bronze_build.query(
        f"select _source_file, count(*), count(distinct _bronze_row_id) from bronze.{model_name(landed)} "
        "group by _source_file"
    )
    in_bronze = Counter({str((bronze_build.lake / file).resolve()): count for file, count, _ in rows})
    assert in_bronze == expected
    assert all(count == distinct_ids for _, count, distinct_ids in rows)


def test_malformed_lines_are_kept_with_their_text_and_blank_lines_counted(bronze_build: BronzeBuild) -> None:
    rows = bronze_build.query(
        "select _raw_payload, _is_valid_json, event_id, position_ms_raw from bronze.stg_playback__events "
        "where _source_file like ? and _is_valid_json = 0 order by _raw_payload",
        [f"%part-{PLANTED_PART:05d}.jsonl"],
    )
    assert rows == [(MALFORMED_LINE, 0, None, None)]
    counted = bronze_build.query(
        "select records, blank_lines from bronze.stg_intake__landed_files where landed_file like ?",
        [f"%playback/events/%part-{PLANTED_PART:05d}.jsonl"],
    )
    assert counted == [(len(PLANTED_PLAYBACK_LINES) - 1, 1)]


def test_generator_malformed_lines_are_flagged_not_dropped(bronze_build: BronzeBuild) -> None:
    malformed = []
    for path in (bronze_build.lake / "bronze").glob("*/*/*/part-00000.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                is_object = isinstance(json.loads(line), dict)
            except json.JSONDecodeError:
                is_object = False
            if not is_object:
                malformed.append(line)
    assert malformed, "the generator planted no malformed lines; raise dirty_rate"
    flagged = {
        row[0]
        for e in entities()
        if e.file_format == "jsonl"
        for row in bronze_build.query(f"select _raw_payload from bronze.{model_name(e)} where _is_valid_json = 0")
    }
    assert set(malformed) <= flagged


def test_mistyped_values_are_null_with_the_raw_text_kept(bronze_build: BronzeBuild) -> None:
    rows = bronze_build.query(
        "select position_ms, position_ms_raw, client_ts, client_ts_raw, bitrate_kbps, _is_valid_json "
        "from bronze.stg_playback__events where event_id = 'planted-mistyped'"
    )
    assert rows == [(None, "twelve", None, "yesterday", 4500, 1)]


def test_missing_field_is_null_and_tricky_text_survives(bronze_build: BronzeBuild) -> None:
    missing = bronze_build.query(
        "select session_id, position_ms from bronze.stg_playback__events where event_id = 'planted-missing'"
    )
    assert missing == [(None, 1000)]
    tricky = bronze_build.query(
        "select app_version, _raw_payload from bronze.stg_playback__events where event_id = 'planted-tricky'"
    )
    assert tricky == [(TRICKY_TEXT_EVENT["app_version"], json.dumps(TRICKY_TEXT_EVENT))]


def test_typed_columns_parse_the_contract_formats(bronze_build: BronzeBuild) -> None:
    rows = bronze_build.query(
        "select cast(client_ts as varchar), cast(_loaded_at as varchar), partition_number, sequence_number "
        "from bronze.stg_playback__events where event_id = 'planted-good'"
    )
    assert rows == [("2026-10-02 10:00:00.123", "2026-10-02 10:00:01.456", 3, 42)]


def test_redelivered_lines_get_distinct_stable_ids(bronze_build: BronzeBuild) -> None:
    sql = (
        "select _bronze_row_id from bronze.stg_playback__events "
        "where event_id = 'planted-redelivered' order by _bronze_row_id"
    )
    first = bronze_build.query(sql)
    assert len({row[0] for row in first}) == 2
    assert bronze_build.query(sql) == first


def test_drifted_catalog_file_reads_with_null_dropped_columns(bronze_build: BronzeBuild) -> None:
    rows = bronze_build.query(
        "select show_id, cast_members, description, director, release_year, release_year_raw, rating, duration, "
        "_raw_payload from bronze.stg_vendor__catalog_titles where _source_file like ? order by show_id",
        [f"%part-{PLANTED_PART:05d}.csv"],
    )
    drift, shifted = rows
    assert drift[:8] == ("s900001", None, None, "A. Director", 2019, "2019", "TV-14", "95 min")
    assert json.loads(drift[8]) == dict(zip(DRIFTED_CATALOG_COLUMNS, DRIFTED_CATALOG_ROWS[0], strict=True))
    # The shifted row is kept as sent; Silver recognises "2 Seasons" as a duration.
    assert shifted[:8] == ("s900002", None, None, None, None, "20x1", "2 Seasons", None)


def test_a_csv_row_wider_than_its_header_keeps_every_field_and_is_flagged(bronze_build: BronzeBuild) -> None:
    rows = bronze_build.query(
        "select site_title_id, title, _intake_issue, _raw_payload from bronze.stg_reviews__scores "
        "where site_title_id = 'tt0000001' and title = 'Wide, Row'"
    )
    [(_, _, issue, payload)] = rows
    assert issue == "8 fields for a header of 7"
    assert json.loads(payload)["_surplus"] == ["SURPLUS"]
