"""`flick-ops run` with anomaly checks: a feed that lands on time but wrong is alerted and held, not passed.

One 3-day lake whose first vendor catalog batch is entirely unparsable (every
`release_year` reads `TBA`, so Silver quarantines the whole batch) and whose
second day of social mentions has no sentiment. Run with the project's
settings but vendor: hold (social: warn); again with nothing new (still held);
again with the batch accepted and a run history in which the account-features
mart had twice its rows; and with social set to stop. About 4 minutes on 2
cores.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from test_run_pipeline import (
    AS_OF,
    BASELINE_SELECTION,
    NARROW_SELECTION,
    PROJECT_ROOT,
    Site,
    _copy_project,
    webhook_receiver,
)

from flick_ops.generate import generate_lake
from flick_ops.generate.anomalies import PlantedAnomaly
from flick_ops.generate.world import GeneratorConfig

# The project's settings with the vendor feed's anomalies holding its consumers back.
VENDOR_HOLD = (PROJECT_ROOT / "deploy" / "anomalies.yml").read_text().replace("vendor: warn", "vendor: hold")
assert "vendor: hold" in VENDOR_HOLD
# The published marts and the quarantines the checks read after the build (a whole-project run builds them all).
SELECTION = f"{BASELINE_SELECTION} +quarantine_vendor +quarantine_social"
# Later runs on a copy of the first one's warehouse rebuild only the published marts and what their tests read.
NARROW = f"{NARROW_SELECTION} quarantine_vendor quarantine_social"


@pytest.fixture(scope="module")
def held_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, int, str, list[dict]]:
    folder = tmp_path_factory.mktemp("run_anomalies")
    lake = folder / "lake"
    generate_lake(
        GeneratorConfig(lake_root=lake, accounts=200, days=3, events_per_day=300, start_date=date(2026, 10, 1), seed=7),
        anomalies=[
            PlantedAnomaly.parse("quarantine_spike:vendor.catalog@2026-10-01"),
            PlantedAnomaly.parse("null_burst@2026-10-02"),
        ],
    )
    project = _copy_project(folder / "project", {"deploy/anomalies.yml": VENDOR_HOLD})
    site = Site(project, lake, folder / "warehouse")
    with webhook_receiver() as (url, received):
        exit_code, output = site.run(SELECTION, webhook_url=url)
    return site, exit_code, output, received


def test_a_catalog_batch_quarantined_whole_is_alerted_and_holds_the_feeds_consumers(held_run) -> None:
    site, exit_code, output, received = held_run
    summary = site.last_run().summary()
    findings = {(f["subject"], f["measure"], f["day"]) for f in summary["anomalies"]["outputs"]["findings"]}
    assert ("vendor.catalog", "quarantine_share", "2026-10-01") in findings, output
    assert ("vendor.catalog", "quarantine_share.bad_type", "2026-10-01") in findings, output

    anomaly_alerts = [alert for alert in site.alert_log() if alert["kind"] == "anomaly"]
    assert len(anomaly_alerts) == 2, site.alert_log()  # what landed (the null burst), then the build's outputs
    landed, outputs = (body["text"] for body in received if "found anomalies" in body["title"])
    assert "social.mentions null_share.sentiment_score on 2026-10-02: 100.0%" in landed and "[warn]" in landed
    text = outputs
    assert "vendor.catalog quarantine_share on 2026-10-01: 100.0% (above the fixed bound 50.0%" in text
    assert "in the run history, 7 needed for a baseline" in text

    # vendor is `hold` here: both published entries read the catalog through dim_titles.
    held = summary["publish"]["held_back"]
    assert summary["publish"]["published"] == [], output
    for entry in ("continue_watching", "account_features"):
        assert held[entry] == "anomaly in vendor.catalog quarantine_share on 2026-10-01", held
    assert exit_code == 0, output  # the build passed; holding back is the degraded outcome, alerted


def test_a_stop_severity_stops_the_run_before_the_build(held_run, tmp_path: Path) -> None:
    site, *_ = held_run
    settings = tmp_path / "anomalies.yml"
    settings.write_text("severity:\n  sources:\n    social: stop\n")
    copy = Site(site.project, site.lake, tmp_path / "warehouse")

    exit_code, output = copy.run(NARROW, "--anomalies", str(settings))

    record = copy.last_run()
    assert exit_code == 3, output
    assert record.summary()["status"] == "stopped: anomalous sources"
    assert record.attempts() == []  # no dbt build ran
    (alert,) = copy.alert_log()
    assert alert["kind"] == "anomaly" and "the run stops before the build" in alert["summary"]
    assert any(d.startswith("social.mentions null_share.sentiment_score on 2026-10-02") for d in alert["details"])


def test_a_held_day_stays_held_until_accepted_and_a_mart_whose_rows_halved_is_held(held_run, tmp_path: Path) -> None:
    site, *_ = held_run
    copy = Site(site.project, site.lake, tmp_path / "warehouse")
    shutil.copytree(site.warehouse, copy.warehouse, ignore=shutil.ignore_patterns("alerts.jsonl"))

    exit_code, output = copy.run(NARROW)  # nothing new landed: the quarantined catalog batch is still in Silver

    summary = copy.last_run().summary()
    assert exit_code == 0, output
    assert summary["anomalies"]["landed"]["measured"] == 0, output
    why = summary["publish"]["held_back"]["continue_watching"]
    assert why == "anomaly in vendor.catalog quarantine_share on 2026-10-01 (found by an earlier run)", why
    assert summary["publish"]["published"] == [], output

    # Accept the batch; meanwhile an earlier run (planted in the history) saw twice today's feature rows.
    with duckdb.connect(str(copy.warehouse / "flick.duckdb"), read_only=True) as con:
        rows = con.execute("select count(*) from gold.ml_account_features").fetchone()[0]
    assert rows > 0
    earlier = copy.warehouse / "runs" / "20261002T060000Z-0000"
    earlier.mkdir()
    as_of = date.fromisoformat(AS_OF[:10])
    with (earlier / "observations.jsonl").open("w") as out:
        for back in range(1, 10):
            day = (as_of - timedelta(days=back)).isoformat()
            row = {"subject": "model.ml_account_features", "measure": "rows", "day": day, "value": 2 * rows}
            out.write(json.dumps(row) + "\n")

    exit_code, output = copy.run(NARROW, "--accept-anomaly", "vendor.catalog")

    summary = copy.last_run().summary()
    assert exit_code == 0, output
    assert summary["publish"]["published"] == ["continue_watching"], output
    why = summary["publish"]["held_back"]["account_features"]
    assert why == "anomaly in model.ml_account_features rows on 2026-10-03", why
    (halved,) = summary["anomalies"]["outputs"]["findings"]
    assert halved["value"] == rows and halved["median"] == 2 * rows and halved["low"] > rows, halved
    assert halved["text"].startswith(f"model.ml_account_features rows on 2026-10-03: {rows:,} (expected "), halved
    assert "median of 9 all days 2026-09-24..2026-10-02 in the run history) [hold]" in halved["text"], halved
