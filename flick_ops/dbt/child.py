"""The child process of `run_dbt`: `python -m flick_ops.dbt.child <dbt args>`.

It runs dbt through its Python API and writes one JSON line per finished node
to stdout (prefixed, so the parent can tell them from dbt's own output).
"""

from __future__ import annotations

import json
import sys
import threading

from flick_ops.dbt.runner import DBT_CRASHED, DBT_NODES_FAILED, DBT_SUCCEEDED, EVENT_PREFIX

_STDOUT_LOCK = threading.Lock()


def _report_finished_node(event) -> None:  # dbt's EventMsg (a protobuf message)
    if event.info.name != "NodeFinished":
        return
    result = event.data.run_result
    payload = {
        "unique_id": event.data.node_info.unique_id,
        "status": result.status,
        "execution_time": round(result.execution_time, 3),
        "message": result.message,
    }
    # dbt runs nodes on several threads; one locked write per line keeps lines whole.
    with _STDOUT_LOCK:
        sys.stdout.write(EVENT_PREFIX + json.dumps(payload) + "\n")
        sys.stdout.flush()


def _child_main(args: list[str]) -> int:
    from dbt.cli.main import dbtRunner

    outcome = dbtRunner(callbacks=[_report_finished_node]).invoke(args)
    if outcome.exception is not None:
        print(f"dbt failed: {outcome.exception}", flush=True)
        return DBT_CRASHED
    return DBT_SUCCEEDED if outcome.success else DBT_NODES_FAILED


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
