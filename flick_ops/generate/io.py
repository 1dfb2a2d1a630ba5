"""Vectorised writers for landed files: JSON lines and CSV, byte-deterministic.

Clean rows are serialised column-wise by DuckDB (no Python loop per row); the
few dirty rows a generator plants are then swapped in as whole lines, so a
malformed or mistyped line is exactly the text a broken feed would send.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa


def _arrow_table(columns: Mapping[str, np.ndarray | Sequence]) -> pa.Table:
    arrays = {}
    for name, values in columns.items():
        if isinstance(values, np.ndarray) and values.dtype.kind in "OUS":
            arrays[name] = pa.array(values.tolist(), type=pa.string())
        else:
            arrays[name] = pa.array(values)
    return pa.table(arrays)


def jsonl_lines(columns: Mapping[str, np.ndarray | Sequence]) -> list[str]:
    """One JSON object per row, keys in the mapping's order, nulls written as `null`.

    Floats are written by DuckDB's shortest round-trip formatting, so the same
    input always gives the same text.
    """
    table = _arrow_table(columns)
    if table.num_rows == 0:
        return []
    with duckdb.connect() as con:
        con.register("rows_in", table)
        struct = ", ".join(f'"{name}" := "{name}"' for name in table.column_names)
        lines = con.sql(f"select to_json(struct_pack({struct}))::varchar as line from rows_in").fetchnumpy()["line"]
    return lines.tolist()


def write_lines(path: Path, lines: Sequence[str]) -> int:
    """Write text lines with `\\n` endings; returns the number of lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        if lines:
            handle.write("\n".join(lines))
            handle.write("\n")
    return len(lines)


def csv_text(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """RFC 4180 CSV (minimal quoting, `\\n` line ends); None becomes an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue()


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> int:
    """Write a CSV file; returns the number of data rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(csv_text(header, rows))
    return len(rows)
