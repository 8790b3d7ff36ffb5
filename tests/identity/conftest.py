"""An app that trusts a real issuer served over HTTP on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.oidc_settings import IssuerConfig
from core.settings import Settings, load_settings
from server.app import create_app
from tests.dev_token import DEV_TOKEN
from tests.identity.idp import TestIssuer
from tests.lifespan import developer_client, lifespan


@pytest.fixture(scope="session")
def issuer() -> Iterator[TestIssuer]:
    server = TestIssuer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def oidc_settings(issuer: TestIssuer) -> Settings:
    config = IssuerConfig(
        issuer=issuer.issuer,
        audience="catalog-api",
        role_map={"catalog-admins": "ADMIN", "catalog-auditors": "AUDITOR"},
        machine_clients={"monitoring": ("SUPPORT_AGENT",)},
    )
    return load_settings(
        database_url="postgresql://unused/unused",
        oidc_issuers=(config,),
        anonymous_read=False,
        _env_file=None,
    )


@pytest.fixture
async def oidc_client(
    oidc_settings: Settings,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(oidc_settings, engine=engine, sessionmaker=sessionmaker)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture
async def make_viewer_client(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    """The development identity with only the VIEWER role."""
    settings = load_settings(
        database_url="postgresql://unused/unused", dev_roles="VIEWER", _env_file=None
    )
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker, dev_token=DEV_TOKEN)
    async with developer_client(app) as client:
        yield client
