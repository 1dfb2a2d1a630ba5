"""`flick-ops run`: the pipeline that fails well, and `flick-ops postmortem`, its report.

Modules: `pipeline` (the flow: freshness, build with retries, publish and
share what passed, alerts), `freshness` (judging dbt's source freshness),
`retry` (transient or
deterministic, and backoff with jitter), `nodes` (root causes, casualties and
affected exposures), `alerts` (webhook and alert log), `history` (one folder
per run) and `postmortem` (Markdown and HTML reports).
"""

from flick_ops.run.pipeline import (
    EXIT_BUILD_FAILED,
    EXIT_OK,
    EXIT_PUBLISH_FAILED,
    EXIT_STOPPED_BY_SOURCES,
    PipelineResult,
    PipelineSettings,
    PublishSettings,
    run_pipeline,
)

__all__ = [
    "EXIT_BUILD_FAILED",
    "EXIT_OK",
    "EXIT_PUBLISH_FAILED",
    "EXIT_STOPPED_BY_SOURCES",
    "PipelineResult",
    "PipelineSettings",
    "PublishSettings",
    "run_pipeline",
]
