"""SCIM's own bearer token, the discovery documents, and unknown endpoints."""

# ruff: noqa: F811  (the SCIM fixtures are imported from test_scim_users and used by name)

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.settings import load_settings
from server.app import create_app
from tests.identity.idp import TestIssuer
from tests.identity.test_scim_users import (  # noqa: F401  (fixtures)
    SCIM_TOKEN,
    assert_scim_error,
    scim,
    scim_settings,
)
from tests.lifespan import lifespan

LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {SCIM_TOKEN}", f"Bearer {SCIM_TOKEN}x", "Bearer"],
)
async def test_requests_without_the_scim_token_are_unauthorized(
    scim: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    scim.headers.pop("Authorization")

    response = await scim.get("/scim/v2/Users", headers=headers)

    assert_scim_error(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_person_s_oidc_token_is_not_a_scim_token(
    scim: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    token = issuer.token(sub="someone")

    response = await scim.get("/scim/v2/Users", headers={"Authorization": f"Bearer {token}"})

    assert_scim_error(response, 401)


async def test_without_a_scim_token_configured_scim_is_not_found(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        "/scim/v2/ServiceProviderConfig", headers={"Authorization": "Bearer anything"}
    )

    assert_scim_error(response, 404)


@pytest.fixture
async def no_issuer_client(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    settings = load_settings(
        database_url="postgresql://unused/unused", scim_token=SCIM_TOKEN, _env_file=None
    )
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_without_an_oidc_issuer_scim_is_not_found(
    no_issuer_client: httpx.AsyncClient,
) -> None:
    response = await no_issuer_client.get(
        "/scim/v2/Users", headers={"Authorization": f"Bearer {SCIM_TOKEN}"}
    )

    assert_scim_error(response, 404)


async def test_service_provider_config_announces_what_is_supported(
    scim: httpx.AsyncClient,
) -> None:
    response = await scim.get("/scim/v2/ServiceProviderConfig")

    assert response.headers["content-type"] == "application/scim+json"
    body = response.json()
    assert {key: body[key] for key in ("patch", "bulk", "filter", "sort", "etag")} == {
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": 200},
        "sort": {"supported": False},
        "etag": {"supported": False},
    }
    assert body["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    assert body["meta"]["location"] == "http://test/scim/v2/ServiceProviderConfig"


async def test_resource_types_list_the_user_and_the_group(scim: httpx.AsyncClient) -> None:
    listing = (await scim.get("/scim/v2/ResourceTypes")).json()
    single = (await scim.get("/scim/v2/ResourceTypes/User")).json()
    group = (await scim.get("/scim/v2/ResourceTypes/Group")).json()

    assert listing["schemas"] == [LIST_SCHEMA]
    assert listing["totalResults"] == 2
    assert listing["Resources"] == [single, group]
    assert {key: single[key] for key in ("id", "name", "endpoint", "schema")} == {
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "schema": USER_SCHEMA,
    }
    assert {key: group[key] for key in ("id", "name", "endpoint", "schema")} == {
        "id": "Group",
        "name": "Group",
        "endpoint": "/Groups",
        "schema": GROUP_SCHEMA,
    }
    assert_scim_error(await scim.get("/scim/v2/ResourceTypes/Team"), 404)


async def test_schemas_describe_only_the_stored_user_attributes(scim: httpx.AsyncClient) -> None:
    listing = (await scim.get("/scim/v2/Schemas")).json()
    user = (await scim.get(f"/scim/v2/Schemas/{USER_SCHEMA}")).json()

    assert {schema["name"] for schema in listing["Resources"]} == {
        "User",
        "Group",
        "ServiceProviderConfig",
        "ResourceType",
        "Schema",
    }
    assert [attribute["name"] for attribute in user["attributes"]] == [
        "userName",
        "name",
        "displayName",
        "active",
        "emails",
    ]
    assert user["attributes"][0]["uniqueness"] == "server"
    assert_scim_error(await scim.get("/scim/v2/Schemas/urn:nope"), 404)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/scim/v2/Teams", 404),
        ("PUT", "/scim/v2/Groups", 405),
        ("POST", "/scim/v2/Groups/.search", 501),
        ("GET", "/scim/v2/Users/1/extra", 404),
        ("POST", "/scim/v2/ServiceProviderConfig", 405),
        ("DELETE", "/scim/v2/Schemas", 405),
        ("POST", "/scim/v2/Users/123", 405),
        ("POST", "/scim/v2/.search", 501),
    ],
)
async def test_other_endpoints_answer_scim_errors(
    scim: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    response = await scim.request(method, path)

    assert_scim_error(response, status)
