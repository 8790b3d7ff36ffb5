"""Real PostgreSQL, migrated by Alembic into a template; each test rolled back."""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
import structlog
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from bench.pgbouncer import pgbouncer
from core.db import make_engine
from core.logs import configure_logging
from core.settings import ReadPath, Settings, load_settings
from server.app import create_app
from tests import database
from tests.dev_token import DEV_TOKEN
from tests.identity.idp import TestIssuer
from tests.lifespan import developer_client

# A 2-core machine running the suite can be slow; the production time limits would turn a
# slow test into a TIMEOUT. Tests of the limits themselves pass their own small values.
os.environ.setdefault("CATALOG_EXECUTION_TIMEOUT_S", "120")
os.environ.setdefault("CATALOG_STATEMENT_TIMEOUT_MS", "60000")
# Every query a test sends is answered by the resolvers and, where it compiles, by the
# compiled read path too: the two must agree (graphql_schema/compiled/extension.py).
os.environ.setdefault("CATALOG_READ_PATH", "verify")
# Server connections of the PgBouncer in front of the tests' database, when asked for: a
# test may hold one in its rolled-back transaction while others work beside it.
PGBOUNCER_POOL_SIZE = 20


@pytest.fixture(scope="session")
async def server_url() -> AsyncIterator[str]:
    url, embedded = await database.find_server()
    yield url
    if embedded is not None:
        embedded.cleanup()


@pytest.fixture(scope="session")
async def template(server_url: str) -> AsyncIterator[str]:
    name = await database.create_template(server_url)
    yield name
    await database.drop(server_url, name)


@pytest.fixture(scope="session")
async def engine(server_url: str, template: str) -> AsyncIterator[AsyncEngine]:
    """One database cloned for the rolled-back tests of this run; with
    CATALOG_TEST_THROUGH_PGBOUNCER=1, reached through PgBouncer in transaction pooling mode
    (as a deployment behind it is), so the tests using it run that way."""
    name = await database.clone(server_url, template)
    url = database.with_database(server_url, name)
    with ExitStack() as stack:
        through_pgbouncer = os.environ.get("CATALOG_TEST_THROUGH_PGBOUNCER") == "1"
        if through_pgbouncer:
            url = stack.enter_context(pgbouncer(url, pool_size=PGBOUNCER_POOL_SIZE))
        engine = make_engine(url, transaction_pooler=through_pgbouncer)
        yield engine
        await engine.dispose()
    await database.drop(server_url, name)


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """An outer transaction rolled back at teardown: nothing a test writes survives it."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        await transaction.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        bind=connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )


@pytest.fixture
async def session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """For builders: its flushes are seen by the app, which shares the connection."""
    async with sessionmaker() as session:
        yield session


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "read_path(path): the CATALOG_READ_PATH the app of this test runs with (a test counting"
        " the statements of one path pins it; the others run in verify mode)",
    )


@pytest.fixture
def settings(request: pytest.FixtureRequest) -> Settings:
    pinned = request.node.get_closest_marker("read_path")
    overrides = {"read_path": ReadPath(pinned.args[0])} if pinned is not None else {}
    return load_settings(database_url="postgresql://unused/unused", _env_file=None, **overrides)


@pytest.fixture
async def client(
    settings: Settings,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx.AsyncClient]:
    """The app, called as the development person (its token sent by default)."""
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker, dev_token=DEV_TOKEN)
    async with developer_client(app) as client:
        yield client


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, *args: Any) -> None:
        self.statements.append(args[2])

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


@pytest.fixture
def count_statements(engine: AsyncEngine) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    event.listen(engine.sync_engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine.sync_engine, "before_cursor_execute", counter)


@pytest.fixture
async def fresh_database(server_url: str, template: str) -> AsyncIterator[str]:
    """A database of its own, for tests that commit or run concurrently."""
    name = await database.clone(server_url, template, prefix="sc_fresh")
    yield database.with_database(server_url, name)
    await database.drop(server_url, name)


@pytest.fixture(scope="module")
def issuer() -> Iterator[TestIssuer]:
    """A real OIDC issuer serving its JWKS over HTTP, for one module's tokens."""
    server = TestIssuer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def json_logs() -> Iterator[Any]:
    """Logging configured as `service-catalog` does, in JSON; the lines written so far."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)

    def lines() -> list[dict[str, Any]]:
        return [json.loads(line) for line in stream.getvalue().splitlines() if line]

    yield lines
    root.handlers[:], root.level = handlers, level
    logging.getLogger("uvicorn.access").disabled = False
    structlog.reset_defaults()
