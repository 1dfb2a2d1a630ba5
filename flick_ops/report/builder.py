"""Build the run-history report: read the history, compute the expected bands, write HTML and plotly.js."""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from flick_ops.anomaly.checks import expected_band, load_history, read_observations
from flick_ops.anomaly.config import AnomalyConfig
from flick_ops.anomaly.measure import Observation, subject_of
from flick_ops.lake.contract import entities
from flick_ops.run.history import RunRecord, run_ids
from flick_ops.run.postmortem import write_postmortem

CHARTED = (("rows", "rows landed"), ("quarantine_share", "quarantine share"))
STEP_ORDER = ("freshness", "anomalies", "build", "retry", "publish", "share", "alert")
LAST_RUNS = 20
PAGE = "report.html"


@dataclass(frozen=True)
class Chart:
    element_id: str
    title: str
    data: list[dict]
    layout: dict


@dataclass(frozen=True)
class Report:
    generated_at: str
    history_root: Path
    runs: list[dict]  # newest first: run_id, status, exit_code, started_at, seconds, root_cause, postmortem
    charts: list[Chart]
    subjects: list[str]


def build_report(history_root: Path, config: AnomalyConfig, out_dir: Path) -> Report:
    """Everything the page shows; writes each listed run's post-mortem into `<out_dir>/postmortems/`."""
    ids = run_ids(history_root)
    history = load_history(history_root)
    alerted = _alerted(history_root, ids)
    runs = [_run_row(RunRecord(Path(history_root) / run_id), out_dir) for run_id in reversed(ids[-LAST_RUNS:])]
    # Entities that alerted first, then the rest in the landing contract's order.
    alerted_subjects = {subject for subject, _measure, _day in alerted}
    order = {subject_of(entity): i for i, entity in enumerate(entities())}
    subjects = sorted(
        {subject for subject, measure in history if measure == "rows" and not subject.startswith("model.")},
        key=lambda subject: (subject not in alerted_subjects, order.get(subject, len(order)), subject),
    )
    charts = [_duration_chart(history_root, ids[-LAST_RUNS:])]
    for subject in subjects:
        for measure, label in CHARTED:
            if (subject, measure) in history:
                charts.append(_series_chart(subject, measure, label, history, config, alerted))
    charts += [
        _series_chart(subject, "rows", "rows after the build", history, config, alerted)
        for subject, measure in sorted(history)
        if subject.startswith("model.") and measure == "rows"
    ]
    return Report(datetime.now(UTC).isoformat(timespec="seconds"), Path(history_root), runs, charts, subjects)


def write_report(report: Report, out_dir: Path) -> Path:
    """Write report.html and the plotly.js it loads into `out_dir`; return the page."""
    import plotly

    out_dir.mkdir(parents=True, exist_ok=True)
    script = f"plotly-{plotly.__version__}.min.js"
    shutil.copyfile(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", out_dir / script)
    page = out_dir / PAGE
    page.write_text(render_html(report, script), encoding="utf-8")
    return page


# Charts --------------------------------------------------------------------------------------------------------


def _alerted(history_root: Path, ids: Sequence[str]) -> set[tuple[str, str, date]]:
    """(subject, measure, day) of every finding a run alerted on."""
    return {
        (f["subject"], f["measure"], date.fromisoformat(f["day"]))
        for run_id in ids
        for phase in (RunRecord(Path(history_root) / run_id).summary().get("anomalies") or {}).values()
        for f in phase.get("findings", [])
        if not f.get("excused_by")
    }


def _series_chart(
    subject: str,
    measure: str,
    label: str,
    history: Mapping[tuple[str, str], Mapping[date, float]],
    config: AnomalyConfig,
    alerted: set[tuple[str, str, date]],
) -> Chart:
    """The measure by day, the band each day was (or would have been) judged against, and the days that alerted."""
    series = dict(sorted(history[(subject, measure)].items()))
    family = measure.split(".", 1)[0]
    landed = history.get((subject, "rows"), {})  # what a share is of, as the checks measured it
    of_rows = {day: int(landed.get(day, 0)) if family.endswith("_share") else None for day in series}
    bands = {
        day: expected_band(Observation(subject, measure, day, value, of_rows[day]), series, config)
        for day, value in series.items()
    }
    flagged = {day for day in series if (subject, measure, day) in alerted}
    days = [day.isoformat() for day in series]
    share = family.endswith("_share")
    scale = 100.0 if share else 1.0
    low = [round(bands[d].low * scale, 3) if bands[d] else None for d in series]
    high = [round(bands[d].high * scale, 3) if bands[d] else None for d in series]
    values = [round(v * scale, 3) for v in series.values()]
    data = [
        {"x": days, "y": high, "mode": "lines", "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False},
        {
            "x": days,
            "y": low,
            "mode": "lines",
            "line": {"width": 0},
            "fill": "tonexty",
            "fillcolor": "rgba(43,108,176,0.18)",
            "name": "expected band",
        },
        {"x": days, "y": values, "mode": "lines+markers", "name": label, "line": {"color": "#2b6cb0"}},
        {
            "x": [d.isoformat() for d in series if d in flagged],
            "y": [round(series[d] * scale, 3) for d in series if d in flagged],
            "mode": "markers",
            "name": "anomaly",
            "marker": {"color": "#b00020", "size": 11, "symbol": "x"},
        },
    ]
    layout = {
        "title": {"text": f"{subject}: {label}", "font": {"size": 14}},
        "height": 260,
        "margin": {"l": 55, "r": 10, "t": 40, "b": 35},
        "yaxis": {"ticksuffix": "%" if share else "", "rangemode": "tozero"},
        "legend": {"orientation": "h", "y": -0.25},
        "showlegend": False,
    }
    return Chart(f"chart-{subject}-{measure}".replace(".", "-"), f"{subject} {label}", data, layout)


def _duration_chart(history_root: Path, ids: Sequence[str]) -> Chart:
    """Seconds per step of each run, stacked (a step that ran twice, such as an alert, adds up)."""
    seconds: dict[str, dict[str, float]] = {}
    for run_id in ids:
        for step in RunRecord(Path(history_root) / run_id).steps():
            took = (_time(step["finished_at"]) - _time(step["started_at"])).total_seconds()
            per_run = seconds.setdefault(step["step"], {})
            per_run[run_id] = per_run.get(run_id, 0.0) + took
    steps = sorted(seconds, key=lambda s: STEP_ORDER.index(s) if s in STEP_ORDER else len(STEP_ORDER))
    data = [
        {"type": "bar", "name": step, "x": list(ids), "y": [seconds[step].get(run_id, 0.0) for run_id in ids]}
        for step in steps
    ]
    layout = {
        "title": {"text": "run duration per step (seconds)", "font": {"size": 14}},
        "barmode": "stack",
        "height": 320,
        "margin": {"l": 55, "r": 10, "t": 40, "b": 90},
        "xaxis": {"type": "category", "tickangle": -30},
    }
    return Chart("chart-durations", "run duration per step", data, layout)


# Runs ----------------------------------------------------------------------------------------------------------


def _run_row(record: RunRecord, out_dir: Path) -> dict:
    summary = record.summary()
    started, finished = summary.get("started_at"), summary.get("finished_at")
    seconds = (_time(finished) - _time(started)).total_seconds() if started and finished else None
    _markdown, page = write_postmortem(record, out_dir / "postmortems")
    return {
        "run_id": record.run_id,
        "status": summary.get("status", "unfinished"),
        "exit_code": summary.get("exit_code"),
        "started_at": started,
        "seconds": seconds,
        "root_cause": _root_cause(summary),
        "anomalies": sum(
            1
            for phase in (summary.get("anomalies") or {}).values()
            for finding in phase.get("findings", [])
            if not finding.get("excused_by")
        ),
        "held_back": sorted((summary.get("publish") or {}).get("held_back", {})),
        "postmortem": str(page.relative_to(out_dir)),
        "observations": len(read_observations(record.folder)),
    }


def _root_cause(summary: dict) -> str:
    build = summary.get("build") or {}
    if build.get("root_causes"):
        return ", ".join(uid.split(".", 2)[-1] for uid in build["root_causes"])
    freshness = summary.get("freshness") or {}
    if freshness.get("blocking"):
        return "; ".join(freshness["blocking"])
    stops = [
        f["text"]
        for f in ((summary.get("anomalies") or {}).get("landed") or {}).get("findings", [])
        if f["severity"] == "stop"
    ]
    if stops and str(summary.get("status", "")).startswith("stopped"):
        return "; ".join(stops)
    return ""


def _time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# HTML ----------------------------------------------------------------------------------------------------------

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#1a1a1a;max-width:1400px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px;width:100%}td,th{border-bottom:1px solid #eee;padding:4px 8px;text-align:left;vertical-align:top}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:8px 16px}.chart{min-height:260px}
.ok{color:#1e7b34}.bad{color:#b00020;font-weight:600}.warn{color:#a05a00}.muted{color:#666;font-size:13px}
"""


def render_html(report: Report, script: str) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td><code>{e(run['run_id'])}</code></td><td class='{_status_class(run)}'>{e(str(run['status']))}</td>"
        f"<td>{'' if run['exit_code'] is None else run['exit_code']}</td>"
        f"<td>{_took(run['seconds'])}</td>"
        f"<td>{run['anomalies']}</td><td>{e(', '.join(run['held_back']))}</td>"
        f"<td>{e(run['root_cause'])}</td><td><a href='{e(run['postmortem'])}'>post-mortem</a></td></tr>"
        for run in report.runs
    )
    durations, *series = report.charts
    charts = "".join(f"<div class='chart' id='{e(c.element_id)}'></div>" for c in series)
    payload = json.dumps([{"id": c.element_id, "data": c.data, "layout": c.layout} for c in report.charts])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Flick pipeline runs</title><style>{_STYLE}</style>
<script src="{e(script)}"></script></head>
<body>
<h1>Flick pipeline: run history</h1>
<p class="muted">{len(report.runs)} latest run(s) from <code>{e(str(report.history_root))}</code>, generated {e(report.generated_at)}.
Blue band: what the anomaly checks expected that day (median of the trailing window, same weekday when it has
enough, &plusmn; the tolerance); a red &times; is a day that alerted. No band: too little history yet.</p>
<h2>Last runs</h2>
<table><tr><th>run</th><th>status</th><th>exit</th><th>took</th><th>anomalies</th><th>held back</th><th>root cause</th><th></th></tr>{rows}</table>
<h2>Run duration per step</h2>
<div class='chart' id='{e(durations.element_id)}'></div>
<h2>Volume and quarantine share per source</h2>
<div class="grid">{charts}</div>
<script>
for (const chart of {payload}) {{
  Plotly.newPlot(chart.id, chart.data, chart.layout, {{displaylogo: false, responsive: true}});
}}
</script>
</body></html>
"""


def _took(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds:.0f} s"


def _status_class(run: dict) -> str:
    if run["exit_code"] == 0:
        return "warn" if run["anomalies"] or run["held_back"] else "ok"
    return "bad"
