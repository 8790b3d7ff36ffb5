"""One structured access-log line per HTTP request (uvicorn's own access log is off).

It carries the request id, method, path (without its query string, which may hold an
authorization code), status, duration and the principal's actor; never a header.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from core.logs import DirectLogger
from server.answered import answered

logger = DirectLogger("service_catalog.access")

# Probes and scrapes would drown the log at INFO.
QUIET_PATHS = ("/healthz", "/readyz", "/metrics")


class AccessLogMiddleware:
    """Pure ASGI, inside the request-id middleware so that the line carries the id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        def log(status: int, seconds: float) -> None:
            self._log(scope, status, seconds)

        await answered(self.app, scope, receive, send, log)

    def _log(self, scope: Scope, status: int, seconds: float) -> None:
        state: dict[str, Any] = scope.get("state") or {}
        principal = state.get("principal")
        path = scope["path"]
        log = logger.debug if path in QUIET_PATHS and status < 500 else logger.info
        log(
            "request",
            method=scope["method"],
            path=path,
            status=status,
            duration_ms=round(seconds * 1000, 1),
            actor=getattr(principal, "actor", None),
        )
