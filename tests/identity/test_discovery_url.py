"""`discovery_url`: the API reaches its IdP by an internal URL while tokens and browsers use the
public issuer URL (Keycloak in docker-compose, without an /etc/hosts edit)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import yaml
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.oidc_settings import IssuerConfig, LoginClient
from core.settings import Settings, SettingsError, load_settings
from identity.login.routes import login_clients
from identity.login.state_cache import DatabaseStateCache
from server.app import create_app
from tests.identity.idp import TestIssuer
from tests.lifespan import lifespan

ROOT = Path(__file__).resolve().parents[2]
VIEWER = "{ viewer { person { displayName } roles } }"


@pytest.fixture(scope="module")
def keycloak_like() -> Iterator[TestIssuer]:
    """Publishes http://127.0.0.2:PORT (nothing listens there) but serves on 127.0.0.1."""
    server = TestIssuer(public_host="127.0.0.2")
    server.start()
    yield server
    server.stop()


def _settings(server: TestIssuer, *, discovery_url: str | None) -> Settings:
    config = IssuerConfig(
        issuer=server.issuer,
        audience="catalog-api",
        discovery_url=discovery_url,
        role_map={"catalog-auditors": "AUDITOR"},
        login=LoginClient(client_id="catalog-web", client_secret="web-secret"),
    )
    return load_settings(
        database_url="postgresql://unused/unused",
        oidc_issuers=(config,),
        anonymous_read=False,
        session_secret="s" * 40,
        _env_file=None,
    )


MakeClient = Callable[[Settings], Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def make_client(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[MakeClient]:
    async with AsyncExitStack() as stack:

        async def make(settings: Settings) -> httpx.AsyncClient:
            app = create_app(settings, engine=engine, sessionmaker=sessionmaker)
            started = await stack.enter_async_context(lifespan(app))
            transport = httpx.ASGITransport(app=started.app)
            client = httpx.AsyncClient(transport=transport, base_url="http://test")
            return await stack.enter_async_context(client)

        yield make


async def test_a_token_of_the_public_issuer_is_checked_with_keys_fetched_internally(
    keycloak_like: TestIssuer, make_client: MakeClient
) -> None:
    discovery = f"{keycloak_like.internal}/.well-known/openid-configuration"
    client = await make_client(_settings(keycloak_like, discovery_url=discovery))
    token = keycloak_like.token(sub="kc-alice", name="Alice", groups=["catalog-auditors"])

    response = await client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 200
    assert response.json() == {
        "data": {"viewer": {"person": {"displayName": "Alice"}, "roles": ["AUDITOR", "VIEWER"]}},
        "extensions": response.json()["extensions"],
    }


async def test_without_discovery_url_the_unreachable_public_issuer_refuses_the_token(
    keycloak_like: TestIssuer, make_client: MakeClient
) -> None:
    client = await make_client(_settings(keycloak_like, discovery_url=None))
    token = keycloak_like.token(sub="kc-alice")

    response = await client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_the_browser_is_sent_to_the_public_host_and_the_api_calls_the_internal_one(
    keycloak_like: TestIssuer,
    make_client: MakeClient,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    discovery = f"{keycloak_like.internal}/.well-known/openid-configuration"
    settings = _settings(keycloak_like, discovery_url=discovery)
    client = await make_client(settings)

    started = await client.get("/auth/login")

    assert started.status_code == 302
    authorize = urlsplit(started.headers["location"])
    assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == (
        f"{keycloak_like.issuer}/authorize"
    )
    oauth = login_clients(settings, DatabaseStateCache(sessionmaker))
    metadata = await oauth.create_client("idp0").load_server_metadata()
    assert metadata["issuer"] == keycloak_like.issuer
    assert metadata["token_endpoint"] == f"{keycloak_like.internal}/token"
    assert metadata["jwks_uri"] == f"{keycloak_like.internal}/jwks"
    assert metadata["userinfo_endpoint"] == f"{keycloak_like.internal}/userinfo"
    assert metadata["end_session_endpoint"] == f"{keycloak_like.issuer}/logout"


@pytest.mark.parametrize("bad", ["keycloak:8080/x", "ftp://keycloak/x", ""])
def test_a_discovery_url_that_is_not_http_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError, match="discovery_url"):
        IssuerConfig(issuer="https://idp.example", audience="api", discovery_url=bad)


def test_prod_refuses_an_http_discovery_url() -> None:
    config = IssuerConfig(
        issuer="https://idp.example",
        audience="api",
        discovery_url="http://idp.internal/.well-known/openid-configuration",
    )

    with pytest.raises(SettingsError, match="refuses http:// issuers"):
        load_settings(
            env="prod",
            database_url="postgresql://db/catalog",
            oidc_issuers=(config,),
            session_secret="x7" * 20,
            _env_file=None,
        )


def test_compose_uses_the_public_issuer_and_an_internal_discovery_url() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    raw = json.loads(compose["services"]["api"]["environment"]["CATALOG_OIDC_ISSUERS"])
    issuers = [IssuerConfig.model_validate(entry) for entry in raw]
    keycloak = " ".join(compose["services"]["keycloak"]["command"])

    assert issuers[0].issuer == "http://localhost:8080/realms/catalog"
    assert issuers[0].discovery_url == (
        "http://keycloak:8080/realms/catalog/.well-known/openid-configuration"
    )
    assert "--hostname=http://localhost:8080" in keycloak
    assert "--hostname-backchannel-dynamic=true" in keycloak


def test_the_realm_has_a_public_pkce_client_for_browser_apps() -> None:
    realm = json.loads((ROOT / "deploy/keycloak/catalog-realm.json").read_text())
    clients = {client["clientId"]: client for client in realm["clients"]}
    spa = clients["catalog-spa"]

    assert spa["publicClient"] is True
    assert spa["attributes"]["pkce.code.challenge.method"] == "S256"
    assert "http://localhost:5173/*" in spa["redirectUris"]
    assert "secret" not in spa
    web_logout = clients["catalog-web"]["attributes"]["post.logout.redirect.uris"].split("##")
    assert "http://127.0.0.1:8000/graphql" in web_logout
