"""Entra ID group overage: groups fetched from (a fake) Microsoft Graph over HTTPS."""

# ruff: noqa: F811  (the provider fixture is imported from test_browser_login, used by name)

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.oidc_settings import EntraGroups, IssuerConfig, LoginClient
from core.settings import load_settings
from server.app import create_app
from tests.identity.graph import APP_TOKEN, FakeGraph
from tests.identity.idp import TestIssuer
from tests.identity.test_browser_login import _sign_in as sign_in
from tests.identity.test_browser_login import provider  # noqa: F401  (fixture)
from tests.lifespan import lifespan

VIEWER = "{ viewer { roles } }"
TENANT = "8f0c2e4a-tenant"
ADMINS = "0b6e3c1d-admins-group"
OVERAGE: dict[str, Any] = {
    "_claim_names": {"groups": "src1"},
    "_claim_sources": {"src1": {"endpoint": "x"}},
}


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FakeGraph, Path]]:
    ca = trustme.CA()
    folder = tmp_path_factory.mktemp("graph")
    bundle = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    server = FakeGraph(ca, folder).start()
    yield server, bundle
    server.stop()


@pytest.fixture
def fake_graph(graph: tuple[FakeGraph, Path]) -> FakeGraph:
    server = graph[0]
    server.mode, server.groups = "ok", {"alice-oid": [ADMINS, "unmapped-group"]}
    server.token_requests.clear()
    server.member_requests.clear()
    return server


@pytest.fixture
async def client(
    issuer: TestIssuer,
    graph: tuple[FakeGraph, Path],
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx.AsyncClient]:
    server, bundle = graph
    config = IssuerConfig(
        issuer=issuer.issuer,
        audience="catalog-api",
        role_map={ADMINS: "ADMIN"},
        entra_groups=EntraGroups(
            client_id="catalog-api-app",
            client_secret="app-secret",
            graph_url=server.url,
            login_url=server.url,
            ca_bundle=str(bundle),
            timeout_s=0.5,
        ),
    )
    settings = load_settings(
        database_url="postgresql://unused/unused",
        oidc_issuers=(config,),
        anonymous_read=False,
        _env_file=None,
    )
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http


async def _roles(client: httpx.AsyncClient, token: str) -> list[str]:
    response = await client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    roles: list[str] = response.json()["data"]["viewer"]["roles"]
    return roles


def _alice(issuer: TestIssuer, **claims: Any) -> str:
    return issuer.token(sub="alice-entra", oid="alice-oid", tid=TENANT, **claims)


async def test_overage_groups_come_from_graph_with_an_app_token_and_are_cached(
    client: httpx.AsyncClient, issuer: TestIssuer, fake_graph: FakeGraph
) -> None:
    first = await _roles(client, _alice(issuer, **OVERAGE))
    again = await _roles(client, _alice(issuer, **OVERAGE))

    assert "ADMIN" in first
    assert again == first
    assert fake_graph.token_requests == [
        {
            "tenant": TENANT,
            "grant_type": "client_credentials",
            "client_id": "catalog-api-app",
            "client_secret": "app-secret",
            "scope": "https://graph.microsoft.com/.default",
        }
    ]
    assert fake_graph.member_requests == [
        ("alice-oid", f"Bearer {APP_TOKEN}", {"securityEnabledOnly": True})
    ]


async def test_hasgroups_also_means_overage(
    client: httpx.AsyncClient, issuer: TestIssuer, fake_graph: FakeGraph
) -> None:
    roles = await _roles(client, _alice(issuer, hasgroups=True))

    assert "ADMIN" in roles


async def test_a_token_that_carries_its_groups_does_not_call_graph(
    client: httpx.AsyncClient, issuer: TestIssuer, fake_graph: FakeGraph
) -> None:
    roles = await _roles(client, _alice(issuer, groups=["someone-else"]))

    assert roles == ["VIEWER"]
    assert fake_graph.member_requests == []


@pytest.mark.parametrize("mode", ["error", "slow"])
async def test_when_graph_fails_the_person_signs_in_without_group_roles(
    client: httpx.AsyncClient,
    issuer: TestIssuer,
    fake_graph: FakeGraph,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    fake_graph.mode = mode
    started = time.monotonic()

    with caplog.at_level(logging.WARNING, logger="identity.entra_groups"):
        roles = await _roles(client, _alice(issuer, **OVERAGE))

    assert roles == ["VIEWER"]
    assert time.monotonic() - started < 3
    assert any("group overage" in record.getMessage() for record in caplog.records)


async def test_an_overage_token_without_oid_gets_no_group_roles(
    client: httpx.AsyncClient, issuer: TestIssuer, fake_graph: FakeGraph
) -> None:
    token = issuer.token(sub="no-oid", tid=TENANT, **OVERAGE)

    assert await _roles(client, token) == ["VIEWER"]
    assert fake_graph.member_requests == []


@pytest.mark.parametrize("field", ["graph_url", "login_url"])
def test_graph_urls_must_be_https(field: str) -> None:
    with pytest.raises(ValidationError, match="https"):
        EntraGroups.model_validate(
            {"client_id": "a", "client_secret": "b", field: "http://graph.example"}
        )


async def test_browser_sign_in_with_an_overage_id_token_gets_the_graph_groups(
    provider: str,
    graph: tuple[FakeGraph, Path],
    fake_graph: FakeGraph,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    claims = {"name": "Erin", "oid": "alice-oid", "tid": TENANT, **OVERAGE}
    async with httpx.AsyncClient() as idp:
        (await idp.put(f"{provider}/users/erin", json=claims)).raise_for_status()
    config = IssuerConfig(
        issuer=provider,
        audience="catalog-api",
        role_map={ADMINS: "ADMIN"},
        login=LoginClient(client_id="catalog-web", client_secret="web-secret"),
        entra_groups=EntraGroups(
            client_id="catalog-api-app",
            client_secret="app-secret",
            graph_url=fake_graph.url,
            login_url=fake_graph.url,
            ca_bundle=str(graph[1]),
        ),
    )
    settings = load_settings(
        database_url="postgresql://unused/unused",
        oidc_issuers=(config,),
        session_secret="s" * 40,
        _env_file=None,
    )
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as browser:
            done = await sign_in(browser, "erin")
            viewer = (await browser.post("/graphql", json={"query": VIEWER})).json()

    assert done.status_code == 303
    assert "ADMIN" in viewer["data"]["viewer"]["roles"]
    assert [request[0] for request in fake_graph.member_requests] == ["alice-oid"]
