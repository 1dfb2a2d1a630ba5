"""Expected failures, told in one or two lines: what failed and what to do.

The command line catches these (and the operating-system and Azure SDK errors
that are expected in operation: a refused or silent endpoint, failed sign-in,
throttling beyond the retries, a missing file, a folder without permission)
and prints `flick-ops: error: ...` with exit code 1 instead of a traceback;
`flick-ops --verbose ...` shows the traceback too.
"""

from __future__ import annotations

import errno
import re
import shutil
from pathlib import Path

EXIT_FAILED = 1


class OperatorError(RuntimeError):
    """A failure the operator can fix; the message says what failed and what to do."""

    exit_code = EXIT_FAILED


class MissingSystemLibrary(OperatorError):
    """A system package a command needs is not installed; the message gives the command that installs it."""


def describe_expected(exc: BaseException) -> str | None:
    """One or two lines for an expected failure; None for anything else (a bug: the traceback is shown)."""
    if isinstance(exc, OperatorError):
        return str(exc)
    azure = _describe_azure(exc)
    if azure:
        return azure
    if isinstance(exc, PermissionError):
        return f"permission denied: {_filename(exc)}\nchoose a folder you can write to, or fix its permissions"
    if isinstance(exc, FileNotFoundError):
        return f"not found: {_filename(exc)}\ncheck the path (or build or generate it first)"
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.ENOSPC, errno.ENOENT, errno.EACCES):
        return f"cannot write {_filename(exc)}: {exc.strerror}\nchoose another folder or free some space"
    if isinstance(exc, ConnectionError | TimeoutError):
        return f"network: {_first_line(exc)}\ncheck the endpoint and your network, then run the command again"
    return None


def _describe_azure(exc: BaseException) -> str | None:
    try:
        from azure.core.exceptions import (
            ClientAuthenticationError,
            HttpResponseError,
            ServiceRequestError,
            ServiceResponseError,
        )
    except ImportError:
        return None
    if isinstance(exc, ClientAuthenticationError):
        return (
            f"Azure sign-in failed: {_first_line(exc)}\n"
            "check the key or credential (FLICK_COSMOS_KEY, AZURE_* variables, `az login`)"
        )
    if isinstance(exc, ServiceRequestError | ServiceResponseError):
        return (
            f"could not reach the service: {network_reason(exc)}\n"
            "check the endpoint URL, the network and any firewall, then run the command again"
        )
    if isinstance(exc, HttpResponseError):
        status = getattr(exc, "status_code", None)
        hint = (
            "throttled beyond the retries: lower --max-concurrency or --max-ru-per-second, or raise the throughput"
            if status == 429
            else "check the permissions of the identity used and the resource's settings"
        )
        return f"the service answered {status}: {_first_line(exc)}\n{hint}"
    return None


def network_reason(exc: BaseException) -> str:
    """The innermost reason of a network error (`Connection refused`, `Read timed out`), not the SDK's wrapping."""
    text = " ".join(str(exc).split())
    found = re.search(r"\[Errno -?\d+\] ([^\"')(]+)|(Read timed out)|(timed out)", text)
    if found:
        return next(group for group in found.groups() if group).strip()
    return text[:200] or type(exc).__name__


def _filename(exc: OSError) -> str:
    return str(exc.filename) if exc.filename else _first_line(exc)


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


def require_library(name: str, soname: str, install: str) -> None:
    """Raise MissingSystemLibrary unless the shared library `soname` can be loaded."""
    import ctypes

    try:
        ctypes.CDLL(soname)
    except OSError as exc:
        raise MissingSystemLibrary(f"{name} needs {soname}, which is not installed: {install}") from exc


def require_program(name: str, program: str, install: str, *, candidates: tuple[Path, ...] = ()) -> str:
    """The path of `program` (on PATH or among candidates), or MissingSystemLibrary naming how to install it."""
    found = shutil.which(program) or next((str(path) for path in candidates if path.exists()), None)
    if found is None:
        raise MissingSystemLibrary(f"{name} needs {program}, which is not installed: {install}")
    return found
