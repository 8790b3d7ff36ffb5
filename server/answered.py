"""What the middleware that observes a request (its log line, its metrics) needs: how it
was answered, and how long that took."""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


async def answered(
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    record: Callable[[int, float], None],
) -> None:
    """Run `app`, then `record(status, seconds)`, also when it fails (500 when it never
    began a response)."""
    started = time.perf_counter()
    status = 500

    async def send_status(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        await send(message)

    try:
        await app(scope, receive, send_status)
    finally:
        record(status, time.perf_counter() - started)


__all__ = ["answered"]
