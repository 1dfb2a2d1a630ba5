"""A dbt-duckdb plugin: the lake's intake before any model reads it, and secrets handed to SQL without SQL.

Intake: Bronze reads only files the intake has checked (`flick_ops.lake.intake`).
On the first connection of every dbt invocation the plugin brings the intake
zone up to date with what has landed in the lake (FLICK_LAKE_ROOT, else
`lake`), so `dbt build` alone never reads an unchecked file. It costs a
directory listing when nothing new has landed.

Secrets: dbt writes every compiled statement to target/ and to its debug log, so a
secret rendered into SQL as a literal ends up on disk. Instead, this plugin
sets DuckDB session variables from the environment on every connection and
cursor (variables do not carry over from a connection to its cursors), and the
SQL reads them with `getvariable(...)`.

Enabled in profiles.example.yml:  plugins: [{module: flick_ops.duckdb_session}]
"""

from __future__ import annotations

import os
from pathlib import Path

from dbt.adapters.duckdb.plugins import BasePlugin

from flick_ops.lake.intake import run_intake

# DuckDB session variable <- environment variable.
SESSION_SECRETS = {
    "flick_email_hash_salt": "FLICK_EMAIL_HASH_SALT",
}


def set_session_secrets(connection) -> None:
    for variable, environment_variable in SESSION_SECRETS.items():
        value = os.environ.get(environment_variable, "")
        if value.strip():
            connection.execute(f"set variable {variable} = ?", [value])


def take_in_landed_files() -> None:
    lake_root = Path(os.environ.get("FLICK_LAKE_ROOT", "lake"))
    if (lake_root / "bronze").is_dir():
        run_intake(lake_root)


class Plugin(BasePlugin):
    def configure_connection(self, conn) -> None:
        take_in_landed_files()
        set_session_secrets(conn)

    def configure_cursor(self, cursor) -> None:
        set_session_secrets(cursor)
