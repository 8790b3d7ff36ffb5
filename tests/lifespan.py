"""The app's lifespan for in-process tests, with start and stop limits a loaded 2-core CI
machine keeps: asgi-lifespan's default 5 s was once exceeded there while other tests ran."""

from __future__ import annotations

from asgi_lifespan import LifespanManager
from starlette.types import ASGIApp

STARTUP_TIMEOUT_S = 30
SHUTDOWN_TIMEOUT_S = 30


def lifespan(app: ASGIApp) -> LifespanManager:
    return LifespanManager(
        app, startup_timeout=STARTUP_TIMEOUT_S, shutdown_timeout=SHUTDOWN_TIMEOUT_S
    )
