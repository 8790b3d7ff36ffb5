"""GraphiQL from files installed with the project: no CDN, and a strict CSP of its own.

The built GraphiQL (2.x, with the explorer plugin, React and graphql-ws) comes from the
`graphene-django-graphiql-static` wheel; we use only its static folder. The page loads
those files and our own start script from `/static/...` (mounted by `server/docs_pages.py`)
and runs no inline script, so its policy allows scripts from this origin only.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from starlette.responses import HTMLResponse

STATIC_PREFIX = "/static"
GRAPHIQL_ASSETS = f"{STATIC_PREFIX}/graphiql"
OWN_ASSETS = f"{STATIC_PREFIX}/catalog"

# 'unsafe-inline' styles: GraphiQL's editors (CodeMirror) and the explorer set style
# attributes as they lay out; no script runs but the files above. data: images are the
# icons GraphiQL inlines in its CSS. connect-src 'self' covers the websocket of the same
# origin in current browsers.
PAGE_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

_SCRIPTS = (
    f"{GRAPHIQL_ASSETS}/react.production.min.js",
    f"{GRAPHIQL_ASSETS}/react-dom.production.min.js",
    f"{GRAPHIQL_ASSETS}/graphiql.min.js",
    f"{GRAPHIQL_ASSETS}/graphql-ws.min.js",
    f"{GRAPHIQL_ASSETS}/graphiql-plugin-explorer.umd.js",
    f"{OWN_ASSETS}/graphiql.js",
)
_STYLES = (f"{GRAPHIQL_ASSETS}/graphiql.min.css", f"{GRAPHIQL_ASSETS}/style.css")


def graphiql_assets() -> Path:
    """The folder of GraphiQL's built files, as the wheel installed them."""
    package = "graphene_django_graphiql_static"
    return Path(str(files(package).joinpath("static", package)))


def graphiql_page() -> str:
    styles = "".join(f'<link rel="stylesheet" href="{href}">' for href in _STYLES)
    scripts = "".join(f'<script src="{src}" defer></script>' for src in _SCRIPTS)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Service Catalog · GraphiQL</title>"
        f"{styles}</head>"
        '<body style="margin:0"><div id="graphiql" style="height:100vh">Loading…</div>'
        f"{scripts}</body></html>"
    )


def graphiql_response() -> HTMLResponse:
    return HTMLResponse(graphiql_page(), headers={"content-security-policy": PAGE_CSP})
