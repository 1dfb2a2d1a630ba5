"""Generate a realistic Bronze lake: the landed files of all six sources and a manifest of what was planted.

``generate_lake`` draws one world (accounts, profiles, titles) and hands it to
one writer per source. Writers draw from their own seeded streams, so the same
config always gives a byte-identical lake, whatever order the writers run in.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path

from flick_ops.generate.anomalies import PlantedAnomaly, plant_anomalies
from flick_ops.generate.app import write_app
from flick_ops.generate.entities import build_world
from flick_ops.generate.io import Landing
from flick_ops.generate.progress import Progress, silent
from flick_ops.generate.reviews import write_reviews
from flick_ops.generate.social import write_social
from flick_ops.generate.studio import write_studio
from flick_ops.generate.summary import EntityStats, LakeSummary
from flick_ops.generate.vendor import write_vendor
from flick_ops.generate.world import GeneratorConfig, World
from flick_ops.lake.contract import entities

__all__ = ["SOURCES", "generate_lake"]

SOURCES = ("app", "studio", "vendor", "social", "reviews", "playback")

_Writer = Callable[[World, Landing], list[EntityStats]]
_WRITERS: dict[str, _Writer] = {
    "app": write_app,
    "studio": write_studio,
    "vendor": write_vendor,
    "social": write_social,
    "reviews": write_reviews,
}


def generate_lake(
    config: GeneratorConfig,
    progress: Progress = silent,
    sources: Iterable[str] = SOURCES,
    anomalies: Iterable[PlantedAnomaly] = (),
) -> LakeSummary:
    """Replace `<lake_root>/bronze/` with freshly generated files and write the generation manifest.

    `sources` narrows the run to some sources (their folders alone are replaced). `anomalies` are bad days
    planted after writing (see `flick_ops.generate.anomalies`); every file gets its arrival time. `progress`
    shows how far the writing is (the command line passes progress bars; silent by default).
    """
    chosen = [source for source in SOURCES if source in set(sources)]
    unknown = sorted(set(sources) - set(SOURCES))
    if unknown:
        raise ValueError(f"unknown source(s) {', '.join(unknown)}; expected some of {', '.join(SOURCES)}")
    _clear(Path(config.lake_root) / "bronze", chosen)

    world = build_world(config)
    landing = Landing(
        lake_root=Path(config.lake_root),
        dates=config.dates(),
        dirty_rate=config.dirty_rate,
        not_after=config.capture_text,
    )
    stats: list[EntityStats] = []
    batch = [source for source in chosen if source in _WRITERS]
    with progress("sources", len(batch)) as advance:
        for source in batch:
            stats.extend(_WRITERS[source](world, landing))
            advance(1)
    if "playback" in chosen:
        # Imported here: the telemetry writer is the heaviest module and has its own progress bars.
        from flick_ops.generate.playback import write_playback

        stats.append(write_playback(world, progress))

    planted = list(anomalies)
    plant_anomalies(config.lake_root, planted, config.seed)
    summary = LakeSummary(
        config=_manifest_config(config),
        entities=_in_source_order(stats),
        anomalies=[anomaly.as_json() for anomaly in planted],
    )
    summary.write(config.lake_root)
    return summary


def _clear(bronze: Path, sources: list[str]) -> None:
    if set(sources) == set(SOURCES):
        shutil.rmtree(bronze, ignore_errors=True)
    else:
        for source in sources:
            shutil.rmtree(bronze / source, ignore_errors=True)
    bronze.mkdir(parents=True, exist_ok=True)


def _manifest_config(config: GeneratorConfig) -> dict:
    """The options that decide the lake's content; the lake's own location is left out so copies compare equal."""
    options = asdict(config)
    del options["lake_root"]
    options["start_date"] = config.start_date.isoformat()
    options["not_after"] = config.not_after.isoformat() if config.not_after else None
    return options


def _in_source_order(stats: list[EntityStats]) -> list[EntityStats]:
    """Sources in `SOURCES` order, each source's entities in the contract's."""
    position = {(e.source, e.name): i for i, e in enumerate(entities())}
    return sorted(stats, key=lambda s: (SOURCES.index(s.source), position[(s.source, s.entity)]))
