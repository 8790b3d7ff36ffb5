"""/auth/login, /auth/callback, /auth/logout: browser sign-in through the configured IdP."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from authlib.common.urls import add_params_to_uri
from authlib.integrations.starlette_client import OAuth, OAuthError, StarletteOAuth2App
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from core.oidc_settings import IssuerConfig
from core.problems import problem
from core.settings import Settings
from core.text import refusal_message, refused_character
from identity.audit import AuditEntry, AuditOutcome, RequestFacts, record
from identity.authentication import Deactivated, principal_for_token
from identity.discovery import for_this_server
from identity.entra_groups import GraphGroups
from identity.login import sessions
from identity.login.state_cache import DatabaseStateCache
from identity.principal import Principal
from identity.tokens import VerifiedToken

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/auth", include_in_schema=False)
LOGIN_ISSUER_KEY = "login_issuer"
NEXT_KEY = "login_next"


class _IssuerApp(StarletteOAuth2App):  # type: ignore[misc]
    """authlib's client, calling the IdP through `discovery_url` when one is configured."""

    OAUTH_APP_CONFIG = None
    issuer_config: IssuerConfig | None = None

    async def load_server_metadata(self) -> dict[str, Any]:
        metadata: dict[str, Any] = await super().load_server_metadata()
        if self.issuer_config is not None and not metadata.get("_rewritten"):
            self.server_metadata.update(for_this_server(self.issuer_config, metadata))
            self.server_metadata["_rewritten"] = True
        return dict(self.server_metadata)


def login_clients(settings: Settings, cache: DatabaseStateCache) -> OAuth:
    """One authlib client per issuer that has a `login` client: code flow, PKCE S256, nonce."""
    oauth = OAuth(cache=cache)
    for index, issuer in enumerate(settings.oidc_issuers):
        if issuer.login is None:
            continue
        oauth.register(
            name=f"idp{index}",
            client_cls=_IssuerApp,
            client_id=issuer.login.client_id,
            client_secret=issuer.login.client_secret,
            server_metadata_url=issuer.discovery_location,
            client_kwargs={"scope": issuer.login.scopes, "code_challenge_method": "S256"},
            token_endpoint_auth_method=(
                "client_secret_basic" if issuer.login.client_secret else "none"
            ),
        )
        oauth.create_client(f"idp{index}").issuer_config = issuer
    return oauth


def _login_issuer(settings: Settings, wanted: str | None) -> tuple[str, IssuerConfig] | None:
    for index, issuer in enumerate(settings.oidc_issuers):
        if issuer.login is not None and wanted in (None, issuer.issuer):
            return f"idp{index}", issuer
    return None


def _safe_next(value: str | None) -> str:
    """Only paths of this site: never an open redirect."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/graphql"


def _callback_url(request: Request, settings: Settings) -> str:
    if settings.public_url:
        return settings.public_url.rstrip("/") + "/auth/callback"
    return str(request.url_for("login_callback"))


@router.get("/login")
async def login(request: Request, issuer: str | None = None, next: str | None = None) -> Response:
    settings: Settings = request.app.state.settings
    found = _login_issuer(settings, issuer)
    if found is None:
        return problem(404, "no identity provider with browser sign-in is configured")
    name, _ = found
    request.session[LOGIN_ISSUER_KEY] = name
    request.session[NEXT_KEY] = _safe_next(next)
    client = request.app.state.oauth.create_client(name)
    try:
        response: Response = await client.authorize_redirect(
            request, _callback_url(request, settings)
        )
    except (OAuthError, OSError, ValueError) as error:
        return problem(502, f"the identity provider cannot be reached: {type(error).__name__}")
    return response


@router.get("/callback", name="login_callback")
async def callback(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    name = request.session.get(LOGIN_ISSUER_KEY)
    issuer = next(
        (cfg for index, cfg in enumerate(settings.oidc_issuers) if f"idp{index}" == name), None
    )
    if issuer is None:
        return await _refused(request, "no sign-in is in progress in this browser")
    unreadable = _control_character(request)
    if unreadable is not None:  # the state is looked up in the database: refuse it first
        return await _refused(request, unreadable)
    try:
        token: dict[str, Any] = await request.app.state.oauth.create_client(
            name
        ).authorize_access_token(request)
    except (OAuthError, ValueError, KeyError) as error:
        return await _refused(request, f"sign-in failed: {error}")
    claims = dict(token.get("userinfo") or {})
    if not claims.get("sub"):
        return await _refused(request, "the identity provider sent no subject")
    return await _sign_in(request, issuer, claims, token.get("id_token"))


def _control_character(request: Request) -> str | None:
    """Why a callback parameter cannot be read (a control character in it), if one cannot."""
    for name, value in request.query_params.multi_items():
        if (refused := refused_character(name)) is not None:
            return refusal_message("a callback parameter's name", refused, multiline=False)
        if (refused := refused_character(value)) is not None:
            return refusal_message(f"the callback's {name}", refused, multiline=False)
    return None


async def _sign_in(
    request: Request, issuer: IssuerConfig, claims: dict[str, Any], id_token: str | None
) -> Response:
    settings: Settings = request.app.state.settings
    graph: GraphGroups | None = getattr(request.app.state, "graph_groups", None)
    if graph is not None:  # Entra ID left the groups out of the id token: ask Graph
        claims = await graph.with_groups(issuer, claims)
    async with request.app.state.sessionmaker() as session:
        try:
            principal = await principal_for_token(session, VerifiedToken(issuer, claims))
        except Deactivated:
            return await _refused(request, "this account is deactivated", status=403)
        token = await sessions.start(session, principal, id_token=id_token)
        await _audit(session, request, principal, "LOGIN", AuditOutcome.SUCCESS)
        await session.commit()
    response = RedirectResponse(request.session.pop(NEXT_KEY, "/graphql"), status_code=303)
    response.set_cookie(
        sessions.COOKIE_NAME,
        token,
        max_age=int(sessions.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        secure=not settings.is_dev,
        samesite="lax",
    )
    request.session.pop(LOGIN_ISSUER_KEY, None)
    return response


@router.api_route("/logout", methods=["GET", "POST"])
async def logout(request: Request) -> Response:
    """End our session, then the IdP's (RP-initiated logout) when it publishes an endpoint."""
    token = request.cookies.get(sessions.COOKIE_NAME)
    principal: Principal | None = getattr(request.state, "principal", None)
    ended: sessions.Ended | None = None
    if token:
        async with request.app.state.sessionmaker() as session:
            ended = await sessions.end(session, token)
            await _audit(session, request, principal, "LOGOUT", AuditOutcome.SUCCESS)
            await session.commit()
    target = await _end_session_url(request, ended) if ended is not None else None
    response = RedirectResponse(target or "/graphql", status_code=303)
    response.delete_cookie(sessions.COOKIE_NAME)
    request.session.clear()
    return response


async def _end_session_url(request: Request, ended: sessions.Ended) -> str | None:
    """The IdP's end_session_endpoint with id_token_hint, post_logout_redirect_uri, client_id."""
    settings: Settings = request.app.state.settings
    found = next(
        (
            (f"idp{index}", issuer)
            for index, issuer in enumerate(settings.oidc_issuers)
            if issuer.issuer == ended.issuer and issuer.login is not None
        ),
        None,
    )
    if found is None:
        return None
    name, issuer = found
    assert issuer.login is not None
    try:
        metadata = await request.app.state.oauth.create_client(name).load_server_metadata()
    except (OAuthError, OSError, ValueError, httpx.HTTPError) as error:
        logger.warning("cannot read the discovery document of %s: %s", issuer.issuer, error)
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        return None
    base = settings.public_url or str(request.base_url)
    params = [
        ("post_logout_redirect_uri", base.rstrip("/") + issuer.login.post_logout_path),
        ("client_id", issuer.login.client_id),
    ]
    if ended.id_token:
        params.insert(0, ("id_token_hint", ended.id_token))
    return str(add_params_to_uri(endpoint, params))


async def _refused(request: Request, reason: str, *, status: int = 400) -> Response:
    """A forged, replayed or failed callback: 400 (never 500), audited, rate-limited."""
    facts: RequestFacts = getattr(request.state, "facts", RequestFacts())
    entry = AuditEntry("LOGIN", AuditOutcome.DENIED, details={"reason": reason})
    await request.app.state.refusals.refused(entry, principal=None, facts=facts)
    return problem(status, reason)


async def _audit(
    session: Any,
    request: Request,
    principal: Principal | None,
    action: str,
    outcome: AuditOutcome,
    reason: str | None = None,
) -> None:
    facts: RequestFacts = getattr(request.state, "facts", RequestFacts())
    details = {"reason": reason} if reason else {}
    await record(
        session, AuditEntry(action, outcome, details=details), principal=principal, facts=facts
    )
