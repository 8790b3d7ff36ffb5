"""A request body over `CATALOG_MAX_BODY_BYTES` is refused with 413, on every route.

uvicorn has no body limit of its own. A declared `Content-Length` over the limit is
refused before anything reads the body; a body without one (chunked) is counted as it
streams in, and refused as soon as it passes the limit: the route then sees the client
as gone, and whatever it still tries to send is dropped.
"""

from __future__ import annotations

import logging

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.refused import send_refusal

logger = logging.getLogger(__name__)


class BodySizeLimitMiddleware:
    """Pure ASGI, so that it sees every route and streams nothing through a buffer."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        await _LimitedRequest(self, scope, receive, send).run()

    async def _refuse(self, scope: Scope, send: Send) -> None:
        detail = f"the request body is larger than {self.max_bytes} bytes (CATALOG_MAX_BODY_BYTES)"
        await send_refusal(
            scope,
            send,
            status=413,
            detail=detail,
            code="BAD_USER_INPUT",
            headers=[(b"connection", b"close")],
        )


class _LimitedRequest:
    """One request whose body is counted as the application reads it."""

    def __init__(
        self, limit: BodySizeLimitMiddleware, scope: Scope, receive: Receive, send: Send
    ) -> None:
        self.limit = limit
        self.scope = scope
        self._receive = receive
        self._send = send
        self.received = 0
        self.response_started = False
        self.refused = False

    async def run(self) -> None:
        try:
            await self.limit.app(self.scope, self.receive, self.send)
        except Exception:
            if not self.refused:
                raise
            # The route failed on the body it was denied; the client already has its 413.
            logger.debug("route stopped after its body was refused", exc_info=True)

    async def receive(self) -> Message:
        if self.refused:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit.max_bytes:
                self.refused = True
                if not self.response_started:
                    self.response_started = True
                    await self.limit._refuse(self.scope, self._send)
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if self.refused:
            return
        if message["type"] == "http.response.start":
            self.response_started = True
        await self._send(message)


__all__ = ["BodySizeLimitMiddleware"]
