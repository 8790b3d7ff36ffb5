"""Keyset pages over every connection: all rows once, in order, and cursors that stay honest."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Lifecycle, Service, Tier
from graphql_schema.node import global_id
from tests.builders.catalog import create_org, create_service
from tests.builders.identity import create_business_unit, create_person, create_team
from tests.graphql import data, gql

SERVICES = """
query Services(
  $first: Int, $after: String, $last: Int, $before: String,
  $filter: ServiceFilter, $orderBy: ServiceOrder
) {
  services(
    first: $first, after: $after, last: $last, before: $before,
    filter: $filter, orderBy: $orderBy
  ) {
    totalCount
    edges { cursor node { slug } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
TEAMS = """
query Teams($first: Int, $after: String) {
  teams(first: $first, after: $after) {
    totalCount
    edges { cursor node { slug } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
BUSINESS_UNITS = """
query BusinessUnits($first: Int, $after: String) {
  businessUnits(first: $first, after: $after) {
    totalCount
    edges { cursor node { name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
PEOPLE = """
query People($first: Int, $after: String) {
  people(first: $first, after: $after) {
    totalCount
    edges { cursor node { displayName } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
PEOPLE_IDS = """
query People($first: Int, $after: String) {
  people(first: $first, after: $after) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
SALESFORCE_ORGS = """
query SalesforceOrgs($first: Int, $after: String) {
  salesforceOrgs(first: $first, after: $after) {
    totalCount
    edges { cursor node { name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

BASE_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
# slug, name, tier, minutes after BASE_TIME of the last update: each order differs.
CATALOG = [
    ("svc-a", "Delta", Tier.TIER_2, 3),
    ("svc-b", "Alpha", Tier.TIER_4, 6),
    ("svc-c", "Golf", Tier.TIER_1, 1),
    ("svc-d", "Bravo", Tier.TIER_2, 5),
    ("svc-e", "Foxtrot", Tier.TIER_3, 0),
    ("svc-f", "Charlie", Tier.TIER_1, 4),
    ("svc-g", "Echo", Tier.TIER_2, 2),
]
SORT_KEYS: dict[str, Callable[[Service], Any]] = {
    "NAME": lambda service: service.name,
    "SLUG": lambda service: service.slug,
    "TIER": lambda service: service.tier.value,
    "UPDATED_AT": lambda service: service.updated_at,
}


async def _catalog(session: AsyncSession) -> list[Service]:
    team = await create_team(session)
    return [
        await create_service(
            session,
            slug=slug,
            name=name,
            tier=tier,
            owner_team_id=team.id,
            updated_at=BASE_TIME + timedelta(minutes=minutes),
        )
        for slug, name, tier, minutes in CATALOG
    ]


def _expected(services: list[Service], field: str, direction: str) -> list[str]:
    key = SORT_KEYS[field]
    ordered = sorted(services, key=lambda service: (key(service), service.id))
    if direction == "DESC":
        ordered.reverse()
    return [service.slug for service in ordered]


def _connection(result: dict[str, Any]) -> dict[str, Any]:
    (connection,) = result.values()
    assert isinstance(connection, dict)
    return connection


def _labels(connection: dict[str, Any]) -> list[str]:
    return [next(iter(edge["node"].values())) for edge in connection["edges"]]


def _check_page_info(connection: dict[str, Any]) -> None:
    edges, info = connection["edges"], connection["pageInfo"]
    assert info["startCursor"] == (edges[0]["cursor"] if edges else None)
    assert info["endCursor"] == (edges[-1]["cursor"] if edges else None)


async def _forward(
    client: httpx.AsyncClient, query: str, size: int, **variables: Any
) -> list[list[str]]:
    """Every page, following `endCursor` until `hasNextPage` is false."""
    pages: list[list[str]] = []
    after = None
    while True:
        connection = _connection(
            await data(client, query, {**variables, "first": size, "after": after})
        )
        _check_page_info(connection)
        pages.append(_labels(connection))
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not connection["pageInfo"]["hasNextPage"]:
            return pages
        after = connection["pageInfo"]["endCursor"]
        assert len(pages) < 50, "paging does not end"


async def _backward(
    client: httpx.AsyncClient, query: str, size: int, **variables: Any
) -> list[list[str]]:
    """Every page from the end, following `startCursor` until `hasPreviousPage` is false."""
    pages: list[list[str]] = []
    before = None
    while True:
        connection = _connection(
            await data(client, query, {**variables, "last": size, "before": before})
        )
        _check_page_info(connection)
        pages.append(_labels(connection))
        assert connection["pageInfo"]["hasNextPage"] is (before is not None)
        if not connection["pageInfo"]["hasPreviousPage"]:
            return pages
        before = connection["pageInfo"]["startCursor"]
        assert len(pages) < 50, "paging does not end"


def _error(body: dict[str, Any]) -> tuple[Any, str, str]:
    (error,) = body["errors"]
    return body["data"], error["extensions"]["code"], error["message"]


# --- services: walking the pages -------------------------------------------------------------


async def test_forward_pages_hold_every_service_once_in_name_order(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    services = await _catalog(session)

    pages = await _forward(client, SERVICES, 3)

    expected = _expected(services, "NAME", "ASC")
    assert pages == [expected[0:3], expected[3:6], expected[6:7]]


async def test_first_page_flags_and_total_count(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    services = await _catalog(session)

    result = await data(client, SERVICES, {"first": 2})

    connection = result["services"]
    edges = connection["edges"]
    assert [edge["node"]["slug"] for edge in edges] == _expected(services, "NAME", "ASC")[:2]
    assert connection["totalCount"] == 7
    assert connection["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": edges[0]["cursor"],
        "endCursor": edges[1]["cursor"],
    }


async def test_total_count_is_the_whole_list_on_every_page(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _catalog(session)
    first = await data(client, SERVICES, {"first": 2})

    second = await data(
        client, SERVICES, {"first": 2, "after": first["services"]["pageInfo"]["endCursor"]}
    )

    assert second["services"]["totalCount"] == 7
    assert second["services"]["pageInfo"]["hasPreviousPage"] is True
    assert second["services"]["pageInfo"]["hasNextPage"] is True


async def test_empty_catalog_is_one_empty_page(client: httpx.AsyncClient) -> None:
    result = await data(client, SERVICES, {"first": 5})

    assert result["services"] == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }


async def test_backward_pages_hold_every_service_once_from_the_end(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    services = await _catalog(session)

    pages = await _backward(client, SERVICES, 3)

    expected = _expected(services, "NAME", "ASC")
    assert pages == [expected[4:7], expected[1:4], expected[0:1]]


async def test_after_then_before_come_back_to_the_same_page(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    services = await _catalog(session)
    first = await data(client, SERVICES, {"first": 3})
    second = await data(
        client, SERVICES, {"first": 3, "after": first["services"]["pageInfo"]["endCursor"]}
    )

    back = await data(
        client, SERVICES, {"last": 3, "before": second["services"]["pageInfo"]["startCursor"]}
    )

    assert back["services"]["edges"] == first["services"]["edges"]
    assert back["services"]["pageInfo"]["hasPreviousPage"] is False
    assert back["services"]["pageInfo"]["hasNextPage"] is True
    assert _labels(back["services"]) == _expected(services, "NAME", "ASC")[:3]


@pytest.mark.parametrize("field", ["NAME", "SLUG", "TIER", "UPDATED_AT"])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_pages_follow_each_order_both_ways(
    client: httpx.AsyncClient, session: AsyncSession, field: str, direction: str
) -> None:
    services = await _catalog(session)
    order = {"field": field, "direction": direction}

    forward = await _forward(client, SERVICES, 2, orderBy=order)
    backward = await _backward(client, SERVICES, 2, orderBy=order)

    expected = _expected(services, field, direction)
    assert [slug for page in forward for slug in page] == expected
    assert [slug for page in reversed(backward) for slug in page] == expected
    assert [len(page) for page in forward] == [2, 2, 2, 1]
    assert [len(page) for page in backward] == [2, 2, 2, 1]


async def test_page_of_zero_is_empty_but_knows_more_follow(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _catalog(session)

    result = await data(client, SERVICES, {"first": 0})

    assert result["services"]["edges"] == []
    assert result["services"]["pageInfo"]["hasNextPage"] is True


# --- services: refused page requests ---------------------------------------------------------


async def test_cursor_reused_with_another_order_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _catalog(session)
    page = await data(client, SERVICES, {"first": 2})
    cursor = page["services"]["pageInfo"]["endCursor"]

    body = await gql(client, SERVICES, {"first": 2, "after": cursor, "orderBy": {"field": "SLUG"}})

    assert _error(body) == (
        None,
        "BAD_USER_INPUT",
        "the cursor belongs to another filter or order; start again without it",
    )


async def test_cursor_reused_with_another_direction_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _catalog(session)
    page = await data(client, SERVICES, {"first": 2})
    cursor = page["services"]["pageInfo"]["endCursor"]

    body = await gql(
        client,
        SERVICES,
        {"first": 2, "after": cursor, "orderBy": {"field": "NAME", "direction": "DESC"}},
    )

    assert _error(body)[1] == "BAD_USER_INPUT"


async def test_cursor_reused_with_another_filter_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _catalog(session)
    page = await data(client, SERVICES, {"first": 2})
    cursor = page["services"]["pageInfo"]["endCursor"]

    body = await gql(
        client, SERVICES, {"first": 2, "after": cursor, "filter": {"tiers": ["TIER_2"]}}
    )

    assert _error(body) == (
        None,
        "BAD_USER_INPUT",
        "the cursor belongs to another filter or order; start again without it",
    )


async def test_cursor_of_another_connection_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    for _ in range(3):
        await create_team(session)
    teams = await data(client, TEAMS, {"first": 1})
    cursor = teams["teams"]["pageInfo"]["endCursor"]

    body = await gql(client, BUSINESS_UNITS, {"first": 1, "after": cursor})

    assert _error(body) == (
        None,
        "BAD_USER_INPUT",
        "the cursor belongs to another filter or order; start again without it",
    )


@pytest.mark.parametrize("cursor", ["not-a-cursor", "e30", "W10", "eyJmIjoxfQ", ""])
async def test_malformed_cursor_is_refused(client: httpx.AsyncClient, cursor: str) -> None:
    body = await gql(client, SERVICES, {"first": 2, "after": cursor})

    assert _error(body) == (None, "BAD_USER_INPUT", f"{cursor!r} is not a valid cursor")


def _tampered(cursor: str, value: Any) -> str:
    """The same cursor, its fingerprint intact, carrying another sort value."""
    payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    payload["v"] = value
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("field", "value"),
    [("UPDATED_AT", "yesterday"), ("UPDATED_AT", 5), ("NAME", 5), ("TIER", 1.5), ("NAME", None)],
)
async def test_cursor_carrying_a_value_of_the_wrong_type_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, field: str, value: Any
) -> None:
    await _catalog(session)
    page = await data(client, SERVICES, {"first": 1, "orderBy": {"field": field}})
    cursor = _tampered(page["services"]["pageInfo"]["endCursor"], value)

    body = await gql(client, SERVICES, {"first": 1, "after": cursor, "orderBy": {"field": field}})

    assert _error(body) == (None, "BAD_USER_INPUT", f"{cursor!r} is not a valid cursor")


async def test_first_above_one_hundred_is_refused(client: httpx.AsyncClient) -> None:
    body = await gql(client, SERVICES, {"first": 101})

    result, code, message = _error(body)
    assert (result, code) == (None, "PAGE_SIZE_EXCEEDED")
    assert "100" in message  # names the limit


async def test_last_above_one_hundred_is_refused(client: httpx.AsyncClient) -> None:
    body = await gql(client, SERVICES, {"last": 500})

    result, code, message = _error(body)
    assert (result, code) == (None, "PAGE_SIZE_EXCEEDED")
    assert "100" in message  # names the limit


async def test_negative_first_is_refused(client: httpx.AsyncClient) -> None:
    body = await gql(client, SERVICES, {"first": -1})

    assert _error(body) == (None, "BAD_USER_INPUT", "first and last must not be negative")


async def test_first_and_last_together_are_refused(client: httpx.AsyncClient) -> None:
    body = await gql(client, SERVICES, {"first": 2, "last": 2})

    assert _error(body) == (None, "BAD_USER_INPUT", "pass first or last, not both")


# --- the other connections -------------------------------------------------------------------


async def test_teams_page_by_name(client: httpx.AsyncClient, session: AsyncSession) -> None:
    unit = await create_business_unit(session)
    for slug, name in [("t-c", "Gamma"), ("t-a", "Alpha"), ("t-d", "Delta"), ("t-b", "Beta")]:
        await create_team(session, slug=slug, name=name, business_unit_id=unit.id)
    archived = await create_team(session, slug="t-z", name="Archived")
    archived.archived_at = BASE_TIME
    await session.flush()

    pages = await _forward(client, TEAMS, 3)

    assert pages == [["t-a", "t-b", "t-d"], ["t-c"]]


async def test_business_units_page_by_name(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    for name in ["Service", "Marketing", "Sales", "Finance", "HR"]:
        await create_business_unit(session, name=name)

    pages = await _forward(client, BUSINESS_UNITS, 2)

    assert pages == [["Finance", "HR"], ["Marketing", "Sales"], ["Service"]]


async def test_people_page_by_display_name(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    for name in ["Grace Hopper", "Ada Lovelace", "Alan Turing", "Edsger Dijkstra"]:
        await create_person(session, display_name=name)

    pages = await _forward(client, PEOPLE, 2)

    assert pages == [
        ["Ada Lovelace", "Alan Turing"],
        ["Development user", "Edsger Dijkstra"],
        ["Grace Hopper"],
    ]


async def test_people_with_the_same_name_page_by_id(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    twins = [await create_person(session, display_name="Sam Smith") for _ in range(5)]
    await data(client, "{ viewer { roles } }")  # provisions the development person first

    pages = await _forward(client, PEOPLE_IDS, 2)

    by_id = sorted(twins, key=lambda twin: twin.id)
    assert [len(page) for page in pages] == [2, 2, 2]
    assert [person_id for page in pages for person_id in page][1:] == [
        global_id("Person", twin.id) for twin in by_id
    ]


async def test_salesforce_orgs_page_by_name(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    for name in ["Europe", "Asia", "Americas"]:
        await create_org(session, name=name)

    pages = await _forward(client, SALESFORCE_ORGS, 2)

    assert pages == [["Americas", "Asia"], ["Europe"]]


# --- service filters -------------------------------------------------------------------------


async def _filtered(client: httpx.AsyncClient, service_filter: dict[str, Any]) -> list[str]:
    result = await data(client, SERVICES, {"first": 50, "filter": service_filter})
    connection = result["services"]
    assert connection["totalCount"] == len(connection["edges"])
    return sorted(_labels(connection))


async def _filter_catalog(session: AsyncSession) -> dict[str, Any]:
    sales = await create_business_unit(session, name="Sales")
    service_unit = await create_business_unit(session, name="Service")
    quoting = await create_team(session, business_unit_id=sales.id)
    billing = await create_team(session, business_unit_id=sales.id)
    support = await create_team(session, business_unit_id=service_unit.id)
    rows = [
        ("cpq", quoting, Tier.TIER_1, Lifecycle.LIVE, ["sales", "pricing"]),
        ("invoicing", billing, Tier.TIER_2, Lifecycle.LIVE, ["finance"]),
        ("dunning", billing, Tier.TIER_3, Lifecycle.BUILDING, ["finance", "sales"]),
        ("case-desk", support, Tier.TIER_1, Lifecycle.DEPRECATED, ["support"]),
    ]
    for slug, team, tier, lifecycle, tags in rows:
        await create_service(
            session, slug=slug, owner_team_id=team.id, tier=tier, lifecycle=lifecycle, tags=tags
        )
    await create_service(
        session, slug="old-quotes", owner_team_id=quoting.id, tags=["sales"], archived_at=BASE_TIME
    )
    return {"sales": sales, "quoting": quoting, "billing": billing}


async def test_filter_by_owner_team(client: httpx.AsyncClient, session: AsyncSession) -> None:
    made = await _filter_catalog(session)

    slugs = await _filtered(client, {"ownerTeamId": global_id("Team", made["billing"].id)})

    assert slugs == ["dunning", "invoicing"]


async def test_filter_by_business_unit(client: httpx.AsyncClient, session: AsyncSession) -> None:
    made = await _filter_catalog(session)

    slugs = await _filtered(client, {"businessUnitId": global_id("BusinessUnit", made["sales"].id)})

    assert slugs == ["cpq", "dunning", "invoicing"]


async def test_filter_by_tiers(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _filter_catalog(session)

    slugs = await _filtered(client, {"tiers": ["TIER_1", "TIER_3"]})

    assert slugs == ["case-desk", "cpq", "dunning"]


async def test_filter_by_lifecycles(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _filter_catalog(session)

    slugs = await _filtered(client, {"lifecycles": ["BUILDING", "DEPRECATED"]})

    assert slugs == ["case-desk", "dunning"]


async def test_filter_by_tag(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _filter_catalog(session)

    slugs = await _filtered(client, {"tag": "sales"})

    assert slugs == ["cpq", "dunning"]


async def test_filters_combine(client: httpx.AsyncClient, session: AsyncSession) -> None:
    made = await _filter_catalog(session)

    slugs = await _filtered(
        client,
        {
            "businessUnitId": global_id("BusinessUnit", made["sales"].id),
            "tag": "sales",
            "lifecycles": ["LIVE"],
        },
    )

    assert slugs == ["cpq"]


async def test_archived_services_only_with_include_archived(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    made = await _filter_catalog(session)
    quoting = global_id("Team", made["quoting"].id)

    hidden = await _filtered(client, {"ownerTeamId": quoting})
    shown = await _filtered(client, {"ownerTeamId": quoting, "includeArchived": True})

    assert (hidden, shown) == (["cpq"], ["cpq", "old-quotes"])


async def test_filter_with_a_malformed_team_id_is_refused(client: httpx.AsyncClient) -> None:
    body = await gql(client, SERVICES, {"first": 5, "filter": {"ownerTeamId": "nope"}})

    assert _error(body) == (None, "BAD_USER_INPUT", "filter.ownerTeamId is not a valid id")


async def test_filter_with_an_id_of_another_type_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    unit = await create_business_unit(session)

    body = await gql(
        client,
        SERVICES,
        {"first": 5, "filter": {"ownerTeamId": global_id("BusinessUnit", unit.id)}},
    )

    assert _error(body) == (None, "BAD_USER_INPUT", "filter.ownerTeamId does not name a Team")
