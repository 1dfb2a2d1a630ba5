"""`flick-ops report`: the run history as a static HTML page with charts.

Per landed source, volume and quarantine share by ingest date with the band
the anomaly checks expected (anomalies marked); run duration per step; the
last runs with their status, root cause and a link to each post-mortem.
Charts are drawn by plotly.js, the copy the pinned `plotly` Python package
ships, written beside the page: the report opens offline, from disk.
"""

from flick_ops.report.builder import Report, build_report, write_report

__all__ = ["Report", "build_report", "write_report"]
