"""`POST /subgraph`: the federation subgraph over HTTP, for a router (Apollo Router or
Gateway) to send `_service` and `_entities` and the operations it plans here.

The same view as `/graphql` (graphql_schema/http.py) behind the same middleware: the
caller, time limit, cost budget, commit, audit and answers are the same. Always served:
the subgraph gives no one more than `/graphql` does. Its schema is built on the first
request, so an app that is never asked pays nothing for it.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from core.settings import Settings
from graphql_schema.federation.schema import CatalogSubgraph
from graphql_schema.http import CatalogGraphQL, PrincipalResolver


class LazySubgraphView:
    """The subgraph's `CatalogGraphQL`, made (with the subgraph) on its first request."""

    def __init__(
        self,
        build: Callable[[], CatalogSubgraph],
        *,
        settings: Settings,
        principal_for: PrincipalResolver,
    ) -> None:
        self.build = build
        self.settings = settings
        self.principal_for = principal_for
        self._view: CatalogGraphQL | None = None

    @property
    def view(self) -> CatalogGraphQL:
        if self._view is None:
            self._view = CatalogGraphQL(
                self.build(), settings=self.settings, principal_for=self.principal_for
            )
        return self._view


def mount_subgraph(app: FastAPI, subgraph: LazySubgraphView, *, prefix: str) -> None:
    """`POST /subgraph` (other methods get 405). Left out of `/openapi.json`, which
    describes the API to frontends; a router reads the subgraph's SDL (docs/api.md)."""
    app.state.subgraph = subgraph
    app.add_api_route(
        prefix, _serve, methods=["POST"], include_in_schema=False, response_class=Response
    )


async def _serve(request: Request) -> Response:
    """Module-level, as graphql_schema/http.py's endpoints are (FastAPI's endpoint cache)."""
    subgraph: LazySubgraphView = request.app.state.subgraph
    return await subgraph.view.run(request)


__all__ = ["LazySubgraphView", "mount_subgraph"]
