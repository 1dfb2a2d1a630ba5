"""Holding ingest-date partitions out of a lake and landing them again: how tests and parity runs replay arrival.

A lake's sources land at `bronze/<source>/<entity>/ingest_date=YYYY-MM-DD/`.
`hold_back` moves the partitions of the chosen days, of every source, into a
holding folder; `land` moves them back, as that day's landing would deliver
them. Moves, not copies, so a 10M-event lake costs no extra disk.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path


def hold_back(lake_root: Path, holding: Path, held: Callable[[date], bool]) -> list[Path]:
    """Move every source's partition whose ingest date `held` picks out of the lake; returns where each came from."""
    moved = []
    for partition in sorted(Path(lake_root).glob("bronze/*/*/ingest_date=*")):
        if held(date.fromisoformat(partition.name.split("=", 1)[1])):
            target = holding / partition.relative_to(lake_root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(partition, target)
            moved.append(partition)
    return moved


def land(holding: Path, lake_root: Path, partitions: list[Path]) -> None:
    """Move partitions `hold_back` took back into the lake."""
    for partition in partitions:
        shutil.move(holding / partition.relative_to(lake_root), partition)
