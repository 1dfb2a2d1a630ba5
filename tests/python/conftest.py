"""Shared fixtures: small generated lakes on disk."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest

from flick_ops.generate import SOURCES, generate_lake
from flick_ops.generate.world import GeneratorConfig

# Small enough to generate in about a second, large enough that every entity
# but the studio originals has 100+ rows (so each dirty kind shows up).
SMALL_LAKE = {"accounts": 400, "days": 15, "events_per_day": 500, "dirty_rate": 0.02, "seed": 7}


def available_sources() -> tuple[str, ...]:
    """Every source whose writer module exists (playback is written in parallel and may not be there yet)."""
    if importlib.util.find_spec("flick_ops.generate.playback") is None:
        return tuple(source for source in SOURCES if source != "playback")
    return SOURCES


@pytest.fixture(scope="session")
def tmp_lake(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Factory: generate a lake in a fresh temporary folder (SMALL_LAKE, overridden by keyword) and return its root."""

    def make(**options: object) -> Path:
        root = tmp_path_factory.mktemp("lake")
        config = GeneratorConfig(lake_root=root, **{**SMALL_LAKE, **options})
        generate_lake(config, show_progress=False, sources=available_sources())
        return root

    return make
