"""The development identity goes to the holder of the token `serve` made, never by address.

Every request here comes from 127.0.0.1 (httpx.ASGITransport's client), as every request
does behind a proxy on the same host.
"""

from __future__ import annotations

import stat
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.settings import Settings, load_settings
from server import dev_sign_in
from server.app import create_app
from tests.dev_token import DEV_AUTHORIZATION, DEV_TOKEN
from tests.graphql import gql, without_cost
from tests.lifespan import lifespan

VIEWER = "{ viewer { roles person { displayName } } }"
CREATE_UNIT = """
mutation {
  createBusinessUnit(input: {name: "Sales"}) { businessUnit { name } userErrors { code } }
}
"""
ANONYMOUS = {"viewer": None}


def _is_the_development_admin(body: dict[str, Any]) -> bool:
    viewer = body["data"]["viewer"] or {}
    person = viewer.get("person") or {}
    return person.get("displayName") == "Development user" and "ADMIN" in viewer["roles"]


MakeClient = Callable[..., Awaitable[httpx.AsyncClient]]


def _settings(**overrides: Any) -> Settings:
    return load_settings(database_url="postgresql://unused/unused", _env_file=None, **overrides)


def _prod() -> Settings:
    return _settings(
        env="prod",
        oidc_issuers=[{"issuer": "https://idp.example.test", "audience": "catalog-api"}],
        session_secret="a-long-random-session-secret-for-tests-only",
        anonymous_read=True,
    )


def _dev_with_an_issuer() -> Settings:
    return _settings(
        oidc_issuers=[{"issuer": "https://idp.example.test", "audience": "catalog-api"}],
        anonymous_read=True,
    )


@pytest.fixture
async def make_client(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[MakeClient]:
    """A client from 127.0.0.1 sending no credentials, to an app given DEV_TOKEN (or not)."""
    managers: list[LifespanManager] = []
    clients: list[httpx.AsyncClient] = []

    async def make(
        settings: Settings | None = None,
        *,
        dev_token: str | None = DEV_TOKEN,
        base_url: str = "http://test",
    ) -> httpx.AsyncClient:
        app = create_app(
            settings or _settings(), engine=engine, sessionmaker=sessionmaker, dev_token=dev_token
        )
        manager = lifespan(app)
        await manager.__aenter__()
        managers.append(manager)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url=base_url
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
    for manager in managers:
        await manager.__aexit__(None, None, None)


async def test_a_loopback_request_without_the_token_is_anonymous(make_client: MakeClient) -> None:
    client = await make_client()

    viewer = await gql(client, VIEWER)
    mutation = await gql(client, CREATE_UNIT)

    assert viewer == {"data": ANONYMOUS}
    assert mutation["data"] is None
    assert [error["extensions"]["code"] for error in mutation["errors"]] == ["UNAUTHENTICATED"]


async def test_the_bearer_token_makes_the_caller_the_development_admin(
    make_client: MakeClient,
) -> None:
    client = await make_client()

    viewer = await gql(client, VIEWER, headers=DEV_AUTHORIZATION)
    mutation = await gql(client, CREATE_UNIT, headers=DEV_AUTHORIZATION)

    assert _is_the_development_admin(viewer), viewer
    assert mutation == {
        "data": {"createBusinessUnit": {"businessUnit": {"name": "Sales"}, "userErrors": []}}
    }


async def test_a_wrong_bearer_token_is_refused_with_401(make_client: MakeClient) -> None:
    client = await make_client()

    response = await client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": "Bearer not-the-token"}
    )

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_the_sign_in_url_sets_a_strict_http_only_cookie_and_opens_graphiql(
    make_client: MakeClient,
) -> None:
    client = await make_client()

    response = await client.get(f"/auth/dev?token={DEV_TOKEN}")
    viewer = await gql(client, VIEWER)  # the client sends the cookie it was given

    assert response.status_code == 303
    assert response.headers["location"] == "/graphql"
    cookie = response.headers["set-cookie"]
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert cookie.startswith(f"{dev_sign_in.COOKIE_NAME}=")
    assert {"httponly", "samesite=strict", "path=/"} <= attributes
    assert "secure" not in attributes  # plain http: a Secure cookie would never come back
    assert _is_the_development_admin(viewer), viewer


async def test_over_https_the_sign_in_cookie_is_secure(make_client: MakeClient) -> None:
    client = await make_client(base_url="https://test")

    response = await client.get(f"/auth/dev?token={DEV_TOKEN}")

    attributes = {part.strip().lower() for part in response.headers["set-cookie"].split(";")}
    assert "secure" in attributes


@pytest.mark.parametrize("query", ["?token=not-the-token", "?token=", ""])
async def test_a_wrong_or_missing_token_at_the_sign_in_url_gets_401_and_no_cookie(
    make_client: MakeClient, query: str
) -> None:
    client = await make_client()

    response = await client.get(f"/auth/dev{query}")
    viewer = await gql(client, VIEWER)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert "set-cookie" not in response.headers
    assert viewer == {"data": ANONYMOUS}


async def test_a_stale_sign_in_cookie_is_no_cookie_at_all(make_client: MakeClient) -> None:
    client = await make_client()
    client.cookies.set(dev_sign_in.COOKIE_NAME, "the-token-of-an-earlier-serve")

    assert await gql(client, VIEWER) == {"data": ANONYMOUS}


@pytest.mark.parametrize(
    ("settings", "dev_token"),
    [(_prod(), DEV_TOKEN), (_dev_with_an_issuer(), DEV_TOKEN), (_settings(), None)],
    ids=["prod", "dev-with-an-issuer", "no-token-given"],
)
async def test_without_a_development_identity_the_sign_in_url_is_not_found_and_the_token_is_refused(
    make_client: MakeClient, settings: Settings, dev_token: str | None
) -> None:
    client = await make_client(settings, dev_token=dev_token)

    sign_in = await client.get(f"/auth/dev?token={DEV_TOKEN}")
    bearer = await client.post("/graphql", json={"query": VIEWER}, headers=DEV_AUTHORIZATION)
    cookie = await client.post(
        "/graphql",
        json={"query": VIEWER},
        headers={"Cookie": f"{dev_sign_in.COOKIE_NAME}={DEV_TOKEN}"},
    )

    assert sign_in.status_code == 404
    assert "set-cookie" not in sign_in.headers
    assert bearer.status_code == 401
    assert (cookie.status_code, without_cost(cookie.json())) == (200, {"data": ANONYMOUS})


async def test_probes_answer_a_caller_presenting_the_token(make_client: MakeClient) -> None:
    client = await make_client()

    response = await client.get("/healthz", headers=DEV_AUTHORIZATION)

    assert response.status_code == 200


def test_an_empty_token_is_refused_rather_than_admitting_anyone() -> None:
    with pytest.raises(ValueError, match="dev_token"):
        create_app(_settings(), dev_token=" ")


def test_the_token_file_replaces_an_older_one_readable_by_its_owner_only(tmp_path: Path) -> None:
    older = tmp_path / "data" / dev_sign_in.TOKEN_FILE_NAME
    older.parent.mkdir()
    older.write_text("an older token")
    older.chmod(0o644)

    path = dev_sign_in.write_token_file(tmp_path / "data", "the-new-token")

    assert path == older
    assert path.read_text() == "the-new-token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [entry.name for entry in path.parent.iterdir()] == [dev_sign_in.TOKEN_FILE_NAME]


@pytest.mark.parametrize(
    ("host", "origin"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000"),
        ("0.0.0.0", "http://127.0.0.1:8000"),
        ("::", "http://[::1]:8000"),
        ("catalog.local", "http://catalog.local:8000"),
    ],
)
def test_the_printed_sign_in_url_is_one_a_browser_can_open(host: str, origin: str) -> None:
    assert dev_sign_in.sign_in_url(host, 8000, "t0ken") == f"{origin}/auth/dev?token=t0ken"


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "catalog.internal"])
def test_serving_the_development_identity_beyond_loopback_is_warned(host: str) -> None:
    warning = dev_sign_in.exposure_warning(host)

    assert warning is not None
    assert warning.startswith(f"warning: development sign-in on {host}, reachable beyond")


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_serving_it_on_loopback_is_not_warned(host: str) -> None:
    assert dev_sign_in.exposure_warning(host) is None
