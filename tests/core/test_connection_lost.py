"""Which failures mean the connection died (try the work once more, on a new connection)
and which mean the statement was refused (report it)."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy.exc import DBAPIError

from core.db import connection_lost


def _caused(error: BaseException, cause: BaseException) -> BaseException:
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.AdminShutdownError("terminating connection"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
        asyncpg.InterfaceError("connection is closed"),
        ConnectionResetError(),
        # Still consuming the server's shutdown notice when the next statement came.
        asyncpg.exceptions.InternalClientError("cannot switch to state 11"),
        _caused(RuntimeError("wrapped"), asyncpg.exceptions.AdminShutdownError("gone")),
    ],
)
def test_a_dead_connection_is_recognised(error: BaseException) -> None:
    assert connection_lost(error)


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
        asyncpg.exceptions.QueryCanceledError("statement timeout"),
        asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
        DBAPIError("SELECT 1", None, ValueError("no")),
        ValueError("not the database"),
    ],
)
def test_a_refused_statement_is_not_a_dead_connection(error: BaseException) -> None:
    assert not connection_lost(error)
