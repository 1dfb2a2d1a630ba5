"""What an offline dbt run sent: every statement, attributed to the node that sent it.

The child process that runs dbt appends one JSON line per statement as it
goes, so a run cut short by its time limit still leaves what it sent. The
parent reads those lines back and writes them out for people (one .sql file
per node) and for tools (index.json).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dbt_common.events.contextvars import get_node_info

# Statements sent outside any node (schema creation, cache look-ups) are filed under this name.
RUN_LEVEL = "_run"
MODES = ("fresh", "existing")


@dataclass(frozen=True)
class Statement:
    mode: str
    node: str
    sql: str

    @property
    def node_name(self) -> str:
        """The node's own name (`playback_events` for `model.flick.playback_events`)."""
        return self.node.rsplit(".", 1)[-1]


class StatementLog:
    """Appends statements to a JSON-lines file; safe to call from dbt's worker threads."""

    def __init__(self, path: Path, mode: str) -> None:
        self._path = path
        self._mode = mode
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")

    def record(self, sql: str) -> None:
        node = get_node_info().get("unique_id") or RUN_LEVEL
        line = json.dumps({"mode": self._mode, "node": node, "sql": sql})
        with self._lock, self._path.open("a", encoding="utf-8") as log:
            log.write(line + "\n")


class MacroLog:
    """Appends the unique id of each macro dbt renders, once, to a text file; safe from dbt's worker threads.

    It shows which dispatched versions (`synapse__...`, `fabric__...`) an offline run exercised, and so
    which macro outputs the dialect checks have seen.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")

    def install(self) -> None:
        from dbt.clients.jinja import MacroGenerator

        render = MacroGenerator.__call__
        log = self

        def render_and_record(generator: MacroGenerator, *args: object, **kwargs: object) -> object:
            log.record(generator.macro.unique_id)
            return render(generator, *args, **kwargs)

        MacroGenerator.__call__ = render_and_record  # type: ignore[method-assign]

    def record(self, unique_id: str) -> None:
        with self._lock:
            if unique_id in self._seen:
                return
            self._seen.add(unique_id)
            with self._path.open("a", encoding="utf-8") as log:
                log.write(unique_id + "\n")


def read_macro_log(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {line for line in path.read_text(encoding="utf-8").splitlines() if line}


def read_statement_log(path: Path) -> list[Statement]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Statement(**json.loads(line)) for line in lines if line.strip()]


@dataclass(frozen=True)
class OfflineCompilation:
    """Every statement one target's offline runs sent, in the order they were sent."""

    target: str
    out_dir: Path
    statements: tuple[Statement, ...]
    seconds: float
    rendered_macros: frozenset[str] = frozenset()

    def nodes(self, mode: str | None = None) -> list[str]:
        return sorted({s.node for s in self.statements if s.node != RUN_LEVEL and (mode is None or s.mode == mode)})

    def for_node(self, node_name: str, mode: str) -> list[str]:
        """The statements one node sent in one mode, looked up by its name or unique id."""
        return [s.sql for s in self.statements if s.mode == mode and node_name in (s.node, s.node_name)]

    @classmethod
    def read(
        cls,
        target: str,
        out_dir: Path,
        statements: Iterable[Statement],
        seconds: float,
        rendered_macros: Iterable[str] = (),
    ) -> OfflineCompilation:
        return cls(target, out_dir, tuple(statements), seconds, frozenset(rendered_macros))


def write_outputs(compilation: OfflineCompilation) -> Path:
    """One `<mode>/<node>.sql` per node holding its statements in order, and an index.json over them all."""
    index: dict[str, dict[str, dict[str, object]]] = {mode: {} for mode in MODES}
    for mode in MODES:
        by_node: dict[str, list[str]] = {}
        for statement in compilation.statements:
            if statement.mode == mode:
                by_node.setdefault(statement.node, []).append(statement.sql)
        folder = compilation.out_dir / mode
        folder.mkdir(parents=True, exist_ok=True)
        for node, sqls in sorted(by_node.items()):
            file = folder / f"{node}.sql"
            file.write_text(_as_script(node, mode, compilation.target, sqls), encoding="utf-8")
            index[mode][node] = {"file": str(file.relative_to(compilation.out_dir)), "statements": sqls}
    index_file = compilation.out_dir / "index.json"
    summary = {"target": compilation.target, "seconds": round(compilation.seconds, 1), "modes": index}
    index_file.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return index_file


def _as_script(node: str, mode: str, target: str, sqls: Sequence[str]) -> str:
    header = f"-- {node}: what dbt sends to {target} when {_MODE_MEANING[mode]}.\n"
    parts = [f"-- statement {i} of {len(sqls)}\n{sql.strip()}\n" for i, sql in enumerate(sqls, start=1)]
    return header + "\n" + "\n".join(parts)


_MODE_MEANING = {
    "fresh": "no relation exists yet (first build)",
    "existing": "every relation already exists (incremental and snapshot runs)",
}
