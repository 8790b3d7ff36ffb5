"""One statement sent alone on a connection of its own, outside any transaction.

A single statement is its own snapshot and, when it writes, its own transaction: no BEGIN,
no COMMIT. It goes straight to asyncpg (its own prepared statement), past SQLAlchemy's
execution machinery (~130 µs of CPU a statement here), unless something listens to the
engine's statements (a statement counter, tracing), which then sees it through SQLAlchemy.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Dialect, Select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from core.db import connection_lost
from core.sql_text import SqlText


def observed(engine: AsyncEngine) -> bool:
    """Whether anything listens to the engine's statements (a statement counter, tracing)."""
    dispatch = engine.sync_engine.dispatch
    return bool(dispatch.before_cursor_execute) or bool(dispatch.after_cursor_execute)


async def fetch_value_alone(engine: AsyncEngine, sql: str, arguments: Sequence[Any]) -> Any:
    """The first column of the statement's first row (None without a row)."""
    row = await fetch_row_alone(engine, sql, arguments)
    return None if row is None else next(iter(row.values()))


async def fetch_row_alone(
    engine: AsyncEngine, sql: str, arguments: Sequence[Any]
) -> Mapping[str, Any] | None:
    """The statement's first row by column name, as the driver gives the values."""
    async with engine.connect() as connection, _forgetting_a_lost(engine, connection):
        if observed(engine):
            result = await _through_sqlalchemy(connection, sql, arguments)
            mapped: Mapping[str, Any] | None = result.mappings().first()
            return mapped
        driver = await _driver(connection)
        row: Mapping[str, Any] | None = await driver.fetchrow(sql, *arguments)
        return row


async def first_row(
    database: AsyncSession | AsyncEngine, statement: Select[Any], parameters: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    """The first row of `statement`: in the session's transaction, or alone (an engine).

    Alone, the values are the driver's (an enum column's stored text, say), not converted
    by the statement's column types."""
    if isinstance(database, AsyncSession):
        mapped: Mapping[str, Any] | None = (
            (await database.execute(statement, parameters)).mappings().first()
        )
        return mapped
    sql = kept_sql(statement, database.dialect)
    return await fetch_row_alone(database, sql.sql, sql.arguments(parameters))


@functools.lru_cache(maxsize=256)
def kept_sql(statement: Select[Any], dialect: Dialect) -> SqlText:
    """A statement built once (a module's constant, a cached builder's) compiled once."""
    return SqlText.compile(statement, dialect)


async def _through_sqlalchemy(
    connection: AsyncConnection, sql: str, arguments: Sequence[Any]
) -> Any:
    await connection.execution_options(isolation_level="AUTOCOMMIT")
    return await connection.exec_driver_sql(sql, tuple(arguments))


async def _driver(connection: AsyncConnection) -> Any:
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None
    return driver


@asynccontextmanager
async def _forgetting_a_lost(
    engine: AsyncEngine, connection: AsyncConnection
) -> AsyncIterator[None]:
    """A cancelled statement leaves its connection in an unknown state: it is not pooled
    again. A dead connection means every pooled one is suspect (PostgreSQL restarted), as
    SQLAlchemy decides on a disconnect it sees: the next checkout makes a new one."""
    try:
        yield
    except asyncio.CancelledError:
        await connection.invalidate()
        raise
    except Exception as error:
        if connection_lost(error):
            await connection.invalidate()
            await engine.dispose(close=False)
        raise


__all__ = ["fetch_row_alone", "fetch_value_alone", "first_row", "kept_sql", "observed"]
