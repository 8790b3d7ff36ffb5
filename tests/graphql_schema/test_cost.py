"""The cost model (objects fetched, lists sized by the schema), `extensions.cost` on every
response, and each caller's budget per minute (CATALOG_COST_PER_MINUTE)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLObjectType,
    build_schema,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_leaf_type,
    is_list_type,
)
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service as ServiceRow
from core.settings import Settings, load_settings
from graphql_schema.list_sizes import LIST_SIZES, list_size
from graphql_schema.node import global_id
from graphql_schema.schema import sdl
from tests.builders.catalog import create_service
from tests.builders.identity import create_team
from tests.builders.service_levels import create_sla

SCHEMA = build_schema(sdl())
SPEC_MEDIA_TYPE = {"accept": "application/graphql-response+json"}


def _settings(**overrides: Any) -> Settings:
    return load_settings(database_url="postgresql://unused/unused", _env_file=None, **overrides)


def _plain_lists() -> set[str]:
    """Every list of objects in the schema that is not a connection's page."""
    found = set()
    for name, named in SCHEMA.type_map.items():
        if name.startswith("__") or not isinstance(named, GraphQLObjectType):
            continue
        if {"edges", "pageInfo"} <= named.fields.keys():
            continue
        for field_name, field in named.fields.items():
            listed = is_list_type(get_nullable_type(field.type))
            if listed and is_composite_type(get_named_type(field.type)):
                found.add(f"{name}.{field_name}")
    return found


def test_every_plain_list_of_objects_says_how_many_items_it_holds() -> None:
    sliced_or_by_ids = {
        key
        for key in _plain_lists()
        if {"first", "last", "ids"}
        & SCHEMA.type_map[key.split(".")[0]].fields[key.split(".")[1]].args.keys()  # type: ignore[attr-defined]
    }
    unsized = {
        key for key in _plain_lists() - sliced_or_by_ids if list_size(*key.split(".")) is None
    }

    assert unsized == set()
    assert set(LIST_SIZES) <= _plain_lists()  # no size for a list that is gone


def _every_field(type_name: str, nested: str = "") -> str:
    """Every field of the type that takes no argument: scalars, and the value objects it
    holds (not the relations, not the lists)."""
    named = SCHEMA.type_map[type_name]
    assert isinstance(named, GraphQLObjectType)
    parts = []
    for name, field in named.fields.items():
        if field.args:
            continue
        returned = get_named_type(field.type)
        if is_leaf_type(returned):
            parts.append(name)
        elif not is_list_type(get_nullable_type(field.type)) and "id" not in getattr(
            returned, "fields", {}
        ):
            parts.append(f"{name} {{ {_every_field(returned.name)} }}")
    return " ".join(parts) + nested


OBJECTIVES = f" objectives {{ {_every_field('Objective')} }}"
DASHBOARD = (
    "query Dashboard { services(first: 100) { totalCount pageInfo { hasNextPage endCursor }"
    " nodes { "
    + _every_field(
        "Service",
        f" ownerTeam {{ {_every_field('Team')} }} slas {{ {_every_field('Sla', OBJECTIVES)} }}",
    )
    + " } } }"
)
# The same rows ten times over, with one field each.
TEN_DASHBOARDS = (
    "query TenDashboards { "
    + " ".join(
        f"page{n}: services(first: 100) {{ nodes {{ id ownerTeam {{ id }}"
        " slas { id objectives { id } } } }"
        for n in range(10)
    )
    + " }"
)


async def test_a_dashboard_of_a_hundred_services_with_every_field_passes(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)
    await create_sla(session, service.id, 0.9, 0.95)

    response = await client.post("/graphql", json={"query": DASHBOARD})

    body = response.json()
    assert "errors" not in body, body["errors"]
    [node] = body["data"]["services"]["nodes"]
    assert [len(sla["objectives"]) for sla in node["slas"]] == [2]
    # A service, its team, five SLAs of five objectives and their value objects.
    assert 10_000 < body["extensions"]["cost"]["requested"] < 25_000
    assert body["extensions"]["cost"]["limit"] == 25_000


async def test_ten_times_the_rows_are_refused_whatever_the_fields(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_service(session)

    response = await client.post(
        "/graphql", json={"query": TEN_DASHBOARDS}, headers=SPEC_MEDIA_TYPE
    )

    body = response.json()
    assert response.status_code == 422
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert error["message"] == "query cost 32010 exceeds the limit of 25000 (CATALOG_MAX_COST)"
    assert body["extensions"]["cost"] == {"requested": 32_010, "limit": 25_000}


@pytest.mark.read_path("compiled")
@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
async def test_every_answer_reports_its_cost_the_fast_path_included(
    client: httpx.AsyncClient, session: AsyncSession, accept: str
) -> None:
    await create_service(session)
    page = {"query": "{ services(first: 7) { nodes { slug ownerTeam { name } } } }"}

    answers = [
        (await client.post("/graphql", json=page, headers={"accept": accept})).json()
        for _ in range(3)  # the second and third are answered from the cleared plan
    ]

    assert [answer["extensions"] for answer in answers] == [
        {"cost": {"requested": 1 + 7 * 2, "limit": 25_000}}
    ] * 3
    assert answers[0]["data"] == answers[2]["data"]


@pytest.mark.parametrize(
    ("document", "requested"),
    [
        ("{ __typename }", 0),
        ("{", 0),  # nothing could be read, nothing is asked
        ("{ xyzzy }", 0),
        ("{ services(first: 101) { nodes { id } } }", 102),
        ('mutation { deleteService(id: "x") { userErrors { message } } }', 1 + 5),
    ],
)
async def test_refused_and_trivial_answers_report_their_cost_too(
    client: httpx.AsyncClient, document: str, requested: int
) -> None:
    response = await client.post("/graphql", json={"query": document})

    assert response.json()["extensions"]["cost"] == {"requested": requested, "limit": 25_000}


# The budget per minute.

PAGE = {"query": "{ services(first: 30) { nodes { id } } }"}  # costs 31


@pytest.mark.read_path("compiled")
@pytest.mark.parametrize("settings", [_settings(cost_per_minute=100)], ids=["budget-100"])
async def test_each_operation_spends_its_cost_and_the_headers_say_what_is_left(
    client: httpx.AsyncClient,
) -> None:
    responses = [await client.post("/graphql", json=PAGE) for _ in range(3)]

    assert [response.status_code for response in responses] == [200] * 3
    assert {response.headers["ratelimit-policy"] for response in responses} == {'"cost";q=100;w=60'}
    left = [response.headers["ratelimit"].split(";")[1] for response in responses]
    assert left == ["r=69", "r=38", "r=7"]  # the fast path (2nd, 3rd) spends as the whole way


@pytest.mark.parametrize("settings", [_settings(cost_per_minute=100)], ids=["budget-100"])
@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
async def test_a_spent_budget_refuses_with_429_and_when_to_retry(
    client: httpx.AsyncClient, session: AsyncSession, accept: str
) -> None:
    for _ in range(3):
        assert (await client.post("/graphql", json=PAGE)).status_code == 200
    team = await create_team(session)
    services_before = await session.scalar(select(func.count()).select_from(ServiceRow))
    create = {
        "query": "mutation ($input: CreateServiceInput!) { createService(input: $input) {"
        " service { id ownerTeam { id } slas { id } } userErrors { message } } }",
        "variables": {
            "input": {
                "slug": "late",
                "name": "Late",
                "ownerTeamId": global_id("Team", team.id),
                "tier": "TIER_3",
            }
        },
    }

    refused = await client.post("/graphql", json=PAGE, headers={"accept": accept})
    too_dear = await client.post("/graphql", json=create, headers={"accept": accept})

    for response in (refused, too_dear):
        assert response.status_code == 429
        assert 1 <= int(response.headers["retry-after"]) <= 60
        assert response.headers["ratelimit"].startswith('"cost";r=7;t=')
        body = response.json()
        assert body.get("data") is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert "CATALOG_COST_PER_MINUTE" in error["message"]
    assert await session.scalar(select(func.count()).select_from(ServiceRow)) == services_before
    small = await client.post("/graphql", json={"query": "{ services(first: 5) { nodes { id } } }"})
    assert small.status_code == 200  # 6 fits in what is left


@pytest.mark.parametrize("settings", [_settings(cost_per_minute=100)], ids=["budget-100"])
async def test_each_caller_has_a_budget_of_its_own(client: httpx.AsyncClient) -> None:
    for _ in range(3):
        await client.post("/graphql", json=PAGE)

    unsigned = client.build_request("POST", "/graphql", json=PAGE)
    del unsigned.headers["authorization"]
    anonymous = await client.send(unsigned)
    signed_in = await client.post("/graphql", json=PAGE)

    assert (anonymous.status_code, anonymous.headers["ratelimit"].split(";")[1]) == (200, "r=69")
    assert signed_in.status_code == 429


async def test_without_a_budget_no_rate_limit_headers_are_sent(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=PAGE)

    assert "ratelimit" not in response.headers
    assert "ratelimit-policy" not in response.headers
