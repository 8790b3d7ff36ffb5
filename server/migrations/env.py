"""Alembic environment: async engine, naming convention from `core.db`."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from core.db import make_engine
from server.registry import metadata

config = context.config


def _database_url() -> str:
    connection_url = config.attributes.get("database_url")
    if not connection_url:
        from core.settings import load_settings_or_exit

        settings = load_settings_or_exit()
        if settings.database_url is None:
            raise SystemExit("CATALOG_DATABASE_URL is required to run alembic directly")
        connection_url = settings.direct_database_url(settings.database_url)
    return str(connection_url)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = make_engine(_database_url())
    async with engine.connect() as async_connection:
        await async_connection.run_sync(_run)
        await async_connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_database_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif (given_connection := config.attributes.get("connection")) is not None:
    _run(given_connection)
else:
    asyncio.run(_run_online())
