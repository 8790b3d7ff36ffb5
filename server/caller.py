"""Who is calling, on every route: a bearer token, a session, the development token, or nobody.

An invalid token is never treated as anonymous: it gets 401 with
`WWW-Authenticate: Bearer error="invalid_token"`, public routes included. The development
identity (server/dev_sign_in.py) goes only to a request presenting the token `serve`
made, never by the caller's address.
"""

from __future__ import annotations

import logging
from http.cookies import CookieError, SimpleCookie
from typing import Any

from asgi_correlation_id.context import correlation_id
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from core.db import once_more_if_lost
from core.settings import Settings
from identity.audit import AuditEntry, AuditOutcome, RequestFacts
from identity.authentication import Deactivated
from identity.login import sessions
from identity.principal import Principal, Role
from identity.principal_cache import PrincipalCache
from identity.refusals import RefusalAuditor
from identity.tokens import InvalidToken, TokenVerifier
from server import dev_sign_in
from server.client_ip import client_ip
from server.graphql_paths import GRAPHQL_PATHS
from server.refused import send_refusal

logger = logging.getLogger(__name__)

# Routes that authenticate their callers themselves (SCIM and the backup webhook use their
# own bearer tokens).
SELF_AUTHENTICATED_PREFIXES = ("/scim/", "/api/backups")
# Probes must answer (503 at worst) while the database is down or not migrated, so they
# never look up the development person; an invalid token is still refused there. So does
# the Prometheus scrape.
PROBE_PATHS = ("/healthz", "/readyz", "/metrics")


def dev_roles(settings: Settings) -> frozenset[Role]:
    names = [name.strip().upper() for name in settings.dev_roles.split(",") if name.strip()]
    return frozenset(Role(name) for name in names)


def _cookies(headers: Headers) -> dict[str, str]:
    cookies = SimpleCookie()
    try:
        cookies.load(headers.get("cookie", ""))
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in cookies.items()}


class AuthenticationMiddleware:
    """Resolves `request.state.principal` before any route runs."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"].startswith(
            SELF_AUTHENTICATED_PREFIXES
        ):
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        headers = Headers(scope=scope)
        facts = RequestFacts(
            client_ip=client_ip(scope, self.settings.trusted_proxies),
            user_agent=headers.get("user-agent"),
            # asgi-correlation-id's (server/request_id.py), also sent back in X-Request-ID.
            request_id=correlation_id.get(),
        )
        state["facts"] = facts
        try:
            principal = await self._principal(scope, headers)
        except (InvalidToken, Deactivated) as error:
            logger.info("refused a bearer token: %s", error)
            refusals: RefusalAuditor | None = getattr(scope["app"].state, "refusals", None)
            if refusals is not None:
                entry = AuditEntry(
                    "AUTHENTICATE", AuditOutcome.DENIED, details={"reason": str(error)}
                )
                await refusals.refused(entry, principal=None, facts=facts)
            await _unauthorized(scope, send, 'Bearer error="invalid_token"', "invalid token")
            return
        state["principal"] = principal
        # A websocket may still sign in with its connection_init payload (graphql_schema/http).
        if (
            principal is None
            and scope["type"] == "http"
            and scope["path"] in GRAPHQL_PATHS
            and not self.settings.anonymous_read
        ):
            await _unauthorized(scope, send, "Bearer", "sign in to use the catalog")
            return
        await self.app(scope, receive, send)

    async def _principal(self, scope: Scope, headers: Headers) -> Principal | None:
        app_state = scope["app"].state
        probe = scope["path"] in PROBE_PATHS
        authorization = headers.get("authorization")
        if authorization is not None:
            if probe and _presents_dev_token(app_state, authorization):
                return None
            return await _bearer(app_state, authorization)
        if probe:
            return None
        cookies = _cookies(headers)
        session_token = cookies.get(sessions.COOKIE_NAME)
        if session_token:
            signed_in = await _signed_in(app_state, session_token)
            if signed_in is not None:
                return signed_in
        # A stale or wrong development cookie (an earlier `serve`'s) is no cookie at all.
        dev_cookie = cookies.get(dev_sign_in.COOKIE_NAME)
        if dev_sign_in.matches(dev_sign_in.app_token(app_state), dev_cookie):
            return await _development_principal(app_state)
        return None


async def _unauthorized(scope: Scope, send: Send, challenge: str, detail: str) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 4401, "reason": detail})
        return
    await send_refusal(
        scope,
        send,
        status=401,
        detail=detail,
        code="UNAUTHENTICATED",
        headers=[(b"www-authenticate", challenge.encode())],
    )


def _presents_dev_token(app_state: Any, authorization: str) -> bool:
    scheme, _, token = authorization.partition(" ")
    return scheme.lower() == "bearer" and dev_sign_in.matches(
        dev_sign_in.app_token(app_state), token.strip()
    )


async def _signed_in(app_state: Any, session_token: str) -> Principal | None:
    """The person of a browser sign-in session (identity/login)."""
    sessionmaker: async_sessionmaker[AsyncSession] = app_state.sessionmaker

    async def resolve() -> Principal | None:
        async with sessionmaker() as session:
            return await sessions.resolve(session, session_token)

    return await once_more_if_lost(resolve)


def _principals(app_state: Any) -> PrincipalCache:
    """The app's cache of the people behind tokens (identity/principal_cache.py), made in
    the lifespan; one made here has no listener, so it stays off (nothing is cached)."""
    cache: PrincipalCache | None = getattr(app_state, "principals", None)
    if cache is None:
        cache = app_state.principals = PrincipalCache()
    return cache


async def _development_principal(app_state: Any) -> Principal:
    return await _principals(app_state).development(
        app_state.sessionmaker, dev_roles(app_state.settings)
    )


async def _bearer(app_state: Any, authorization: str) -> Principal:
    """The development token, else an access token of a trusted issuer; else InvalidToken."""
    if _presents_dev_token(app_state, authorization):
        return await _development_principal(app_state)
    scheme, _, token = authorization.partition(" ")
    verifier: TokenVerifier | None = getattr(app_state, "token_verifier", None)
    if scheme.lower() != "bearer" or not token.strip() or verifier is None:
        raise InvalidToken("no trusted bearer token")
    verified = await verifier.verify(token.strip())
    return await _principals(app_state).for_token(app_state.sessionmaker, token.strip(), verified)


async def bearer_principal(connection: HTTPConnection, authorization: str) -> Principal:
    """The caller an `Authorization` value names (a websocket's connection_init payload)."""
    return await _bearer(connection.app.state, authorization)


async def principal_for(connection: HTTPConnection, settings: Settings) -> Principal | None:
    """The principal the middleware resolved for this request."""
    principal: Principal | None = getattr(connection.state, "principal", None)
    return principal
