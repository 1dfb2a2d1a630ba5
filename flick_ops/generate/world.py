"""The simulated world a generated lake describes.

``build_world`` (in ``entities.py``) draws accounts, profiles and titles once;
every source writer (app, studio, vendor, social, reviews, playback) reads the
same ``World`` so that ids, countries and runtimes agree across sources.
All arrays are numpy arrays of equal length per group.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class GeneratorConfig:
    lake_root: Path
    seed: int = 42
    accounts: int = 1000
    days: int = 14
    events_per_day: int = 10_000
    start_date: date = date(2026, 10, 1)
    dirty_rate: float = 0.01
    # The moment the lake is captured: nothing stamped later lands (a window ending today ends now, not at
    # midnight). None captures the whole window, as at midnight after its last day.
    not_after: datetime | None = None

    @property
    def end_date(self) -> date:
        return self.start_date + timedelta(days=self.days - 1)

    @property
    def capture_ms(self) -> int:
        """Epoch milliseconds of the capture: the end of the window, or `not_after` when that is earlier."""
        window_end = datetime.combine(self.end_date + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
        moment = min(window_end, self.not_after.astimezone(UTC)) if self.not_after else window_end
        return int(moment.timestamp() * 1000)

    @property
    def capture_text(self) -> str | None:
        """`not_after` as the lake's timestamp text (seconds, no zone suffix), for comparing landed values."""
        return self.not_after.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") if self.not_after else None

    def dates(self) -> list[date]:
        return [self.start_date + timedelta(days=i) for i in range(self.days)]


@dataclass(frozen=True)
class Accounts:
    account_id: np.ndarray  # str, "A0000001"
    country: np.ndarray  # str, ISO alpha-2
    signup_day: np.ndarray  # int, day index relative to start_date (negative = before the window)
    churn_day: np.ndarray  # int, day index of cancellation, or a large sentinel when the account never churns
    activity: np.ndarray  # float, relative viewing intensity (heavy-tailed, sums to 1)
    plan_id: np.ndarray  # str, plan at signup


@dataclass(frozen=True)
class Profiles:
    profile_id: np.ndarray  # str, "P00000001"
    account_index: np.ndarray  # int, row in Accounts
    is_kids: np.ndarray  # bool


@dataclass(frozen=True)
class Titles:
    title_id: np.ndarray  # str: vendor "s123" or studio "FO00001"
    name: np.ndarray  # str
    release_year: np.ndarray  # int
    is_series: np.ndarray  # bool
    runtime_min: np.ndarray  # int, minutes (per episode for series)
    popularity: np.ndarray  # float, heavy-tailed weights summing to 1
    is_original: np.ndarray  # bool, studio original rather than vendor title


@dataclass(frozen=True)
class World:
    config: GeneratorConfig
    rng: np.random.Generator
    accounts: Accounts
    profiles: Profiles
    titles: Titles
