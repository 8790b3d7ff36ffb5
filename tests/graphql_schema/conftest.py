"""What the GraphQL tests share: the service desk signed in as real people, and apps made
from the settings a test names."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.oidc_settings import IssuerConfig
from core.settings import Settings, load_settings
from server import dev_sign_in
from server.app import create_app
from tests.dev_token import DEV_AUTHORIZATION, DEV_TOKEN
from tests.graphql_schema.desk import Desk, desk_client
from tests.identity.idp import TestIssuer
from tests.lifespan import lifespan


@pytest.fixture
async def desk(
    issuer: TestIssuer, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Desk]:
    async with desk_client(issuer, engine, sessionmaker) as desk:
        yield desk


@pytest.fixture
async def oidc_client(
    issuer: TestIssuer, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    """The app trusting the test issuer's tokens, anonymous reads off: callers are real
    people signed in through it."""
    settings = load_settings(
        database_url="postgresql://unused/unused",
        oidc_issuers=(IssuerConfig(issuer=issuer.issuer, audience="catalog-api"),),
        anonymous_read=False,
        _env_file=None,
    )
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture
async def make_client(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Any]:
    managers: list[LifespanManager] = []

    async def make(settings: Settings) -> httpx.AsyncClient:
        app = create_app(settings, engine=engine, sessionmaker=sessionmaker, dev_token=DEV_TOKEN)
        manager = lifespan(app)
        await manager.__aenter__()
        managers.append(manager)
        transport = httpx.ASGITransport(app=manager.app)
        # The development token, where the settings have a development identity at all.
        headers = DEV_AUTHORIZATION if dev_sign_in.applies(settings) else {}
        return httpx.AsyncClient(transport=transport, base_url="http://test", headers=headers)

    yield make
    for manager in managers:
        await manager.__aexit__(None, None, None)
