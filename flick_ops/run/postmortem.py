"""Post-mortem of a pipeline run, from its history folder: Markdown and one self-contained HTML page.

It answers the questions asked the morning after: what ran when and for how
long, what failed first (root causes: failed nodes none of whose ancestors
failed) and what only failed or was skipped because of it, with each error
and the compiled SQL to open; which consumers were affected; what was retried;
and what was, or was not, published.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flick_ops.run.history import RunRecord
from flick_ops.run.nodes import Diagnosis, NodeOutcome, diagnose, merge_attempts


@dataclass(frozen=True)
class Postmortem:
    run_id: str
    summary: dict
    steps: tuple[dict, ...]
    timeline: tuple[NodeOutcome, ...]
    diagnosis: Diagnosis
    compiled_paths: dict[str, str]  # root cause -> its compiled SQL, as kept in the run's folder

    @property
    def affected_exposures(self) -> tuple[str, ...]:
        """Consumers of what failed, and of publish entries held back with it (a group goes out whole)."""
        held_back = self.summary.get("publish", {}).get("affected_exposures", [])
        return tuple(sorted({*self.diagnosis.affected_exposures, *held_back}))

    @property
    def retries(self) -> int:
        return int(self.summary.get("build", {}).get("retries", 0))


def build_postmortem(record: RunRecord) -> Postmortem:
    manifest = record.manifest()
    outcomes = merge_attempts(record.attempts())
    return Postmortem(
        run_id=record.run_id,
        summary=record.summary(),
        steps=tuple(record.steps()),
        timeline=tuple(sorted(outcomes.values(), key=lambda o: (o.started_at or "~", o.unique_id))),
        diagnosis=diagnose(outcomes, manifest),
        compiled_paths={path.stem: str(path) for path in sorted((record.folder / "compiled").glob("*.sql"))},
    )


def write_postmortem(record: RunRecord, out_dir: Path | None = None) -> tuple[Path, Path]:
    """Write postmortem.md and postmortem.html (into the run's folder by default); return their paths."""
    report = build_postmortem(record)
    folder = Path(out_dir) if out_dir else record.folder
    folder.mkdir(parents=True, exist_ok=True)
    markdown, page = folder / f"postmortem-{report.run_id}.md", folder / f"postmortem-{report.run_id}.html"
    markdown.write_text(render_markdown(report), encoding="utf-8")
    page.write_text(render_html(report), encoding="utf-8")
    return markdown, page


# Markdown ----------------------------------------------------------------------------------------------------


def _scope_line(scope: dict | None) -> list[str]:
    """What the run set out to build (flick_ops.run.scope); runs recorded before scopes existed have none."""
    if not scope:
        return []
    since = f" (compared with run {scope['since_run']})" if scope.get("since_run") else ""
    return [f"- **Scope:** {scope['kind']}: {scope['reason']}{since}"]


def render_markdown(report: Postmortem) -> str:
    s = report.summary
    lines = [
        f"# Post-mortem: pipeline run {report.run_id}",
        "",
        f"- **Status:** {s.get('status', 'unfinished')} (exit {s.get('exit_code', '?')})",
        f"- **Target:** {s.get('target', '?')}; **selection:** {' '.join(s.get('select') or []) or 'everything'}",
        f"- **Started:** {s.get('started_at', '?')}; **finished:** {s.get('finished_at', '?')}",
        f"- **Retries attempted:** {report.retries}",
        *_scope_line(s.get("scope")),
        "",
        "## Root cause",
        "",
    ]
    lines += _failure_lines(report.diagnosis.root_causes, report) or _source_stop_lines(s) or ["No node failed."]
    lines += ["", "## Failed or skipped because of an upstream failure", ""]
    lines += [f"- `{o.unique_id}`: {o.status}" for o in report.diagnosis.casualties] or ["None."]
    lines += ["", "## Consumers affected", ""]
    lines += [f"- `{uid}`" for uid in report.affected_exposures] or ["None."]
    lines += ["", "## Landed files", "", *_intake_lines(s.get("intake", {}))]
    lines += ["", "## Sources", "", *_freshness_lines(s.get("freshness", {}))]
    lines += ["", "## Published", "", *_publish_lines(s)]
    lines += ["", "## Steps", "", "| step | attempt | outcome | started | finished |", "|---|---|---|---|---|"]
    lines += [
        f"| {st['step']} | {st.get('attempt', '')} | {st['outcome']} | {st['started_at']} | {st['finished_at']} |"
        for st in report.steps
    ]
    lines += ["", "## Timeline", "", "| node | status | attempt | started | seconds |", "|---|---|---|---|---|"]
    lines += [
        f"| `{o.unique_id}` | {o.status} | {o.attempt} | {o.started_at or '-'} | {o.execution_time:.2f} |"
        for o in report.timeline
    ]
    return "\n".join(lines) + "\n"


def _failure_lines(failures: tuple[NodeOutcome, ...], report: Postmortem) -> list[str]:
    lines = []
    for outcome in failures:
        lines += [
            f"### `{outcome.unique_id}` ({outcome.status}, attempt {outcome.attempt})",
            "",
            "```",
            outcome.message.strip(),
            "```",
        ]
        if path := report.compiled_paths.get(outcome.unique_id):
            lines.append(f"Compiled SQL: `{path}`")
        lines.append("")
    return lines


def _source_stop_lines(summary: dict) -> list[str]:
    """When the run stopped on its sources, they are the root cause: no node ran."""
    return [f"- stale or empty source: {problem}" for problem in summary.get("freshness", {}).get("blocking", [])]


def _intake_lines(intake: dict) -> list[str]:
    if not intake.get("ran"):
        return ["The intake did not run (no local lake)."]
    lines = [f"{intake['files']} files landed, {intake['checked']} checked in this run."]
    lines += [f"- quarantined: {line}" for line in intake.get("quarantined", [])]
    lines += [f"- schema drift: {line}" for line in intake.get("drifted", [])]
    lines += [f"- unreadable rows: {line}" for line in intake.get("flagged", [])]
    return lines


def _freshness_lines(freshness: dict) -> list[str]:
    if not freshness.get("measured"):
        return ["Freshness could not be measured."]
    lines = [f"{freshness['sources']} sources measured as of {freshness['as_of']}."]
    lines += [f"- stale or empty: {problem}" for problem in freshness.get("blocking", [])]
    lines += [f"- warn: {problem}" for problem in freshness.get("warn", [])]
    return lines


def _publish_lines(summary: dict) -> list[str]:
    publish = summary.get("publish")
    if not publish:
        return ["Nothing was published (publishing skipped, or the run stopped before it)."]
    lines = [f"- published: `{name}`" for name in publish["published"]]
    lines += [
        f"- exported to the lake: `{model}` (data as of {publish['data_time'].get(model, '?')})"
        for model in publish["exported"]
    ]
    lines += [f"- **not published**: `{name}`: {why}" for name, why in publish["held_back"].items()]
    if publish.get("error"):
        lines.append(f"- **publish failed**: {publish['error']}")
    if share := summary.get("share"):
        lines.append(f"- share: {share.get('error') or share.get('detail')}")
    return lines


# HTML --------------------------------------------------------------------------------------------------------

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1b1b1b;padding:0 1rem}
h1{font-size:1.5rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:2px 6px;text-align:left;vertical-align:top}
pre{background:#f6f6f6;padding:.6rem;overflow:auto;white-space:pre-wrap}
.status-error,.status-fail,.status-runtime{color:#b00020;font-weight:600}.status-skipped{color:#8a6d00}
.bar{position:relative;height:10px;background:#f2f2f2;min-width:300px}
.bar span{position:absolute;top:0;height:10px;background:#2b6cb0}.bar span.bad{background:#b00020}
"""


def render_html(report: Postmortem) -> str:
    """The Markdown's content as one page with inline CSS and a timeline of bars; no external resources."""
    s = report.summary
    e = html.escape
    root = (
        "".join(
            f"<h3><code>{e(o.unique_id)}</code> ({e(o.status)}, attempt {o.attempt})</h3><pre>{e(o.message.strip())}</pre>"
            + (
                f"<p>Compiled SQL: <code>{e(report.compiled_paths[o.unique_id])}</code></p>"
                if o.unique_id in report.compiled_paths
                else ""
            )
            for o in report.diagnosis.root_causes
        )
        or "".join(f"<p>{e(line.removeprefix('- '))}</p>" for line in _source_stop_lines(s))
        or "<p>No node failed.</p>"
    )
    casualties = _html_list(f"<code>{e(o.unique_id)}</code>: {e(o.status)}" for o in report.diagnosis.casualties)
    exposures = _html_list(f"<code>{e(uid)}</code>" for uid in report.affected_exposures)
    freshness = _html_list(e(line) for line in _freshness_lines(s.get("freshness", {})))
    landed = _html_list(e(line.removeprefix("- ")) for line in _intake_lines(s.get("intake", {})))
    published = _html_list(e(line.removeprefix("- ").replace("`", "").replace("**", "")) for line in _publish_lines(s))
    steps = "".join(
        f"<tr><td>{e(st['step'])}</td><td>{st.get('attempt', '')}</td><td>{e(st['outcome'])}</td>"
        f"<td>{e(st['started_at'])}</td><td>{e(st['finished_at'])}</td></tr>"
        for st in report.steps
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Post-mortem {e(report.run_id)}</title><style>{_STYLE}</style></head>
<body>
<h1>Post-mortem: pipeline run {e(report.run_id)}</h1>
<p><b>Status:</b> {e(str(s.get("status", "unfinished")))} (exit {e(str(s.get("exit_code", "?")))}) &middot;
<b>target</b> {e(str(s.get("target", "?")))} &middot; <b>selection</b> {e(" ".join(s.get("select") or []) or "everything")} &middot;
<b>retries attempted</b> {report.retries}<br><b>started</b> {e(str(s.get("started_at", "?")))} &middot; <b>finished</b> {e(str(s.get("finished_at", "?")))}</p>
<h2>Root cause</h2>{root}
<h2>Failed or skipped because of an upstream failure</h2>{casualties}
<h2>Consumers affected</h2>{exposures}
<h2>Landed files</h2>{landed}
<h2>Sources</h2>{freshness}
<h2>Published</h2>{published}
<h2>Steps</h2><table><tr><th>step</th><th>attempt</th><th>outcome</th><th>started</th><th>finished</th></tr>{steps}</table>
<h2>Timeline</h2>{_html_timeline(report.timeline)}
</body></html>
"""


def _html_list(items) -> str:
    rows = "".join(f"<li>{item}</li>" for item in items)
    return f"<ul>{rows}</ul>" if rows else "<p>None.</p>"


def _html_timeline(timeline: tuple[NodeOutcome, ...]) -> str:
    timed = [(o, _time(o.started_at), _time(o.finished_at)) for o in timeline]
    starts = [start for _, start, _ in timed if start]
    ends = [end for _, _, end in timed if end]
    if not starts or not ends:
        return "<p>No node ran.</p>"
    origin, span = min(starts), max((max(ends) - min(starts)).total_seconds(), 0.001)
    rows = []
    for outcome, start, end in timed:
        bar = ""
        if start and end:
            left = (start - origin).total_seconds() / span * 100
            width = max((end - start).total_seconds() / span * 100, 0.3)
            bad = " bad" if outcome.status not in ("success", "pass", "warn") else ""
            bar = f'<span class="{bad.strip()}" style="left:{left:.2f}%;width:{width:.2f}%"></span>'
        status = html.escape(outcome.status)
        rows.append(
            f'<tr><td><code>{html.escape(outcome.unique_id)}</code></td><td class="status-{status.split()[0]}">{status}</td>'
            f'<td>{outcome.attempt}</td><td>{outcome.execution_time:.2f}s</td><td class="bar">{bar}</td></tr>'
        )
    return (
        "<table><tr><th>node</th><th>status</th><th>attempt</th><th>duration</th><th>when</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
