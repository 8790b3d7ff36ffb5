"""A command that cannot use its database says so in one line, not a traceback: the server
unreachable, credentials refused, the database missing, TLS refused, an extension the
migrations need not installed on the server."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator

import asyncpg

# SQLSTATEs of an extension the server cannot provide: undefined_file (its control file is
# missing), feature_not_supported, insufficient_privilege (CREATE EXTENSION needs a superuser
# or a trusted extension).
_EXTENSION_STATES = frozenset({"58P01", "0A000", "42501"})


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _missing_extension(error: BaseException) -> bool:
    return (
        isinstance(error, asyncpg.PostgresError)
        and getattr(error, "sqlstate", None) in _EXTENSION_STATES
        and "extension" in str(error).lower()
    )


def database_failure(error: BaseException) -> str | None:
    """One line saying why the database could not be used, or None when `error` is another
    kind of failure (a bug, which keeps its traceback)."""
    for cause in _chain(error):
        if isinstance(
            cause, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError
        ):
            return f"the database refused the credentials: {_one_line(cause)}"
        if isinstance(cause, asyncpg.InvalidCatalogNameError):
            return f"the database does not exist: {_one_line(cause)}"
        if _missing_extension(cause):
            return (
                "the database server cannot provide an extension the catalog needs: "
                f"{_one_line(cause)}"
            )
        if isinstance(cause, asyncpg.CannotConnectNowError):
            return f"the database is not accepting connections yet: {_one_line(cause)}"
        if isinstance(cause, ssl.SSLError):
            return f"the database's TLS handshake failed: {_one_line(cause)}"
        if isinstance(cause, socket.gaierror):
            return f"the database host could not be resolved: {_one_line(cause)}"
        if isinstance(cause, ConnectionRefusedError):
            return f"the database is unreachable: {_one_line(cause)}"
        if isinstance(cause, OSError) and "connect" in str(cause).lower():
            return f"the database is unreachable: {_one_line(cause)}"
    return None
