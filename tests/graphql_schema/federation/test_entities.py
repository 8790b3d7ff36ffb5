"""`/subgraph`: a federation router's `_service` and `_entities`, in batches, under the rules
of `/graphql` (anonymous callers get what `nodes` gives them)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from core.oidc_settings import IssuerConfig
from core.settings import Settings, load_settings
from graphql_schema.federation.schema import subgraph_sdl
from graphql_schema.node import global_id
from tests.builders.catalog import create_org, create_service
from tests.builders.identity import create_person, create_team
from tests.builders.work import create_request
from tests.conftest import StatementCounter
from tests.graphql import without_cost

ENTITIES = """
query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Service { id slug name }
    ... on Team { id slug }
    ... on Person { id displayName }
    ... on SalesforceOrg { id name }
  }
}
"""
PUBLIC_ENTITIES = """
query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Service { slug }
    ... on Team { slug }
    ... on SalesforceOrg { name }
  }
}
"""

NOT_AN_ENTITY = "__typename must name an entity (Person, SalesforceOrg, Service, Team)"
SERVICE_AND_NODES = """
query($ids: [ID!]!) {
  service(slug: "checkout") { slug ownerTeam { slug } }
  nodes(ids: $ids) { __typename }
}
"""


async def subgraph(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post("/subgraph", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    return without_cost(response.json())


async def entities(client: httpx.AsyncClient, representations: list[Any]) -> dict[str, Any]:
    return await subgraph(client, ENTITIES, {"representations": representations})


def by_id(type_name: str, key: uuid.UUID) -> dict[str, str]:
    return {"__typename": type_name, "id": global_id(type_name, key)}


def _settings(**overrides: Any) -> Settings:
    return load_settings(database_url="postgresql://unused/unused", _env_file=None, **overrides)


@pytest.fixture
async def anonymous(make_client: Any) -> httpx.AsyncClient:
    # With an issuer configured there is no development identity: callers are anonymous.
    issuer = IssuerConfig(issuer="https://idp.example.test", audience="catalog-api")
    client: httpx.AsyncClient = await make_client(
        _settings(oidc_issuers=(issuer,), anonymous_read=True)
    )
    return client


async def test_service_answers_the_subgraph_sdl(client: httpx.AsyncClient) -> None:
    body = await subgraph(client, "{ _service { sdl } }")

    assert body == {"data": {"_service": {"sdl": subgraph_sdl().removesuffix("\n")}}}


async def test_each_entity_by_its_keys_in_the_order_asked(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session, slug="payments")
    service = await create_service(session, slug="checkout", name="Checkout", owner_team_id=team.id)
    person = await create_person(session, display_name="Grace")
    org = await create_org(session, name="Production EU")

    body = await entities(
        client,
        [
            by_id("SalesforceOrg", org.id),
            {"__typename": "Service", "slug": "checkout"},
            by_id("Person", person.id),
            by_id("Service", service.id),
            by_id("Team", team.id),
        ],
    )

    assert body == {
        "data": {
            "_entities": [
                {
                    "__typename": "SalesforceOrg",
                    "id": global_id("SalesforceOrg", org.id),
                    "name": "Production EU",
                },
                {
                    "__typename": "Service",
                    "id": global_id("Service", service.id),
                    "slug": "checkout",
                    "name": "Checkout",
                },
                {
                    "__typename": "Person",
                    "id": global_id("Person", person.id),
                    "displayName": "Grace",
                },
                {
                    "__typename": "Service",
                    "id": global_id("Service", service.id),
                    "slug": "checkout",
                    "name": "Checkout",
                },
                {"__typename": "Team", "id": global_id("Team", team.id), "slug": "payments"},
            ]
        }
    }


async def test_what_names_nothing_is_null(client: httpx.AsyncClient, session: AsyncSession) -> None:
    team = await create_team(session)

    body = await entities(
        client,
        [
            by_id("Service", uuid.uuid4()),  # no such service
            {"__typename": "Service", "slug": "no-such-service"},
            {"__typename": "Service", "id": global_id("Team", team.id)},  # a team's id
            {"__typename": "Team", "id": "not a global id"},
            by_id("Team", team.id),
        ],
    )

    assert body["data"]["_entities"][:4] == [None, None, None, None]
    assert body["data"]["_entities"][4]["id"] == global_id("Team", team.id)
    assert "errors" not in body


async def test_a_malformed_representation_is_an_error_at_its_index(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)

    body = await entities(
        client,
        [
            {"id": global_id("Team", team.id)},
            {"__typename": "Membership", "id": global_id("Team", team.id)},
            {"__typename": "Team", "slug": team.slug},
            {"__typename": "Service", "slug": 7},
            "Team",
            by_id("Team", team.id),
        ],
    )

    assert body["data"]["_entities"][:5] == [None] * 5
    assert body["data"]["_entities"][5]["id"] == global_id("Team", team.id)
    assert [
        (error["path"], error["extensions"]["code"], error["message"]) for error in body["errors"]
    ] == [
        (
            ["_entities", 0],
            "BAD_USER_INPUT",
            f"representations[0]: {NOT_AN_ENTITY}",
        ),
        (
            ["_entities", 1],
            "BAD_USER_INPUT",
            f"representations[1]: {NOT_AN_ENTITY}",
        ),
        (["_entities", 2], "BAD_USER_INPUT", "representations[2]: a Team is named by id"),
        (["_entities", 3], "BAD_USER_INPUT", "representations[3]: Service.slug must be a string"),
        (
            ["_entities", 4],
            "BAD_USER_INPUT",
            "representations[4] must be an object with __typename and a key",
        ),
    ]


async def test_more_than_one_hundred_representations_is_bad_user_input(
    client: httpx.AsyncClient,
) -> None:
    body = await entities(client, [by_id("Team", uuid.uuid4()) for _ in range(101)])

    assert body["data"] is None
    assert [(error["extensions"]["code"], error["message"]) for error in body["errors"]] == [
        ("BAD_USER_INPUT", "_entities takes at most 100 representations")
    ]


async def test_one_statement_per_type_and_key_however_many_representations(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    teams = [await create_team(session) for _ in range(10)]
    services = [await create_service(session, owner_team_id=team.id) for team in teams]
    people = [await create_person(session) for _ in range(10)]
    orgs = [await create_org(session) for _ in range(10)]
    await subgraph(client, "{ __typename }")  # provisions the development person first

    def representations(n: int) -> list[dict[str, str]]:
        return [
            *(by_id("Service", service.id) for service in services[:n]),
            *({"__typename": "Service", "slug": service.slug} for service in services[:n]),
            *(by_id("Team", team.id) for team in teams[:n]),
            *(by_id("Person", person.id) for person in people[:n]),
            *(by_id("SalesforceOrg", org.id) for org in orgs[:n]),
        ]

    count_statements.reset()
    five = await entities(client, representations(1))
    for_five = list(count_statements.statements)
    count_statements.reset()
    fifty = await entities(client, representations(10))
    for_fifty = list(count_statements.statements)

    assert None not in five["data"]["_entities"]
    assert None not in fifty["data"]["_entities"]
    assert len(fifty["data"]["_entities"]) == 50
    assert len(for_five) == len(for_fifty), (for_five, for_fifty)
    flat = [" ".join(sql.split()) for sql in for_fifty]
    tables = sorted(sql.split(" FROM ")[1].split()[0] for sql in flat if " IN (" in sql)
    assert tables == ["person", "salesforce_org", "service", "service", "team"], for_fifty


async def test_anonymous_callers_get_what_nodes_gives_them(
    anonymous: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session, slug="payments")
    service = await create_service(session, slug="checkout", owner_team_id=team.id)
    person = await create_person(session)
    org = await create_org(session, name="Production EU")

    body = await subgraph(
        anonymous,
        PUBLIC_ENTITIES,
        {
            "representations": [
                by_id("Service", service.id),
                {"__typename": "Service", "slug": "checkout"},
                by_id("Person", person.id),  # not public: null, as `node` gives
                by_id("Team", team.id),
                by_id("SalesforceOrg", org.id),
            ]
        },
    )

    assert body == {
        "data": {
            "_entities": [
                {"__typename": "Service", "slug": "checkout"},
                {"__typename": "Service", "slug": "checkout"},
                None,
                {"__typename": "Team", "slug": "payments"},
                {"__typename": "SalesforceOrg", "name": "Production EU"},
            ]
        }
    }


async def test_anonymous_callers_are_refused_private_fields_before_anything_runs(
    anonymous: httpx.AsyncClient, session: AsyncSession
) -> None:
    person = await create_person(session)

    body = await entities(anonymous, [by_id("Person", person.id)])

    assert body["data"] is None
    assert [(error["extensions"]["code"], error["message"]) for error in body["errors"]] == [
        ("UNAUTHENTICATED", "sign in to see Person.id")
    ]


async def test_signed_in_callers_see_people(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    person = await create_person(session, display_name="Grace")

    body = await entities(client, [by_id("Person", person.id)])

    assert body["data"]["_entities"] == [
        {"__typename": "Person", "id": global_id("Person", person.id), "displayName": "Grace"}
    ]


async def test_the_sdl_is_introspection_for_the_introspection_policy(make_client: Any) -> None:
    issuer = IssuerConfig(issuer="https://idp.example.test", audience="catalog-api")
    anonymous = await make_client(
        _settings(oidc_issuers=(issuer,), anonymous_read=True, introspection="authenticated")
    )
    signed_in = await make_client(_settings(introspection="authenticated"))

    refused = await subgraph(anonymous, "{ _service { sdl } }")
    answered = await subgraph(signed_in, "{ _service { sdl } }")

    assert refused["data"] is None
    assert [error["extensions"]["code"] for error in refused["errors"]] == ["UNAUTHENTICATED"]
    assert answered["data"]["_service"]["sdl"].startswith("schema @link(")


async def test_the_subgraph_serves_the_public_queries_and_keeps_to_post(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session, slug="payments")
    await create_service(session, slug="checkout", owner_team_id=team.id)

    body = await subgraph(client, SERVICE_AND_NODES, {"ids": [global_id("Team", team.id)]})
    get = await client.get("/subgraph", params={"query": "{ __typename }"})

    assert body == {
        "data": {
            "service": {"slug": "checkout", "ownerTeam": {"slug": "payments"}},
            "nodes": [{"__typename": "Team"}],
        }
    }
    assert get.status_code == 405


async def test_each_representation_costs_one_object(client: httpx.AsyncClient) -> None:
    representations = [by_id("Team", uuid.uuid4()) for _ in range(7)]

    response = await client.post(
        "/subgraph", json={"query": ENTITIES, "variables": {"representations": representations}}
    )

    assert response.json()["extensions"]["cost"]["requested"] == 7


async def test_without_anonymous_reads_the_subgraph_wants_a_sign_in(make_client: Any) -> None:
    issuer = IssuerConfig(issuer="https://idp.example.test", audience="catalog-api")
    anonymous = await make_client(_settings(oidc_issuers=(issuer,), anonymous_read=False))

    response = await anonymous.post("/subgraph", json={"query": "{ _service { sdl } }"})

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_subgraph_tells_each_kind_apart_in_a_union(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session, name="Marmalade team")
    await create_service(session, name="Marmalade service", owner_team_id=team.id)
    person = await create_person(session, display_name="Marmalade Person")
    await create_request(
        session,
        service_id=(await create_service(session)).id,
        requester_id=person.id,
        title="Marmalade request",
    )

    body = await subgraph(
        client, '{ search(query: "marmalade") { edges { node { __typename } } } }'
    )

    kinds = sorted(edge["node"]["__typename"] for edge in body["data"]["search"]["edges"])
    assert kinds == ["Person", "Service", "ServiceRequest", "Team"]
