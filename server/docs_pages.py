"""`/docs` (Swagger UI) and the static files of both browser pages, from installed packages.

Nothing is fetched from another host: Swagger UI's built files come from the
`fastapi-offline` wheel, GraphiQL's from `graphene-django-graphiql-static` (see
`graphql_schema/graphiql.py`), and the two small start scripts are ours (`server/static/`).
All are served by Starlette's `StaticFiles` under `/static/...`:

- `/static/swagger-ui/` Swagger UI; `/static/catalog/` our start scripts (always);
- `/static/graphiql/` GraphiQL, only when `CATALOG_GRAPHIQL` is on.

`/docs` is always served: it shows only what `/openapi.json` already publishes, and calls
nothing itself unless the reader presses "Try it out", which sends the reader's own request.
Each page runs no inline script, so its policy allows scripts from this origin only.
"""

from __future__ import annotations

from html import escape
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from core.settings import Settings
from graphql_schema.graphiql import GRAPHIQL_ASSETS, OWN_ASSETS, PAGE_CSP, graphiql_assets

SWAGGER_UI_ASSETS = "/static/swagger-ui"
DOCS_CSP = PAGE_CSP


def swagger_ui_assets() -> Path:
    """The folder of Swagger UI's built files, as the wheel installed them."""
    return Path(str(files("fastapi_offline").joinpath("static")))


def own_assets() -> Path:
    return Path(__file__).parent / "static"


def docs_page(openapi_url: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Service Catalog · API docs</title>"
        f'<link rel="stylesheet" href="{SWAGGER_UI_ASSETS}/swagger-ui.css">'
        f'<link rel="icon" href="{SWAGGER_UI_ASSETS}/favicon.png">'
        f'</head><body><div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></div>'
        f'<script src="{SWAGGER_UI_ASSETS}/swagger-ui-bundle.js" defer></script>'
        f'<script src="{OWN_ASSETS}/docs.js" defer></script>'
        "</body></html>"
    )


def add_docs_pages(app: FastAPI, settings: Settings) -> None:
    """Mount the static files and serve `/docs` (call with `docs_url=None` on the app)."""
    app.mount(SWAGGER_UI_ASSETS, StaticFiles(directory=swagger_ui_assets()), name="swagger-ui")
    app.mount(OWN_ASSETS, StaticFiles(directory=own_assets()), name="catalog-assets")
    if settings.graphiql:
        app.mount(GRAPHIQL_ASSETS, StaticFiles(directory=graphiql_assets()), name="graphiql")
    app.add_api_route("/docs", _docs, methods=["GET"], include_in_schema=False)


async def _docs(request: Request) -> HTMLResponse:
    """Module-level, as graphql_schema/http.py's endpoints are (FastAPI's endpoint cache)."""
    root = request.scope.get("root_path", "")
    openapi_url = request.app.openapi_url or "/openapi.json"
    return HTMLResponse(
        docs_page(f"{root}{openapi_url}"), headers={"content-security-policy": DOCS_CSP}
    )
