"""CORS for browser apps on the origins of `CATALOG_CORS_ORIGINS` (Starlette's middleware).

Only the routes a browser app calls take part: `/graphql`, `/api/...` and `/auth/...`.
Credentials (the session cookie) are allowed, so every origin is listed exactly; `*` is
refused when the settings are read. An origin not listed gets no CORS header at all:
Starlette's middleware would still send it `Access-Control-Allow-Credentials`, the
exposed headers and, on a preflight, the allowed methods and headers. Websockets are not
its business: the GraphQL view checks their `Origin` against the same list.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.origins import origin_of
from core.settings import Settings
from server.graphql_paths import GRAPHQL_PATHS

BROWSER_PREFIXES = ("/api/", "/auth/")
METHODS = ("GET", "POST")
# Spelt as Starlette spells the CORS-safelisted ones it adds, so none is listed twice.
REQUEST_HEADERS = ("Accept", "Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID")
# What a browser app may read beyond the CORS-safelisted response headers.
EXPOSED_HEADERS = (
    "x-request-id",
    "retry-after",
    "idempotent-replayed",
    "ratelimit",
    "ratelimit-policy",
    "www-authenticate",
)


def websocket_origins(settings: Settings) -> tuple[str, ...]:
    """The other origins whose pages may open /graphql's websocket: the listed ones, and
    the public URL's (same-origin, when a proxy in front rewrites `Host`)."""
    public = origin_of(settings.public_url) if settings.public_url else None
    return tuple(dict.fromkeys([*settings.cors_origins, *([public] if public else [])]))


def takes_part(path: str) -> bool:
    return path in GRAPHQL_PATHS or path.startswith(BROWSER_PREFIXES)


class ListedOriginsCORS(CORSMiddleware):
    def __init__(self, app: ASGIApp, *, origins: tuple[str, ...]) -> None:
        super().__init__(
            app,
            allow_origins=origins,
            allow_methods=METHODS,
            allow_headers=REQUEST_HEADERS,
            allow_credentials=True,
            expose_headers=EXPOSED_HEADERS,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and takes_part(scope["path"]):
            await super().__call__(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def preflight_response(self, request_headers: Headers) -> Response:
        if not self.is_allowed_origin(request_headers["origin"]):
            return PlainTextResponse(
                "Disallowed CORS origin", status_code=400, headers={"Vary": "Origin"}
            )
        return super().preflight_response(request_headers)

    async def send(self, message: Message, send: Send, request_headers: Headers) -> None:
        origin = request_headers.get("origin")
        if origin is None or self.is_allowed_origin(origin):
            await super().send(message, send, request_headers)
            return
        if message["type"] == "http.response.start":
            message.setdefault("headers", [])
            headers = MutableHeaders(scope=message)
            headers["Vary"] = ", ".join([*headers.getlist("Vary"), "Origin"])
        await send(message)
