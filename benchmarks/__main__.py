"""Run the benchmarks, print a table and write each result to benchmarks/results/<name>.json.

python -m benchmarks                   # all of them
python -m benchmarks --only generator  # one
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

BENCHMARKS = ("generator", "publish", "scale")
PACKAGE_DIR = Path(__file__).resolve().parent
RESULTS_DIR = PACKAGE_DIR / "results"
COLUMNS = ("benchmark", "work", "seconds", "CPU seconds", "per second", "peak RSS MB")


def run_isolated(name: str) -> dict:
    """Run one benchmark in a fresh interpreter, so that peak memory and imports are its own."""
    completed = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}"],
        cwd=PACKAGE_DIR.parent,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise click.ClickException(f"benchmark {name} failed with exit code {completed.returncode}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["machine"] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return result


def markdown_table(results: list[dict]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join(["---"] + ["---:"] * (len(COLUMNS) - 1)) + "|"]
    for r in results:
        cells = (
            r["benchmark"],
            f"{r['items']:,} {r['unit']}",
            f"{r['seconds']:.2f}",
            f"{r['cpu_seconds']:.2f}",
            f"{r['items_per_second']:,} {r['unit']}/s",
            f"{r['peak_rss_mb']:,.0f}",
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--only", multiple=True, type=click.Choice(BENCHMARKS), help="Run only this benchmark (repeatable).")
def main(only: tuple[str, ...]) -> None:
    """Run Flick's benchmarks and record their results."""
    results = [run_isolated(name) for name in only or BENCHMARKS]
    RESULTS_DIR.mkdir(exist_ok=True)
    for result in results:
        (RESULTS_DIR / f"{result['benchmark']}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    click.echo(markdown_table(results))
    # A benchmark with several steps (scale) also brings its own table of them.
    for result in results:
        if "table" in result.get("details", {}):
            click.echo(f"\n{result['benchmark']}:\n\n{result['details']['table']}")


if __name__ == "__main__":
    main()
