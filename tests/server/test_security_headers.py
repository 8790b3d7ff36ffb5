"""Security headers on every answer: routes, refusals of the middlewares, unhandled errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.settings import Settings, load_settings
from graphql_schema.graphiql import PAGE_CSP
from server.app import create_app
from tests.lifespan import lifespan

FRAMING_AND_SNIFFING = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
SITE_POLICY = "frame-ancestors 'none'"
HSTS = {"strict-transport-security": "max-age=31536000; includeSubDomains"}
TYPENAME = {"query": "{ __typename }"}
JSON_BODY = {"content-type": "application/json"}

# name: (method, path, request arguments, status)
REQUESTS: dict[str, tuple[str, str, dict[str, Any], int]] = {
    "graphql": ("POST", "/graphql", {"json": TYPENAME}, 200),
    "graphiql": ("GET", "/graphql", {"headers": {"accept": "text/html"}}, 200),
    "healthz": ("GET", "/healthz", {}, 200),
    "rest-refusal": ("POST", "/api/feedback", {"content": b"{", "headers": JSON_BODY}, 400),
    "not-found": ("GET", "/nowhere", {}, 404),
    "too-large": ("POST", "/graphql", {"content": b" " * 2048, "headers": JSON_BODY}, 413),
    "invalid-token": (
        "POST",
        "/graphql",
        {"json": TYPENAME, "headers": {"authorization": "Bearer not-a-token"}},
        401,
    ),
    "unhandled-error": ("GET", "/boom", {}, 500),
}


def _settings(**overrides: Any) -> Settings:
    return load_settings(
        database_url="postgresql://unused/unused",
        max_body_bytes=1024,
        anonymous_feedback=True,
        _env_file=None,
        **overrides,
    )


DEV = _settings()
PROD = _settings(
    env="prod",
    oidc_issuers=[{"issuer": "https://idp.example", "audience": "catalog"}],
    session_secret="a-long-random-session-secret-for-tests-only",
    anonymous_read=True,
    graphiql=True,
)


async def _boom() -> None:
    raise RuntimeError("a bug")


@pytest.fixture
async def caller(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    """A caller of the app of `settings`, plus a route that fails."""
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker)
    app.add_api_route("/boom", _boom)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def _answer(caller: httpx.AsyncClient, name: str) -> httpx.Response:
    method, path, arguments, status = REQUESTS[name]
    response = await caller.request(method, path, **arguments)
    assert response.status_code == status, response.text
    return response


@pytest.mark.parametrize("name", REQUESTS)
@pytest.mark.parametrize("settings", [DEV, PROD], ids=["dev", "prod"])
async def test_every_answer_forbids_framing_sniffing_and_referrers(
    caller: httpx.AsyncClient, name: str
) -> None:
    response = await _answer(caller, name)

    assert {key: response.headers.get(key) for key in FRAMING_AND_SNIFFING} == (
        FRAMING_AND_SNIFFING
    )
    # The last policy is the site's; an HTML page adds its own before it.
    assert response.headers.get_list("content-security-policy")[-1] == SITE_POLICY


@pytest.mark.parametrize("name", ["graphql", "healthz", "too-large", "invalid-token"])
@pytest.mark.parametrize("settings", [PROD], ids=["prod"])
async def test_prod_answers_keep_browsers_on_https(caller: httpx.AsyncClient, name: str) -> None:
    response = await _answer(caller, name)

    assert response.headers.get("strict-transport-security") == HSTS["strict-transport-security"]


@pytest.mark.parametrize("settings", [DEV], ids=["dev"])
async def test_dev_served_over_http_sends_no_hsts(caller: httpx.AsyncClient) -> None:
    response = await _answer(caller, "graphql")

    assert "strict-transport-security" not in response.headers


@pytest.mark.parametrize("settings", [DEV], ids=["dev"])
async def test_graphiql_keeps_its_own_strict_policy_beside_the_sites(
    caller: httpx.AsyncClient,
) -> None:
    """The page's policy (scripts from this origin only) is not replaced by the site's."""
    response = await _answer(caller, "graphiql")

    assert "graphiql" in response.text.lower()
    assert response.headers.get_list("content-security-policy") == [PAGE_CSP, SITE_POLICY]
