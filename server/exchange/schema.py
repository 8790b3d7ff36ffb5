"""What is exchanged, read from the models' metadata: tables in foreign-key order, columns, SQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy import Column, Enum, MetaData, String, Table
from sqlalchemy.engine import make_url

from core.db import async_url
from server.exchange.format import ExchangeRefused, revision_text
from server.migrations import head_revisions

VERSION_TABLE = "alembic_version"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def exported_tables(metadata: MetaData) -> list[Table]:
    """Every table of the models, parents before children."""
    return [table for table in metadata.sorted_tables if table.name != VERSION_TABLE]


def stored_columns(table: Table) -> list[Column[Any]]:
    """The columns a row is exported with (generated columns are computed again)."""
    return [column for column in table.columns if column.computed is None]


def table_sql(table: Table) -> str:
    return (
        quote(table.name) if table.schema is None else f"{quote(table.schema)}.{quote(table.name)}"
    )


def _order_key(column: Column[Any]) -> str:
    name = quote(column.name)
    native_enum = isinstance(column.type, Enum) and column.type.native_enum
    # The byte order, not the database's collation: two servers export rows in one order.
    return f'{name} COLLATE "C"' if isinstance(column.type, String) and not native_enum else name


def select_sql(table: Table) -> str:
    """All stored columns of every row, ordered by primary key (by the whole row without one)."""
    names = ", ".join(quote(column.name) for column in stored_columns(table))
    keys = [_order_key(column) for column in table.primary_key.columns]
    alias = quote(table.name)
    order = ", ".join(keys) if keys else f'({alias}.*)::text COLLATE "C"'
    return f"SELECT {names} FROM {table_sql(table)} AS {alias} ORDER BY {order}"


@asynccontextmanager
async def connect(url: str) -> AsyncIterator[Any]:
    """A plain asyncpg connection, not SQLAlchemy's (whose codecs parse JSON on reading).

    Values arrive as the driver reads them: JSON as PostgreSQL prints it, numeric as
    `Decimal`; nothing is parsed and printed again.
    """
    dsn = make_url(async_url(url)).set(drivername="postgresql")
    connection = await asyncpg.connect(
        dsn.render_as_string(hide_password=False),
        server_settings={"application_name": "service-catalog", "timezone": "UTC"},
        # Prepared unnamed, each in the statement or transaction that runs it: what a
        # transaction pooler in front (PgBouncer) needs; a one-shot run loses nothing.
        statement_cache_size=0,
    )
    try:
        yield connection
    finally:
        await connection.close()


async def database_revisions(connection: Any) -> frozenset[str]:
    """The database's Alembic revisions, which must be this version's heads."""
    try:
        rows = await connection.fetch(f"SELECT version_num FROM {VERSION_TABLE}")
    except asyncpg.UndefinedTableError:
        raise ExchangeRefused(
            "the database is not migrated; run `service-catalog migrate` first"
        ) from None
    revisions = frozenset(row["version_num"] for row in rows)
    heads = frozenset(head_revisions())
    if revisions != heads:
        raise ExchangeRefused(
            f"the database is at schema revision {revision_text(revisions)} but this "
            f"service-catalog expects {revision_text(heads)}; run `service-catalog migrate`"
        )
    return revisions


async def unknown_to_models(connection: Any, tables: list[Table]) -> list[str]:
    """Tables and columns in the database that no model declares (they are not exported)."""
    rows = await connection.fetch(
        "SELECT c.relname AS table_name, a.attname AS column_name"
        " FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
        " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')"
        " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum"
    )
    known = {table.name: {column.name for column in table.columns} for table in tables}
    unknown: list[str] = []
    for row in rows:
        table, column = row["table_name"], row["column_name"]
        if table == VERSION_TABLE:
            continue
        if table not in known:
            if table not in unknown:
                unknown.append(table)
        elif column not in known[table]:
            unknown.append(f"{table}.{column}")
    return unknown
