"""The demo catalog, seeded once for the tests that only read it; sessions on a module's engine."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import make_sessionmaker
from server.demo import seed_demo
from tests import database


@pytest.fixture(scope="session")
async def demo_database(server_url: str, template: str) -> AsyncIterator[str]:
    """A database of its own holding the demo catalog, seeded now; never written by tests."""
    name = await database.clone(server_url, template, prefix="sc_demo")
    url = database.with_database(server_url, name)
    await seed_demo(url)
    yield url
    await database.drop(server_url, name)


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on `engine`: a module that commits gives it an engine on a fresh database."""
    return make_sessionmaker(engine)
