"""A request the database could not serve (down, restarting, no connection free in time)
is answered `503` with `Retry-After`, not a bare 500 and a dropped connection.

Starlette's outermost error handler answers an unexpected error with a plain-text 500 and
raises it again, and the server then closes the connection without saying so: a client
reusing it meets a reset. Here, inside that handler, the database's absence is an answer
like any other: GraphQL-shaped on the GraphQL routes, RFC 9457 problem details elsewhere.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.db import DATABASE_UNAVAILABLE, DATABASE_UNAVAILABLE_MESSAGE, database_unreachable
from server.refused import send_refusal

logger = logging.getLogger(__name__)

RETRY_AFTER_S = 2


class DatabaseUnavailableMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as error:
            if started or not database_unreachable(error):
                raise
            logger.warning("answered 503: the database is unreachable (%s)", type(error).__name__)
            retry_after = (b"retry-after", str(RETRY_AFTER_S).encode())
            await send_refusal(
                scope,
                send,
                status=503,
                detail=DATABASE_UNAVAILABLE_MESSAGE,
                code=DATABASE_UNAVAILABLE,
                headers=[retry_after],
            )
