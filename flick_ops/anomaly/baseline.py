"""Robust baselines: is today's value of a measure in the band its own history expects?

A series is one measure of one subject (`playback.events` rows, `reviews.scores`
quarantine share, `mart_top10_titles_daily` rows) by date. A day is judged
against the days before it in a trailing window, never against itself:

* the centre is the median and the spread the median absolute deviation (MAD,
  scaled by 1.4826 to read as a standard deviation), so one bad day in the
  history neither moves the centre nor widens the band much;
* day-of-week aware: when the window holds enough days of the same weekday,
  only those are used (Saturday is judged against Saturdays);
* too little history, no judgement: below `min_history` days the band is not
  computed (the fixed bounds of `checks.judge` still apply);
* days listed as known events (a title launch, a holiday) are neither judged
  nor used as history;
* the band widens by sqrt(1 + 1/n) for a history of n days (two Tuesdays
  predict the third less surely than twenty days would);
* volumes have a ceiling too, from three days of history on: three noisy
  Fridays must not make a band so wide that 40% of the usual volume passes
  (half the median either way);
* the band has floors, so a perfectly steady history does not make noise an
  anomaly: a share of the centre for volumes, counting noise (sqrt of the
  count; for a share of n rows, the binomial sqrt(p(1-p)/n)), and a fixed
  width for shares and hours.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class Tolerance:
    """How wide the expected band is around the median: the widest of the spreads below."""

    mads: float = 5.0  # robust standard deviations
    relative: float = 0.0  # share of the median (volumes: a day at 75% of usual is not news)
    absolute: float = 0.0  # fixed width in the measure's unit (shares, hours)
    counting_noise: bool = False  # counts: at least `mads` x sqrt(median); shares of n rows: x sqrt(p(1-p)/n)
    max_relative: float | None = None  # volumes: never wider than this share of the median


@dataclass(frozen=True)
class BaselineSettings:
    window_days: int = 28
    min_history: int = 7
    same_weekday_min: int = 2


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    median: float
    history_days: int
    history_from: date
    history_to: date
    basis: str  # "same weekday" or "all days"

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def describe_history(self) -> str:
        return f"median of {self.history_days} {self.basis} {self.history_from}..{self.history_to}"


def band_for(
    series: Mapping[date, float],
    day: date,
    tolerance: Tolerance,
    settings: BaselineSettings,
    skip_days: Collection[date] = (),
    of_rows: int | None = None,
) -> Band | None:
    """The band `day` should fall in, from the series' earlier days; None without enough history.

    `of_rows` is the number of rows the day's value is a share of (for the binomial noise of a share).
    """
    start = day - timedelta(days=settings.window_days)
    window = {d: v for d, v in series.items() if start <= d < day and d not in skip_days}
    if len(window) < settings.min_history:
        return None
    same_weekday = {d: v for d, v in window.items() if d.weekday() == day.weekday()}
    used, basis = (
        (same_weekday, "same weekday") if len(same_weekday) >= settings.same_weekday_min else (window, "all days")
    )
    values = list(used.values())
    median = statistics.median(values)
    mad = statistics.median(abs(value - median) for value in values)
    widest = max(
        tolerance.mads * MAD_TO_SIGMA * mad,
        tolerance.relative * abs(median),
        tolerance.absolute,
        _counting_noise(median, of_rows) * tolerance.mads if tolerance.counting_noise else 0.0,
    )
    spread = widest * (1 + 1 / len(values)) ** 0.5  # a prediction from few days is less sure than from many
    if tolerance.max_relative is not None and len(values) >= 3:  # two days may be an initial load and a normal day
        spread = min(spread, tolerance.max_relative * abs(median))
    return Band(
        low=max(0.0, median - spread),  # every measure here is a count, share, size or hour: never below 0
        high=median + spread,
        median=median,
        history_days=len(values),
        history_from=min(used),
        history_to=max(used),
        basis=basis,
    )


def _counting_noise(median: float, of_rows: int | None) -> float:
    if not of_rows:
        return abs(median) ** 0.5
    share = min(max(median, 1 / of_rows), 1.0)
    return (share * (1 - share) / of_rows) ** 0.5
