"""The app's lifespan for in-process tests, with start and stop limits a loaded 2-core CI
machine keeps: asgi-lifespan's default 5 s was once exceeded there while other tests ran."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from asgi_lifespan import LifespanManager
from starlette.types import ASGIApp

from tests.dev_token import DEV_AUTHORIZATION

STARTUP_TIMEOUT_S = 30
SHUTDOWN_TIMEOUT_S = 30


def lifespan(app: ASGIApp) -> LifespanManager:
    return LifespanManager(
        app, startup_timeout=STARTUP_TIMEOUT_S, shutdown_timeout=SHUTDOWN_TIMEOUT_S
    )


@asynccontextmanager
async def developer_client(app: ASGIApp) -> AsyncIterator[httpx.AsyncClient]:
    """The app started and called in process, as the development person (its token sent
    with every request)."""
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=DEV_AUTHORIZATION
        ) as client:
            yield client
