"""The Alembic migrations (this package: env.py and versions/), applied under an advisory lock;
whether the database is at head."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.db import make_engine

# Any fixed 64-bit number: replicas starting together migrate one at a time.
MIGRATION_LOCK_KEY = 0x5E41_CA7A_1060_0001
# The migrations ship inside the package (env.py, versions/), so an installed wheel migrates
# without a checkout; pyproject.toml's [tool.alembic] points the `alembic` command here too.
MIGRATIONS = Path(__file__).resolve().parent
VERSIONS = MIGRATIONS / "versions"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def upgrade_connection(connection: AsyncConnection, revision: str = "head") -> None:
    """Upgrade while holding the migration lock on this connection."""
    await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    try:
        await connection.run_sync(_upgrade, revision)
        await connection.commit()
    finally:
        await connection.execute(
            text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
        )
        await connection.commit()


async def migrate(database_url: str, revision: str = "head") -> None:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            await upgrade_connection(connection, revision)
    finally:
        await engine.dispose()


def _downgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def downgrade(database_url: str, revision: str) -> None:
    """Downgrade to `revision` (`base` drops everything) under the migration lock."""
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            await connection.execute(
                text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
            try:
                await connection.run_sync(_downgrade, revision)
                await connection.commit()
            except BaseException:
                await connection.rollback()  # so the unlock below can run and the cause shows
                raise
            finally:
                await connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
                await connection.commit()
    finally:
        await engine.dispose()


def _current(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


async def is_at_head(engine: AsyncEngine) -> bool:
    async with engine.connect() as connection:
        return await connection.run_sync(_current) == head_revisions()
