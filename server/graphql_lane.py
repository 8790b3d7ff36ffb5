"""`/graphql` handed straight to the GraphQL view, before FastAPI routes the request.

The view is a plain ASGI app (graphql_schema/http.py); through FastAPI's router each
request would first be matched against every route and have its dependencies solved, a
fixed cost that `{ __typename }` or a compiled page pays in full. The routes stay
registered for the OpenAPI description, the metrics' route label and apps without the lane.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from server.middleware import GRAPHQL_PATH


class GraphQLLane:
    """Innermost of the middleware: everything outside it (identity, limits, logs) still runs."""

    def __init__(self, app: ASGIApp, *, view: ASGIApp) -> None:
        self.app = app
        self.view = view

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan" and scope["path"] == GRAPHQL_PATH:
            await self.view(scope, receive, send)
        else:
            await self.app(scope, receive, send)


__all__ = ["GraphQLLane"]
