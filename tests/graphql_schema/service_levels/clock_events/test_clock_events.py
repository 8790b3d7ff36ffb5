"""`clockEvents`: newest first, filtered, paged by keyset; each event also a `node`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Tier
from graphql_schema.node import global_id
from graphql_schema.service_levels.clock_events.types import clock_event_global_id
from service_levels import clock_events
from service_levels.clock_stamps import restamp_requests
from tests.builders.catalog import create_service
from tests.builders.work import request_with_moves
from tests.conftest import StatementCounter
from tests.graphql import data
from work.requests.models import RequestStatus

EVENTS = """
query Clocks($filter: ClockEventFilter, $first: Int) {
  clockEvents(filter: $filter, first: $first) {
    totalCount
    nodes { id subjectKind subjectId clock threshold crossedAt service { slug } }
  }
}
"""
NODE = """
query Node($id: ID!) { node(id: $id) { ... on ClockEvent { clock threshold service { slug } } } }
"""
FILED = datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.fixture
async def events(session: AsyncSession) -> dict[str, Any]:
    """Portal's P1 request past both response thresholds, billing's past its warning."""
    found: dict[str, Any] = {}
    for slug, minutes in (("portal", 40), ("billing", 25)):
        service = await create_service(session, slug=slug, tier=Tier.TIER_1)
        request = await request_with_moves(
            session, [(FILED, RequestStatus.NEW)], service_id=service.id
        )
        await restamp_requests(session, [request.id], warning_percent=75)
        recorded = await clock_events.record_due(
            session, FILED + timedelta(minutes=minutes), warning_percent=75
        )
        found[slug] = (
            service,
            request,
            {str(item.crossing.threshold): item.id for item in recorded},
        )
    return found


async def test_events_are_listed_newest_first_and_filtered(
    client: httpx.AsyncClient, events: dict[str, Any]
) -> None:
    portal, request, ids = events["portal"]
    variables = {
        "filter": {"serviceId": global_id("Service", portal.id), "thresholds": ["BREACHED"]}
    }

    found = await data(client, EVENTS, variables)

    assert found == {
        "clockEvents": {
            "totalCount": 1,
            "nodes": [
                {
                    "id": clock_event_global_id(ids["BREACHED"]),
                    "subjectKind": "REQUEST",
                    "subjectId": global_id("ServiceRequest", request.id),
                    "clock": "RESPONSE",
                    "threshold": "BREACHED",
                    "crossedAt": (FILED + timedelta(minutes=30)).isoformat(),
                    "service": {"slug": "portal"},
                }
            ],
        }
    }


async def test_a_clock_event_is_a_node(client: httpx.AsyncClient, events: dict[str, Any]) -> None:
    _, _, ids = events["billing"]

    found = await data(client, NODE, {"id": clock_event_global_id(ids["WARNING"])})

    assert found == {
        "node": {"clock": "RESPONSE", "threshold": "WARNING", "service": {"slug": "billing"}}
    }


async def test_listing_costs_a_constant_number_of_statements(
    client: httpx.AsyncClient, events: dict[str, Any], count_statements: StatementCounter
) -> None:
    await data(client, EVENTS, {"first": 1})  # the development identity is made once
    count_statements.reset()
    one = await data(client, EVENTS, {"first": 1})
    at_one = count_statements.count
    count_statements.reset()
    three = await data(client, EVENTS, {"first": 3})

    assert len(one["clockEvents"]["nodes"]) == 1
    assert len(three["clockEvents"]["nodes"]) == 3
    assert count_statements.count == at_one
