"""`slaEvents`: newest first, filtered, paged by keyset, for viewers and above."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Tier
from core.oidc_settings import IssuerConfig
from core.settings import Settings, load_settings
from graphql_schema.node import global_id
from graphql_schema.service_levels.sla_events.types import event_global_id
from service_levels.models import Objective, Sla, SlaEvent, SlaEventKind
from tests.builders.catalog import create_service
from tests.builders.service_levels import AS_OF, create_sla
from tests.conftest import StatementCounter
from tests.graphql import data, gql

EVENTS = """
query Events($filter: SlaEventFilter, $first: Int, $after: String, $last: Int, $before: String) {
  slaEvents(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id kind at } }
  }
}
"""
DETAILED = """
query Events($first: Int) {
  slaEvents(first: $first) {
    nodes {
      id kind value target errorBudget at window { start end }
      objective { id metric target status }
      sla { id name service { slug } }
      service { slug name }
    }
  }
}
"""


def _iso(moment: datetime) -> str:
    return moment.isoformat()


async def _event(
    session: AsyncSession, sla: Sla, kind: SlaEventKind, at: datetime, *, objective: int = 0
) -> SlaEvent:
    objective_ids = (
        await session.scalars(
            select(Objective.id).where(Objective.sla_id == sla.id).order_by(Objective.position)
        )
    ).all()
    event = SlaEvent(
        objective_id=objective_ids[objective],
        sla_id=sla.id,
        service_id=sla.service_id,
        kind=kind,
        window_start=AS_OF.replace(day=1, hour=0),
        window_end=at,
        value=0.5,
        target=0.9,
        error_budget=0.0,
        at=at,
    )
    session.add(event)
    await session.flush()
    return event


@pytest.fixture
async def events(session: AsyncSession) -> dict[str, Any]:
    """Four events on two services, an hour apart: breached, at risk, recovered, breached."""
    portal = await create_service(session, slug="portal", tier=Tier.TIER_1)
    billing = await create_service(session, slug="billing", tier=Tier.TIER_1)
    portal_sla = await create_sla(session, portal.id, 0.9, 0.8)
    billing_sla = await create_sla(session, billing.id, 0.9)
    made = [
        await _event(session, portal_sla, SlaEventKind.SLA_BREACHED, AS_OF),
        await _event(
            session, portal_sla, SlaEventKind.SLA_AT_RISK, AS_OF + timedelta(hours=1), objective=1
        ),
        await _event(session, billing_sla, SlaEventKind.SLA_RECOVERED, AS_OF + timedelta(hours=2)),
        await _event(session, billing_sla, SlaEventKind.SLA_BREACHED, AS_OF + timedelta(hours=3)),
    ]
    return {
        "ids": [event_global_id(event.id) for event in made],
        "models": made,
        "portal": portal,
        "portal_sla": portal_sla,
        "billing": billing,
    }


def _ids(body: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in body["slaEvents"]["edges"]]


async def test_events_are_listed_newest_first_with_what_they_concern(
    client: httpx.AsyncClient, events: dict[str, Any]
) -> None:
    found = await data(client, DETAILED, {"first": 1})

    newest = events["models"][3]
    assert found["slaEvents"]["nodes"] == [
        {
            "id": events["ids"][3],
            "kind": "SLA_BREACHED",
            "value": 0.5,
            "target": 0.9,
            "errorBudget": 0.0,
            "at": _iso(newest.at),
            "window": {"start": _iso(newest.window_start), "end": _iso(newest.window_end)},
            "objective": {
                "id": global_id("Objective", newest.objective_id),
                "metric": "CLOCK_ATTAINMENT",
                "target": 0.9,
                "status": "NO_DATA",
            },
            "sla": {
                "id": global_id("Sla", newest.sla_id),
                "name": "Gold support",
                "service": {"slug": "billing"},
            },
            "service": {"slug": "billing", "name": events["billing"].name},
        }
    ]


async def test_events_are_filtered_by_service_sla_objective_kind_and_time(
    client: httpx.AsyncClient, events: dict[str, Any]
) -> None:
    ids = events["ids"]
    at_risk = events["models"][1]
    filters: list[tuple[dict[str, Any], list[str]]] = [
        ({"serviceId": global_id("Service", events["portal"].id)}, [ids[1], ids[0]]),
        ({"slaId": global_id("Sla", events["portal_sla"].id)}, [ids[1], ids[0]]),
        ({"objectiveId": global_id("Objective", at_risk.objective_id)}, [ids[1]]),
        ({"kinds": ["SLA_BREACHED"]}, [ids[3], ids[0]]),
        ({"kinds": ["SLA_AT_RISK", "SLA_RECOVERED"]}, [ids[2], ids[1]]),
        ({"since": _iso(AS_OF + timedelta(hours=1))}, [ids[3], ids[2], ids[1]]),
        ({"until": _iso(AS_OF + timedelta(hours=1))}, [ids[0]]),
        (
            {
                "kinds": ["SLA_BREACHED"],
                "since": _iso(AS_OF + timedelta(minutes=1)),
                "until": _iso(AS_OF + timedelta(hours=4)),
            },
            [ids[3]],
        ),
    ]
    for given, expected in filters:
        found = await data(client, EVENTS, {"filter": given})
        assert _ids(found) == expected, given
        assert found["slaEvents"]["totalCount"] == len(expected), given


async def test_events_page_forwards_and_backwards_by_keyset(
    client: httpx.AsyncClient, events: dict[str, Any]
) -> None:
    ids = events["ids"]
    first = await data(client, EVENTS, {"first": 3})
    cursor = first["slaEvents"]["pageInfo"]["endCursor"]
    rest = await data(client, EVENTS, {"first": 3, "after": cursor})
    back = await data(
        client, EVENTS, {"last": 2, "before": rest["slaEvents"]["pageInfo"]["startCursor"]}
    )

    assert _ids(first) == [ids[3], ids[2], ids[1]]
    assert first["slaEvents"]["pageInfo"]["hasNextPage"] is True
    assert _ids(rest) == [ids[0]]
    assert rest["slaEvents"]["pageInfo"] | {"startCursor": None, "endCursor": None} == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": None,
        "endCursor": None,
    }
    assert _ids(back) == [ids[2], ids[1]]
    assert back["slaEvents"]["pageInfo"]["hasPreviousPage"] is True


async def test_a_cursor_is_refused_with_another_filter(
    client: httpx.AsyncClient, events: dict[str, Any]
) -> None:
    first = await data(client, EVENTS, {"first": 1})
    cursor = first["slaEvents"]["pageInfo"]["endCursor"]

    body = await gql(
        client, EVENTS, {"first": 1, "after": cursor, "filter": {"kinds": ["SLA_BREACHED"]}}
    )

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "another filter" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"serviceId": "nonsense"}, "filter.serviceId is not a valid id"),
        (
            {"slaId": global_id("Service", uuid.uuid4())},
            "filter.slaId does not name a Sla",
        ),
        ({"since": "2026-11-10T12:00:00"}, "filter.since needs a UTC offset"),
    ],
)
async def test_a_bad_filter_is_refused_naming_the_field(
    client: httpx.AsyncClient, given: dict[str, Any], message: str
) -> None:
    body = await gql(client, EVENTS, {"filter": given})

    assert body["data"] is None
    assert [(error["message"], error["extensions"]["code"]) for error in body["errors"]] == [
        (message, "BAD_USER_INPUT")
    ]


async def test_a_page_above_100_is_refused(client: httpx.AsyncClient) -> None:
    body = await gql(client, EVENTS, {"first": 101})

    assert body["errors"][0]["extensions"]["code"] == "PAGE_SIZE_EXCEEDED"


async def test_an_event_resolves_by_its_global_id(
    client: httpx.AsyncClient, events: dict[str, Any]
) -> None:
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on SlaEvent { kind } } }"
    unknown = global_id("SlaEvent", uuid.UUID(int=2**127))

    found = await data(client, query, {"ids": [events["ids"][2], unknown]})

    assert found["nodes"] == [{"id": events["ids"][2], "kind": "SLA_RECOVERED"}, None]


async def test_listing_events_costs_a_constant_number_of_statements(
    client: httpx.AsyncClient, events: dict[str, Any], count_statements: StatementCounter
) -> None:
    await data(client, DETAILED, {"first": 1})  # the development identity is made once
    count_statements.reset()
    one = await data(client, DETAILED, {"first": 1})
    at_one = count_statements.count
    count_statements.reset()
    four = await data(client, DETAILED, {"first": 4})
    at_four = count_statements.count

    assert len(one["slaEvents"]["nodes"]) == 1
    assert len(four["slaEvents"]["nodes"]) == 4
    assert at_one == at_four, (at_one, at_four)


def _settings(**overrides: Any) -> Settings:
    return load_settings(database_url="postgresql://unused/unused", _env_file=None, **overrides)


async def test_anonymous_callers_are_refused_sla_events(make_client: Any) -> None:
    issuer = IssuerConfig(issuer="https://idp.example.test", audience="catalog-api")
    anonymous = await make_client(_settings(oidc_issuers=(issuer,), anonymous_read=True))

    body = await gql(anonymous, EVENTS)

    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["UNAUTHENTICATED"]


async def test_a_viewer_reads_sla_events(make_client: Any, events: dict[str, Any]) -> None:
    viewer = await make_client(_settings(dev_roles="VIEWER"))

    found = await data(viewer, EVENTS, {"first": 1})

    assert _ids(found) == [events["ids"][3]]
