"""Benchmark: the playback writer landing about 1,000,000 Event Hubs events.

Ten days of 100,000 events a day for 20,000 accounts, with the default 1% of
dirty rows, written as JSON lines to a temporary lake. The timed part is
`write_playback` alone; drawing the world is reported beside it.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from flick_ops.commands.generate import progress_bars
from flick_ops.generate.entities import build_world
from flick_ops.generate.playback import write_playback
from flick_ops.generate.progress import silent
from flick_ops.generate.world import GeneratorConfig

DAYS = 10
EVENTS_PER_DAY = 100_000
ACCOUNTS = 20_000


def run() -> dict:
    with tempfile.TemporaryDirectory(prefix="flick-bench-") as scratch:
        config = GeneratorConfig(
            lake_root=Path(scratch) / "lake", accounts=ACCOUNTS, days=DAYS, events_per_day=EVENTS_PER_DAY
        )
        started = time.perf_counter()
        world = build_world(config)
        world_seconds = time.perf_counter() - started

        started, cpu_started = time.perf_counter(), time.process_time()
        stats = write_playback(world, progress_bars if sys.stderr.isatty() else silent)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        lake_mb = sum(path.stat().st_size for path in config.lake_root.rglob("*.jsonl")) / 2**20

    return {
        "benchmark": "generator",
        "items": stats.rows,
        "unit": "events",
        "seconds": round(seconds, 3),
        # CPU time of all threads: on a busy machine it shows the work apart from the waiting.
        "cpu_seconds": round(cpu_seconds, 3),
        "items_per_second": round(stats.rows / seconds),
        # Linux reports ru_maxrss in KiB.
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "details": {
            "days": DAYS,
            "events_per_day": EVENTS_PER_DAY,
            "accounts": ACCOUNTS,
            "dirty_rate": config.dirty_rate,
            "files": stats.files,
            "dirty_rows": dict(sorted(stats.dirty.items())),
            "lake_mb": round(lake_mb, 1),
            "world_seconds": round(world_seconds, 3),
        },
    }


if __name__ == "__main__":
    print(json.dumps(run()))
