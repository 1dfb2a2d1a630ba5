"""A dbt-duckdb plugin that hands secrets to SQL without writing them into SQL.

dbt writes every compiled statement to target/ and to its debug log, so a
secret rendered into SQL as a literal ends up on disk. Instead, this plugin
sets DuckDB session variables from the environment on every connection and
cursor (variables do not carry over from a connection to its cursors), and the
SQL reads them with `getvariable(...)`.

Enabled in profiles.example.yml:  plugins: [{module: flick_ops.duckdb_session}]
"""

from __future__ import annotations

import os

from dbt.adapters.duckdb.plugins import BasePlugin

# DuckDB session variable <- environment variable.
SESSION_SECRETS = {
    "flick_email_hash_salt": "FLICK_EMAIL_HASH_SALT",
}


def set_session_secrets(connection) -> None:
    for variable, environment_variable in SESSION_SECRETS.items():
        value = os.environ.get(environment_variable, "")
        if value.strip():
            connection.execute(f"set variable {variable} = ?", [value])


class Plugin(BasePlugin):
    def configure_connection(self, conn) -> None:
        set_session_secrets(conn)

    def configure_cursor(self, cursor) -> None:
        set_session_secrets(cursor)
