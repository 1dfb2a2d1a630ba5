"""Real-world files landed beside a clean lake: each is read or quarantined, and never takes the warehouse down.

Every variant of the zoo (`file_zoo.py`: dialects, encodings, compression,
drifted headers, garbage) is landed into one small lake at once, and the daily
command, `flick-ops run`, is run on it with its tests. The run must succeed,
publish every spec entry, account for every landed file (the dbt test
`assert_every_landed_file_is_read_or_quarantined` passes) and name each
quarantined file in its post-mortem and alert; then each variant's outcome is
checked against the one it names. A second run lands only the binary
`.jsonl` of the zoo into the playback stream: the stream it lands in must
build, and only that file is lost.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from conftest import run_command_args
from file_zoo import FILE_QUARANTINE, Variant, catalog_variants, clean_playback_lines, land, playback_variants

from flick_ops.cli import main
from flick_ops.generate import generate_lake
from flick_ops.generate.world import GeneratorConfig
from flick_ops.run.history import RunRecord
from flick_ops.run.postmortem import build_postmortem, render_markdown

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DAY = "2026-10-03"
AS_OF = f"{DAY}T12:00"
SILVER_KEYS = {"catalog": ("silver.vendor_titles", "show_id"), "playback": ("silver.playback_events", "event_id")}
QUARANTINE = {"catalog": "silver.quarantine_vendor", "playback": "silver.quarantine_playback"}


@dataclass(frozen=True)
class ZooRun:
    lake: Path
    warehouse: Path
    exit_code: int
    output: str
    variants: tuple[Variant, ...]

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse / "flick.duckdb"), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def record(self) -> RunRecord:
        return RunRecord.open(self.warehouse / "runs")


def _clean_lake(folder: Path) -> Path:
    lake = folder / "lake"
    config = GeneratorConfig(lake_root=lake, accounts=200, days=3, events_per_day=1500, dirty_rate=0.0)
    generate_lake(config)
    return lake


def _run(folder: Path, lake: Path) -> tuple[int, str]:
    project = folder / "project"
    ignored = {".venv", "target", "logs", "lake", "warehouse", ".git", ".flick", "node_modules"}
    shutil.copytree(PROJECT_ROOT, project, ignore=lambda _d, names: {n for n in names if n in ignored})
    warehouse = folder / "warehouse"
    warehouse.mkdir()
    args = run_command_args(project, lake, warehouse, AS_OF)
    result = CliRunner().invoke(main, args, env={"FLICK_DUCKDB_PATH": str(warehouse / "flick.duckdb")})
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def zoo_run(tmp_path_factory: pytest.TempPathFactory) -> ZooRun:
    folder = tmp_path_factory.mktemp("zoo")
    lake = _clean_lake(folder)
    variants = (*catalog_variants(), *playback_variants(clean_playback_lines(lake, DAY, 40)))
    for variant in variants:
        land(lake, variant, DAY)
    exit_code, output = _run(folder, lake)
    return ZooRun(lake, folder / "warehouse", exit_code, output, variants)


def test_the_daily_run_succeeds_and_publishes_everything(zoo_run: ZooRun) -> None:
    assert zoo_run.exit_code == 0, zoo_run.output
    summary = zoo_run.record().summary()
    assert summary["publish"]["held_back"] == {}, summary["publish"]
    assert summary["publish"]["published"], summary["publish"]


def test_every_landed_file_is_accounted_for(zoo_run: ZooRun) -> None:
    results = {r["unique_id"]: r for r in zoo_run.record().attempts()[0]["results"]}
    accounting = results["test.flick.assert_every_landed_file_is_read_or_quarantined"]
    assert (accounting["status"], accounting["failures"]) == ("pass", 0)
    landed = {p.relative_to(zoo_run.lake).as_posix() for p in (zoo_run.lake / "bronze").rglob("*") if p.is_file()}
    in_manifest = {row[0] for row in zoo_run.query("select landed_file from bronze.stg_intake__landed_files")}
    assert landed == in_manifest


def test_the_post_mortem_and_the_alert_name_each_quarantined_file(zoo_run: ZooRun) -> None:
    report = render_markdown(build_postmortem(zoo_run.record()))
    alerts = (zoo_run.warehouse / "alerts.jsonl").read_text(encoding="utf-8")
    for variant in zoo_run.variants:
        if variant.outcome == FILE_QUARANTINE:
            named = f"{variant.relative_path(DAY)}: quarantined as {variant.reason}"
            assert named in report
            assert json.dumps(named)[1:-1] in alerts


def test_drift_is_reported_with_the_column_and_its_first_values(zoo_run: ZooRun) -> None:
    [extra] = [v for v in zoo_run.variants if v.name == "extra_column"]
    [(unknown,)] = zoo_run.query(
        "select unknown_columns from bronze.stg_intake__landed_files where landed_file = ?", [extra.relative_path(DAY)]
    )
    assert json.loads(unknown) == [{"column": "imdb_id", "first_values": ["tt0000000", "tt0000001"]}]
    [(payload,)] = zoo_run.query("select _raw_payload from bronze.stg_vendor__catalog_titles where show_id = 'zextra1'")
    assert json.loads(payload)["imdb_id"] == "tt0000000"
    results = {r["unique_id"]: r for r in zoo_run.record().attempts()[0]["results"]}
    assert results["test.flick.assert_landed_files_hold_only_contract_columns"]["status"] == "warn"


@pytest.mark.parametrize("name", [v.name for v in (*catalog_variants(), *playback_variants(["{}"] * 40))])
def test_each_variant_has_the_outcome_it_names(zoo_run: ZooRun, name: str) -> None:
    [variant] = [v for v in zoo_run.variants if v.name == name]
    landed_file = variant.relative_path(DAY)
    [(status, reason, intake_file)] = zoo_run.query(
        "select status, reason, intake_file from bronze.stg_intake__landed_files where landed_file = ?", [landed_file]
    )
    if variant.outcome == FILE_QUARANTINE:
        assert (status, reason) == ("quarantined", variant.reason)
        assert zoo_run.query(
            "select quarantine_reason from silver.quarantine_files where landed_file = ?", [landed_file]
        ) == [(variant.reason,)]
        return
    assert (status, reason) == ("read", None)
    table, key = SILVER_KEYS[variant.entity]
    in_silver = {
        row[0]: row for row in zoo_run.query(f"select {key}, * from {table} where _source_file = ?", [intake_file])
    }
    assert set(in_silver) == set(variant.keys)
    columns = [c[0] for c in zoo_run.query(f"select column_name from (describe {table})")]
    for key_value, expected in variant.expected_values.items():
        row = dict(zip(["_key", *columns], in_silver[key_value], strict=True))
        assert {column: _plain(row[column]) for column in expected} == expected
    quarantined = dict(
        zoo_run.query(
            f"select quarantine_reason, count(*) from {QUARANTINE[variant.entity]} where _source_file = ? group by 1",
            [intake_file],
        )
    )
    assert quarantined == variant.quarantined


def _plain(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value


def test_a_binary_file_in_the_playback_stream_costs_only_that_file(tmp_path: Path) -> None:
    lake = _clean_lake(tmp_path)
    path = lake / "bronze" / "playback" / "events" / f"ingest_date={DAY}" / "part-00001.jsonl"
    path.write_bytes(random.Random(3).randbytes(4096))
    exit_code, output = _run(tmp_path, lake)
    assert exit_code == 0, output
    record = RunRecord.open(tmp_path / "warehouse" / "runs")
    assert record.summary()["publish"]["held_back"] == {}
    report = render_markdown(build_postmortem(record))
    assert "bronze/playback/events/ingest_date=2026-10-03/part-00001.jsonl: quarantined as not_json_lines" in report
    with duckdb.connect(str(tmp_path / "warehouse" / "flick.duckdb"), read_only=True) as con:
        [(events,)] = con.execute(
            "select count(*) from silver.playback_events where _ingest_date = ?", [DAY]
        ).fetchall()
    assert events > 0
