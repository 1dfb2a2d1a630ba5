"""The e-mail hash salt: from the environment or the checkout's salt file, never a default.

A known salt makes `email_hash` reversible with a dictionary of addresses, so
there is no built-in one: FLICK_EMAIL_HASH_SALT wins, else the file
`.flick/email_hash_salt` in the project (git-ignored; `make` writes a random
one). Every command that builds reads it here and stops with one line when
neither exists.
"""

from __future__ import annotations

import os
from pathlib import Path

from flick_ops.errors import OperatorError

SALT_VARIABLE = "FLICK_EMAIL_HASH_SALT"
SALT_FILE = Path(".flick") / "email_hash_salt"
EXIT_NO_SALT = 2


class MissingSalt(OperatorError):
    exit_code = EXIT_NO_SALT


def email_hash_salt(project_dir: Path) -> str | None:
    """The salt from the environment, else from <project>/.flick/email_hash_salt; None when neither has one."""
    configured = os.environ.get(SALT_VARIABLE, "").strip()
    if configured:
        return configured
    path = Path(project_dir) / SALT_FILE
    try:
        stored = path.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return stored or None


def require_salt(project_dir: Path) -> str:
    salt = email_hash_salt(project_dir)
    if salt is None:
        raise MissingSalt(
            f"no e-mail hash salt: set {SALT_VARIABLE} or write a random one to {Path(project_dir) / SALT_FILE} "
            "(`make` does); nothing was built"
        )
    return salt
