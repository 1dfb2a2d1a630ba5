"""Tell people when a run failed, warned or found a stale source.

Every alert is appended to a local log (JSON lines) whether or not a webhook is
configured or reachable, so the record never depends on the network. The
webhook body is one JSON document that both incoming-webhook flavours accept:
Microsoft Teams reads a MessageCard (`@type`, `summary`, `title`, `text`,
`themeColor`, `sections`) and Slack reads `text` with optional Block Kit
`blocks`; each ignores the other's fields.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

FAILURE, WARNING, STALE_SOURCE, ANOMALY = "failure", "warning", "stale_source", "anomaly"
_COLOURS = {FAILURE: "D13438", STALE_SOURCE: "D13438", WARNING: "FFB900", ANOMALY: "FF8C00"}
_HEADINGS = {
    FAILURE: "failed",
    STALE_SOURCE: "stopped: stale or empty sources",
    WARNING: "succeeded with warnings",
    ANOMALY: "found anomalies",
}
_DBT_ERROR_HEADER = re.compile(r"^\w+ Error in (model|test|unit_test|seed|snapshot|source) ")
MAX_LISTED = 20  # a chat message with 300 skipped nodes helps nobody; the post-mortem has them all


@dataclass(frozen=True)
class FailedNode:
    name: str
    error: str


@dataclass(frozen=True)
class Alert:
    kind: str  # failure, warning, stale_source or anomaly
    run_id: str
    target: str
    summary: str
    failed_nodes: tuple[FailedNode, ...] = ()
    affected_exposures: tuple[str, ...] = ()
    details: tuple[str, ...] = ()
    postmortem_hint: str = ""
    raised_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def title(self) -> str:
        return f"Flick pipeline run {self.run_id} on {self.target} {_HEADINGS[self.kind]}"


@dataclass(frozen=True)
class Delivery:
    delivered: bool
    detail: str


def webhook_body(alert: Alert) -> dict:
    """The JSON body for a Teams or Slack incoming webhook."""
    text = _markdown(alert)
    return {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "themeColor": _COLOURS[alert.kind],
        "summary": alert.title,
        "title": alert.title,
        "text": text,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": alert.title[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}},
        ],
    }


def _markdown(alert: Alert) -> str:
    lines = [alert.summary]
    if alert.failed_nodes:
        lines.append("*Failed:*")
        lines += [f"- `{node.name}`: {_first_line(node.error)}" for node in alert.failed_nodes[:MAX_LISTED]]
        if len(alert.failed_nodes) > MAX_LISTED:
            lines.append(f"- ... and {len(alert.failed_nodes) - MAX_LISTED} more")
    if alert.affected_exposures:
        lines.append("*Consumers affected:* " + ", ".join(alert.affected_exposures))
    lines += [f"- {detail}" for detail in alert.details[:MAX_LISTED]]
    if alert.postmortem_hint:
        lines.append(alert.postmortem_hint)
    return "\n".join(lines)


def _first_line(error: str) -> str:
    """The error on one line, without dbt's "Runtime Error in model x (path)" header (the node is named already)."""
    lines = error.strip().splitlines()
    if len(lines) > 1 and _DBT_ERROR_HEADER.match(lines[0]):
        lines = lines[1:]
    return " ".join(" ".join(lines).split())[:500]


def send_alert(alert: Alert, *, log_path: Path, webhook_url: str | None, timeout_seconds: float = 10.0) -> Delivery:
    """POST the alert to the webhook (if any), then append it and how delivery went to the alert log."""
    delivery = (
        _post(webhook_body(alert), webhook_url, timeout_seconds)
        if webhook_url
        else Delivery(False, "no webhook configured")
    )
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a", encoding="utf-8") as log:
        log.write(json.dumps({**asdict(alert), "delivered": delivery.delivered, "delivery": delivery.detail}) + "\n")
    return delivery


def _post(body: dict, url: str, timeout_seconds: float) -> Delivery:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode("utf-8"), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_seconds) as response:
            return Delivery(True, f"HTTP {response.status}")
    except urllib.error.HTTPError as exc:
        return Delivery(False, f"HTTP {exc.code} from the webhook")
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return Delivery(False, f"webhook unreachable: {exc}")
