"""Requests handed straight to their handler, before FastAPI routes them: `/graphql` (every
method, and its websocket) to the GraphQL view, `POST /api/feedback` to the submission door.

Each handler is a plain ASGI app (graphql_schema/http.py, feedback/routes.py); through
FastAPI's router each request would first be matched against every route and wrapped in
its request/response machinery, a fixed cost that `{ __typename }`, a compiled page or a
submission pays in full. The routes stay registered for the OpenAPI description, the
metrics' route label, the methods no lane takes (a 405 names the allowed ones) and apps
without the lanes.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Receive, Scope, Send


class Lanes:
    """Innermost of the middleware: everything outside it (identity, limits, logs) still runs."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        every_method: Mapping[str, ASGIApp],
        post: Mapping[str, ASGIApp],
    ) -> None:
        self.app = app
        self.every_method = dict(every_method)
        self.post = dict(post)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            path = scope["path"]
            lane = self.every_method.get(path)
            if lane is None and scope["type"] == "http" and scope["method"] == "POST":
                lane = self.post.get(path)
            if lane is not None:
                await lane(scope, receive, send)
                return
        await self.app(scope, receive, send)


__all__ = ["Lanes"]
