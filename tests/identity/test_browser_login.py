"""Browser sign-in against a real OIDC provider over HTTP: code + PKCE, session cookie, logout."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from oidc_provider_mock import run_server_in_thread
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.oidc_settings import IssuerConfig, LoginClient
from core.settings import load_settings
from identity.audit import AuditEvent
from identity.login import sessions
from identity.principal import Principal, Role
from server.app import create_app
from tests.builders.identity import create_person
from tests.identity.idp import free_port
from tests.lifespan import lifespan

VIEWER = "{ viewer { person { displayName } roles } }"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with run_server_in_thread() as server:
        issuer = f"http://localhost:{server.server_port}"
        claims = {"email": "alice@example.com", "email_verified": True, "name": "Alice Martin"}
        httpx.put(f"{issuer}/users/alice", json=claims).raise_for_status()
        yield issuer


@pytest.fixture
async def browser(
    provider: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    issuer = IssuerConfig(
        issuer=provider,
        audience="catalog-api",
        login=LoginClient(client_id="catalog-web", client_secret="web-secret"),
    )
    settings = load_settings(
        database_url="postgresql://unused/unused",
        oidc_issuers=(issuer,),
        anonymous_read=True,
        session_secret="s" * 40,
        _env_file=None,
    )
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def _authorize_at_the_provider(authorize_url: str, subject: str) -> str:
    """What the person does at the IdP: pick an account; returns our callback URL."""
    async with httpx.AsyncClient() as idp:
        response = await idp.post(authorize_url, data={"sub": subject})
    assert response.status_code in (302, 303), response.text
    return response.headers["location"]


async def _sign_in(browser: httpx.AsyncClient, subject: str = "alice") -> httpx.Response:
    started = await browser.get("/auth/login", params={"next": "/graphql?x=1"})
    assert started.status_code == 302
    authorize_url = started.headers["location"]
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["nonce"]
    callback = await _authorize_at_the_provider(authorize_url, subject)
    path = urlsplit(callback)
    return await browser.get(f"{path.path}?{path.query}")


async def test_signing_in_sets_a_secure_session_and_graphiql_knows_the_person(
    browser: httpx.AsyncClient, session: AsyncSession
) -> None:
    done = await _sign_in(browser)

    assert done.status_code == 303
    assert done.headers["location"] == "/graphql?x=1"
    cookie = next(
        c for c in done.headers.get_list("set-cookie") if c.startswith("catalog_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    body = (await browser.post("/graphql", json={"query": VIEWER})).json()
    assert body["data"]["viewer"]["person"] == {"displayName": "Alice Martin"}
    logins = await session.scalars(select(AuditEvent).where(AuditEvent.action == "LOGIN"))
    assert [event.outcome.value for event in logins] == ["SUCCESS"]


async def test_the_pkce_verifier_is_not_in_a_readable_cookie(browser: httpx.AsyncClient) -> None:
    started = await browser.get("/auth/login")

    cookies = " ".join(started.headers.get_list("set-cookie"))
    assert "code_verifier" not in cookies
    assert "nonce" not in cookies


async def test_a_replayed_callback_is_refused_with_400(browser: httpx.AsyncClient) -> None:
    started = await browser.get("/auth/login")
    callback = await _authorize_at_the_provider(started.headers["location"], "alice")
    path = urlsplit(callback)
    first = await browser.get(f"{path.path}?{path.query}")

    replayed = await browser.get(f"{path.path}?{path.query}")

    assert first.status_code == 303
    assert replayed.status_code == 400
    assert replayed.headers["content-type"] == "application/problem+json"


async def test_a_forged_callback_is_refused_with_400(browser: httpx.AsyncClient) -> None:
    await browser.get("/auth/login")

    forged = await browser.get("/auth/callback", params={"code": "stolen", "state": "guess"})

    assert forged.status_code == 400


async def test_a_callback_without_a_login_is_refused_with_400(
    provider: str, browser: httpx.AsyncClient
) -> None:
    browser.cookies.clear()

    response = await browser.get("/auth/callback", params={"code": "x", "state": "y"})

    assert response.status_code == 400


async def test_logout_ends_the_session(browser: httpx.AsyncClient) -> None:
    await _sign_in(browser)

    out = await browser.post("/auth/logout")
    body = (await browser.post("/graphql", json={"query": VIEWER})).json()

    assert out.status_code == 303
    assert body["data"]["viewer"] is None


async def test_an_open_redirect_is_not_followed(browser: httpx.AsyncClient) -> None:
    started = await browser.get("/auth/login", params={"next": "https://evil.example/"})
    callback = await _authorize_at_the_provider(started.headers["location"], "alice")
    path = urlsplit(callback)

    done = await browser.get(f"{path.path}?{path.query}")

    assert done.headers["location"] == "/graphql"


async def test_a_callback_with_a_control_character_is_refused_with_400(
    browser: httpx.AsyncClient,
) -> None:
    await browser.get("/auth/login")

    forged = await browser.get("/auth/callback", params={"code": "stolen", "state": "guess\x00"})

    assert forged.status_code == 400
    assert forged.json()["detail"].startswith("the callback's state contains U+0000 (NUL)")


async def test_logout_sends_the_browser_to_the_providers_end_session_endpoint(
    provider: str, browser: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _sign_in(browser)

    out = await browser.post("/auth/logout")

    assert out.status_code == 303
    target = urlsplit(out.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{provider}/oauth2/end_session"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == ["http://test/graphql"]
    assert query["client_id"] == ["catalog-web"]
    hint = jwt.decode(query["id_token_hint"][0], await _provider_keys(provider))
    assert (hint.claims["sub"], hint.claims["aud"]) == ("alice", ["catalog-web"])
    assert "catalog_session=" in out.headers["set-cookie"]  # deleted
    logouts = await session.scalars(select(AuditEvent).where(AuditEvent.action == "LOGOUT"))
    assert [event.outcome.value for event in logouts] == ["SUCCESS"]
    async with httpx.AsyncClient() as idp:  # the person confirms at the provider
        confirmed = await idp.post(
            f"{provider}/oauth2/end_session/confirm",
            data={"redirect_uri": query["post_logout_redirect_uri"][0]},
        )
    assert confirmed.headers["location"] == "http://test/graphql"


async def test_the_post_logout_uri_uses_the_public_url_and_the_configured_path(
    provider: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    issuer = IssuerConfig(
        issuer=provider,
        audience="catalog-api",
        login=LoginClient(
            client_id="catalog-web", client_secret="web-secret", post_logout_path="/signed-out"
        ),
    )
    settings = load_settings(
        database_url="postgresql://unused/unused",
        oidc_issuers=(issuer,),
        public_url="https://catalog.example.com/",
        session_secret="s" * 40,
        _env_file=None,
    )
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as browser:
            await _sign_in(browser)
            out = await browser.get("/auth/logout")

    query = parse_qs(urlsplit(out.headers["location"]).query)
    assert query["post_logout_redirect_uri"] == ["https://catalog.example.com/signed-out"]


async def test_logout_without_a_session_stays_on_this_site(browser: httpx.AsyncClient) -> None:
    out = await browser.post("/auth/logout")

    assert out.status_code == 303
    assert out.headers["location"] == "/graphql"


async def test_logout_ends_our_session_when_the_provider_cannot_be_reached(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    gone = f"http://127.0.0.2:{free_port()}"
    issuer = IssuerConfig(
        issuer=gone, audience="catalog-api", login=LoginClient(client_id="catalog-web")
    )
    settings = load_settings(
        database_url="postgresql://unused/unused",
        oidc_issuers=(issuer,),
        session_secret="s" * 40,
        _env_file=None,
    )
    person = await create_person(session, issuer=gone, subject="alice")
    principal = Principal("alice", gone, frozenset({Role.VIEWER}), person_id=person.id)
    token = await sessions.start(session, principal, id_token="an.id.token")
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as browser:
            browser.cookies.set(sessions.COOKIE_NAME, token)
            out = await browser.post("/auth/logout")

    assert out.status_code == 303
    assert out.headers["location"] == "/graphql"
    assert await sessions.resolve(session, token) is None


async def _provider_keys(provider: str) -> KeySet:
    async with httpx.AsyncClient() as idp:
        document = (await idp.get(f"{provider}/.well-known/openid-configuration")).json()
        return KeySet.import_key_set((await idp.get(document["jwks_uri"])).json())


@pytest.mark.parametrize("path", ["https://evil.example/", "//evil.example", "graphql", "/a\\b"])
def test_a_post_logout_path_must_be_a_path_of_this_site(path: str) -> None:
    with pytest.raises(ValidationError, match="post_logout_path"):
        LoginClient(client_id="catalog-web", post_logout_path=path)
