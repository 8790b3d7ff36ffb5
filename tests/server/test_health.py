"""Liveness, and readiness: the database answers and its migrations are at head."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from core.settings import Settings
from server.app import create_app
from tests import database
from tests.lifespan import lifespan


async def _get(settings: Settings, database_url: str, path: str) -> httpx.Response:
    app = create_app(settings, database_url=database_url)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path)


@pytest.fixture
async def empty_database(server_url: str) -> AsyncIterator[str]:
    """A database no migration has touched."""
    name = await database.clone(server_url, "template0", prefix="sc_empty")
    yield database.with_database(server_url, name)
    await database.drop(server_url, name)


@pytest.fixture
def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql://postgres@127.0.0.1:{port}/catalog"


async def test_healthz_answers_without_the_database(
    settings: Settings, closed_port_url: str
) -> None:
    response = await _get(settings, closed_port_url, "/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ready_on_a_migrated_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_readyz_is_unavailable_when_migrations_are_not_at_head(
    settings: Settings, empty_database: str
) -> None:
    response = await _get(settings, empty_database, "/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "migrations are not at head"}


async def test_readyz_is_unavailable_when_the_database_is_unreachable(
    settings: Settings, closed_port_url: str
) -> None:
    response = await _get(settings, closed_port_url, "/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"].startswith("unreachable: "), body
