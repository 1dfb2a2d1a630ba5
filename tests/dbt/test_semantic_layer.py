"""The semantic layer as an analyst uses it: the `mf` command (MetricFlow) on a
built warehouse. Its configuration validates against the warehouse; every
metric a Gold mart also carries gives the mart's figures at the mart's grain,
on the default lake and on a 5%-dirty lake; and a question no mart
pre-aggregates gives what hand-written SQL over the fact gives.

Tolerance: counts are equal exactly. A decimal equals the mart's once
rounded to the mart column's scale (the mart rounds, MetricFlow does not);
weekly views and average sentiment are sums of the rounded daily figures,
so they may differ by one rounding step per day (7 x 0.5e-4 for views,
0.5e-6 per mention-weighted day for sentiment).
"""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from flick_ops.dbt.runner import DbtWorkspace, run_dbt
from flick_ops.generate import generate_lake
from flick_ops.generate.world import GeneratorConfig

MF = str(Path(sys.executable).with_name("mf"))
MF_TIMEOUT_SECONDS = 300
# Crosses a month end, so the month KPIs have a partial first month and a second month.
DIRTY_LAKE = {"dirty_rate": 0.05, "accounts": 400, "days": 10, "events_per_day": 3000, "start_date": date(2026, 10, 25)}


@dataclass(frozen=True)
class MartParity:
    """A Gold mart, its grain as MetricFlow group-bys, and the metrics it carries under the same name."""

    mart: str
    grain: dict[str, str]  # mart column -> MetricFlow group-by
    metrics: tuple[str, ...]
    # Metrics compared with a wider tolerance than the column's scale (see the module docstring).
    tolerances: tuple[tuple[str, float], ...] = ()


TITLE_METRICS = (
    "sessions",
    "unique_viewers",
    "hours_viewed",
    "views",
    "completion_rate",
    "social_mentions",
    "avg_sentiment",
    "external_score",
)
PARITY = (
    MartParity(
        "mart_daily_engagement",
        {"activity_date": "metric_time__day", "country_code": "country", "device": "device"},
        ("daily_active_accounts", "sessions", "watch_hours", "sessions_per_account"),
    ),
    MartParity(
        "mart_monthly_active_accounts",
        {"activity_month": "metric_time__month", "country_code": "country"},
        ("monthly_active_accounts", "sessions", "watch_hours", "watch_hours_per_account"),
    ),
    MartParity(
        "mart_title_performance_daily",
        {"activity_date": "metric_time__day", "title_id": "title"},
        TITLE_METRICS,
    ),
    # The weekly external score is as of the week's last day; MetricFlow takes the last day the title
    # has a row in the week (the metric's description says to query it by day).
    MartParity(
        "mart_title_performance_weekly",
        {"activity_week": "metric_time__week", "title_id": "title"},
        tuple(metric for metric in TITLE_METRICS if metric != "external_score"),
        tolerances=(("views", 7 * 0.5e-4 + 1e-9), ("avg_sentiment", 1e-5)),
    ),
    MartParity(
        "mart_qoe_daily",
        {
            "activity_date": "metric_time__day",
            "cdn": "playback_session__cdn",
            "device": "device",
            "country_code": "country",
        },
        (
            "sessions",
            "video_started_sessions",
            "video_start_time_p50_ms",
            "video_start_time_p95_ms",
            "rebuffer_time_ms",
            "watch_time_ms",
            "rebuffering_ratio",
            "failed_sessions",
            "playback_failure_rate",
            "video_start_failures",
            "exits_before_video_start",
            "exit_before_video_start_rate",
        ),
    ),
    MartParity(
        "mart_subscriptions_monthly",
        {"activity_month": "metric_time__month", "plan_id": "subscription_change__plan_id"},
        (
            "active_subscribers_at_start",
            "active_subscribers",
            "new_subscribers",
            "churned_subscribers",
            "mrr_usd",
            "churn_rate",
            "arpu_usd",
        ),
    ),
    MartParity(
        "mart_retention_cohorts",
        {"cohort_month": "metric_time__month", "months_since_signup": "cohort_month_offset__months_since_signup"},
        ("cohort_size", "retained_accounts", "retention_rate"),
    ),
)


# `mf` run several times in one process: its start-up (imports, about 3 s of CPU) is paid once.
MF_BATCH = """
import json, sys
from dbt_metricflow.cli.main import cli
failed = []
for args in json.loads(sys.argv[1]):
    try:
        cli.main(args=args, prog_name="mf", standalone_mode=False)
    except SystemExit as stop:
        if stop.code:
            failed.append(args)
sys.exit(f"mf failed: {failed}" if failed else 0)
"""


def _mf_project(workspace: DbtWorkspace) -> Path:
    """mf reads the semantic manifest from `<project>/target/` whatever DBT_TARGET_PATH says: a folder
    holding the project's dbt_project.yml and the workspace's target folder as `target`."""
    project = Path(workspace.target_path).parent / "mf_project"
    if not project.exists():
        project.mkdir()
        (project / "dbt_project.yml").symlink_to(Path(workspace.project_dir) / "dbt_project.yml")
        (project / "target").symlink_to(Path(workspace.target_path).resolve(), target_is_directory=True)
    return project


def _run_mf(workspace: DbtWorkspace, command: list[str]) -> subprocess.CompletedProcess:
    project = _mf_project(workspace)
    return subprocess.run(
        command,
        cwd=project,
        env=workspace.environment({"DBT_PROJECT_DIR": str(project)}),
        capture_output=True,
        text=True,
        timeout=MF_TIMEOUT_SECONDS,
        check=False,
    )


def mf(workspace: DbtWorkspace, *args: str) -> subprocess.CompletedProcess:
    """`mf <args>` with the workspace's profile, warehouse and dbt artifacts."""
    return _run_mf(workspace, [MF, *args])


def mf_queries(workspace: DbtWorkspace, folder: Path, queries: list[tuple[tuple[str, ...], list[str]]]) -> list:
    """Each (metrics, group-bys) as `mf query --metrics ... --group-by ... --csv`; the rows of each."""
    outputs = [folder / f"query_{number}.csv" for number in range(len(queries))]
    arguments = [
        ["query", "--metrics", ",".join(metrics), "--group-by", ",".join(group_by), "--csv", str(out), "--quiet"]
        for (metrics, group_by), out in zip(queries, outputs, strict=True)
    ]
    result = _run_mf(workspace, [sys.executable, "-c", MF_BATCH, json.dumps(arguments)])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = []
    for out in outputs:
        with out.open(newline="", encoding="utf-8") as handle:
            rows.append(list(csv.DictReader(handle)))
    return rows


def _key_part(value: object) -> str:
    """Group-by values as text both sides agree on: dates without a time, integers without '.0'."""
    text = "" if value is None else str(value)
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        return text[:10]
    return text


def _number(value: object) -> float | None:
    if value is None or value == "":
        return None
    return float(value)


def _scale(data_type: str) -> int:
    """Decimal places of a DuckDB column type: DECIMAL(18,4) -> 4, integers -> 0."""
    if data_type.upper().startswith("DECIMAL"):
        return int(data_type.split(",")[1].rstrip(")"))
    return 0


def _mart_rows(workspace: DbtWorkspace, parity: MartParity) -> tuple[dict[tuple, dict], dict[str, int]]:
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as con:
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = 'gold' and table_name = ?",
                [parity.mart],
            ).fetchall()
        )
        columns = [*parity.grain, *parity.metrics]
        rows = con.execute(f"select {', '.join(columns)} from gold.{parity.mart}").fetchall()
    keyed = {
        tuple(_key_part(v) for v in row[: len(parity.grain)]): dict(
            zip(parity.metrics, row[len(parity.grain) :], strict=True)
        )
        for row in rows
    }
    return keyed, {metric: _scale(types[metric]) for metric in parity.metrics}


def _mismatches(parity: MartParity, mart: dict[tuple, dict], scales: dict[str, int], mf_rows: list[dict]) -> list:
    """Where MetricFlow and the mart disagree. A sum or count the mart shows as 0 (a title-day with
    mentions and no sessions) may be absent in MetricFlow, which has nothing to add up; every other
    value must match."""
    tolerances = dict(parity.tolerances)
    semantic = {tuple(_key_part(row[g]) for g in parity.grain.values()): row for row in mf_rows}
    problems = []
    for key, expected_row in mart.items():
        actual_row = semantic.get(key, {})
        for metric, expected in expected_row.items():
            actual = _number(actual_row.get(metric))
            expected_number = None if expected is None else float(Decimal(str(expected)))
            if actual is None and expected_number == 0:
                continue
            if actual is None or expected_number is None:
                if actual != expected_number:
                    problems.append((key, metric, expected, actual))
                continue
            tolerance = tolerances.get(metric, 0.5 * 10 ** -scales[metric] + 1e-9)
            if not math.isclose(actual, expected_number, abs_tol=tolerance, rel_tol=0):
                problems.append((key, metric, expected, actual))
    extra = [key for key, row in semantic.items() if key not in mart and any(_number(row[m]) for m in parity.metrics)]
    return problems + [(key, "row not in the mart", None, None) for key in extra]


@pytest.fixture(scope="module")
def dirty_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DbtWorkspace:
    folder = tmp_path_factory.mktemp("semantic_dirty")
    lake = folder / "lake"
    generate_lake(GeneratorConfig(lake_root=lake, **DIRTY_LAKE))
    workspace = DbtWorkspace.in_folder(folder, lake_root=lake)
    outcome = run_dbt(["build", "--target", "duckdb", "--exclude", "test_type:data"], workspace)
    assert outcome.succeeded, outcome.output[-5000:]
    return workspace


@pytest.fixture(scope="module", params=["default_lake", "dirty_lake"])
def warehouse(request: pytest.FixtureRequest) -> DbtWorkspace:
    if request.param == "default_lake":
        built = request.getfixturevalue("default_warehouse")
        assert built.build.succeeded, built.build.output[-5000:]
        return built.workspace
    return request.getfixturevalue("dirty_warehouse")


def test_mf_validate_configs_passes_against_the_warehouse(default_warehouse) -> None:
    assert default_warehouse.build.succeeded, default_warehouse.build.output[-5000:]
    result = mf(default_warehouse.workspace, "validate-configs")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    assert "ERRORS: 0" in output and "against data warehouse" in output, output[-5000:]


@pytest.fixture(scope="module")
def semantic_rows(warehouse: DbtWorkspace, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    """What `mf query` returns for each mart's metrics at the mart's grain."""
    queries = [(parity.metrics, list(parity.grain.values())) for parity in PARITY]
    rows = mf_queries(warehouse, tmp_path_factory.mktemp("mf_queries"), queries)
    return {parity.mart: result for parity, result in zip(PARITY, rows, strict=True)}


@pytest.mark.parametrize("parity", PARITY, ids=[p.mart for p in PARITY])
def test_metrics_equal_the_mart_at_its_grain(
    warehouse: DbtWorkspace, semantic_rows: dict[str, list[dict]], parity: MartParity
) -> None:
    mart, scales = _mart_rows(warehouse, parity)
    assert mart, f"{parity.mart} is empty: nothing compared"
    assert _mismatches(parity, mart, scales, semantic_rows[parity.mart]) == []


def test_completion_rate_by_device_class_and_genre_per_week_equals_sql_over_the_fact(
    default_warehouse, tmp_path: Path
) -> None:
    workspace = default_warehouse.workspace
    group_by = ["metric_time__week", "device__device_class", "title__primary_genre_group"]
    out = tmp_path / "completion_rate.csv"
    result = mf(workspace, "query", "--metrics", "completion_rate", "--group-by", ",".join(group_by), "--csv", str(out))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with out.open(newline="", encoding="utf-8") as handle:
        mf_rows = list(csv.DictReader(handle))
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as con:
        expected = con.execute(
            """
            select
                dim_dates.week_start_date,
                dim_devices.device_class,
                dim_titles.primary_genre_group,
                1.0 * sum(sessions.is_completed) / nullif(count(sessions.is_completed), 0) as completion_rate
            from gold.fct_playback_sessions as sessions
            inner join gold.dim_dates as dim_dates on sessions.session_date = dim_dates.calendar_date
            left join gold.dim_devices as dim_devices on sessions.device = dim_devices.device
            left join gold.dim_titles as dim_titles on sessions.title_id = dim_titles.title_id
            group by dim_dates.week_start_date, dim_devices.device_class, dim_titles.primary_genre_group
            """
        ).fetchall()
    sql = {tuple(_key_part(v) for v in row[:3]): _number(row[3]) for row in expected}
    semantic = {tuple(_key_part(row[g]) for g in group_by): _number(row["completion_rate"]) for row in mf_rows}
    assert len(sql) > 20, "too few groups to show anything"
    assert len({key[1] for key in sql}) > 1 and len({key[2] for key in sql}) > 1
    assert semantic.keys() == sql.keys()
    differing = {
        key: (semantic[key], value)
        for key, value in sql.items()
        if (value is None) != (semantic[key] is None)
        or (value is not None and not math.isclose(semantic[key], value, rel_tol=1e-12, abs_tol=1e-12))
    }
    assert differing == {}


def test_each_dashboard_names_saved_queries_whose_metrics_it_depends_on(default_warehouse) -> None:
    manifest = json.loads((Path(default_warehouse.workspace.target_path) / "manifest.json").read_text("utf-8"))
    saved_queries = {sq["name"]: sq for sq in manifest["saved_queries"].values()}
    dashboards = [e for e in manifest["exposures"].values() if e["type"] == "dashboard"]
    assert dashboards
    for exposure in dashboards:
        names = exposure["config"]["meta"].get("saved_queries", [])
        assert names, f"{exposure['name']} names no saved query"
        depends_on = set(exposure["depends_on"]["nodes"])
        for name in names:
            metrics = saved_queries[name]["query_params"]["metrics"]
            assert {f"metric.flick.{metric}" for metric in metrics} <= depends_on, (exposure["name"], name)


# KPI doc blocks that define no aggregate: a ranking, and the runtime rule views divide by.
KPI_BLOCKS_THAT_ARE_NOT_METRICS = {"kpi_top10_rank", "kpi_views_runtime"}


def test_every_kpi_doc_block_is_a_metric_described_by_that_block(default_warehouse) -> None:
    manifest = json.loads((Path(default_warehouse.workspace.target_path) / "manifest.json").read_text("utf-8"))
    blocks = {doc["name"]: doc["block_contents"] for doc in manifest["docs"].values() if doc["package_name"] == "flick"}
    kpis = {name for name in blocks if name.startswith("kpi_")} - KPI_BLOCKS_THAT_ARE_NOT_METRICS
    described = {
        name
        for metric in manifest["metrics"].values()
        for name in kpis
        if metric["description"].strip().startswith(blocks[name].strip())
    }
    assert kpis - described == set(), "KPI doc blocks no metric is described by"
    overview = blocks["__overview__"]
    assert "#!/metric/metric.flick." in overview, "the overview page links to no metric"
