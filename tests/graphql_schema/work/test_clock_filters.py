"""`breached` and `warning` filters on serviceRequests and incidents: what is over its SLA
target now and what is close to it, with keyset pages and a flat statement count."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Tier
from core.clock import utcnow
from service_levels.clock_stamps import restamp_incidents, restamp_requests
from tests.builders.catalog import create_service
from tests.builders.work import incident_with_moves, request_with_moves
from tests.conftest import StatementCounter
from tests.graphql import data, gql
from work.incidents.models import IncidentStatus
from work.requests.models import RequestStatus

REQUESTS = """
query($filter: ServiceRequestFilter, $first: Int, $after: String) {
  serviceRequests(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { node { title breachAt warningAt } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
INCIDENTS = """
query($filter: IncidentFilter) {
  incidents(filter: $filter, first: 50) { edges { node { title breachAt warningAt } } }
}
"""
_NOT_DOMAIN = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "SET TRANSACTION")
# TIER_1 P1, around the clock: respond in 30 min (warning at 22 min 30 s).
RESPONSE = timedelta(minutes=30)
RESPONSE_WARNING = timedelta(minutes=22.5)


def _iso(instant: datetime) -> str:
    return instant.isoformat()


def _titles(body: dict[str, Any], root: str = "serviceRequests") -> list[str]:
    return [edge["node"]["title"] for edge in body[root]["edges"]]


async def _request(
    session: AsyncSession,
    title: str,
    moves: list[tuple[datetime, RequestStatus]],
    service_id: Any,
) -> Any:
    request = await request_with_moves(session, moves, service_id=service_id)
    request.title = title
    await session.flush()
    await restamp_requests(session, [request.id])
    return request


async def _desk(session: AsyncSession) -> datetime:
    """Four requests of a TIER_1 service, newest first: on time, in warning, breached and
    waiting on the requester (filed long ago, its clocks paused)."""
    now = utcnow()
    service = await create_service(session, tier=Tier.TIER_1)
    await _request(
        session,
        "paused",
        [
            (now - timedelta(hours=3), RequestStatus.NEW),
            (now - timedelta(hours=2, minutes=50), RequestStatus.TRIAGED),
            (now - timedelta(hours=2), RequestStatus.WAITING_ON_REQUESTER),
        ],
        service.id,
    )
    await _request(session, "breached", [(now - timedelta(hours=1), RequestStatus.NEW)], service.id)
    await _request(
        session, "warning", [(now - timedelta(minutes=25), RequestStatus.NEW)], service.id
    )
    await _request(
        session, "on time", [(now - timedelta(minutes=1), RequestStatus.NEW)], service.id
    )
    return now


async def test_breached_lists_the_requests_over_their_target_and_false_the_others(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    now = await _desk(session)

    breached = await data(client, REQUESTS, {"filter": {"breached": True}})
    not_breached = await data(client, REQUESTS, {"filter": {"breached": False}})

    filed = now - timedelta(hours=1)
    assert breached["serviceRequests"]["edges"] == [
        {
            "node": {
                "title": "breached",
                "breachAt": _iso(filed + RESPONSE),
                "warningAt": _iso(filed + RESPONSE_WARNING),
            }
        }
    ]
    assert breached["serviceRequests"]["totalCount"] == 1
    assert _titles(not_breached) == ["on time", "warning", "paused"]


async def test_warning_lists_the_requests_close_to_their_target_and_false_the_others(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    now = await _desk(session)

    warning = await data(client, REQUESTS, {"filter": {"warning": True}})
    not_warning = await data(client, REQUESTS, {"filter": {"warning": False}})

    filed = now - timedelta(minutes=25)
    assert warning["serviceRequests"]["edges"] == [
        {
            "node": {
                "title": "warning",
                "breachAt": _iso(filed + RESPONSE),
                "warningAt": _iso(filed + RESPONSE_WARNING),
            }
        }
    ]
    assert _titles(not_warning) == ["on time", "breached", "paused"]


async def test_clock_filters_combine_with_the_others(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _desk(session)

    waiting = await data(
        client,
        REQUESTS,
        {"filter": {"breached": False, "warning": False, "statuses": ["WAITING_ON_REQUESTER"]}},
    )
    both = await data(client, REQUESTS, {"filter": {"breached": True, "warning": True}})
    new_on_time = await data(
        client, REQUESTS, {"filter": {"breached": False, "warning": False, "statuses": ["NEW"]}}
    )

    assert _titles(waiting) == ["paused"]
    assert _titles(both) == []  # in warning means not yet breached
    assert _titles(new_on_time) == ["on time"]


async def test_pages_of_breached_requests_hold_each_once_newest_first(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    now = utcnow()
    service = await create_service(session, tier=Tier.TIER_1)
    for n in range(7):
        filed = now - timedelta(hours=1, minutes=n)
        await _request(session, f"late {n}", [(filed, RequestStatus.NEW)], service.id)
        await _request(
            session, f"fresh {n}", [(now - timedelta(seconds=n), RequestStatus.NEW)], service.id
        )

    seen: list[str] = []
    after = None
    while True:
        page = await data(
            client, REQUESTS, {"filter": {"breached": True}, "first": 3, "after": after}
        )
        assert page["serviceRequests"]["totalCount"] == 7
        seen += _titles(page)
        if not page["serviceRequests"]["pageInfo"]["hasNextPage"]:
            break
        after = page["serviceRequests"]["pageInfo"]["endCursor"]
        assert len(seen) < 20, "paging does not end"

    assert seen == [f"late {n}" for n in range(7)]


async def test_a_cursor_of_breached_requests_is_refused_for_the_others(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _desk(session)
    page = await data(client, REQUESTS, {"filter": {"breached": False}, "first": 1})
    cursor = page["serviceRequests"]["pageInfo"]["endCursor"]

    body = await gql(client, REQUESTS, {"filter": {"breached": True}, "first": 1, "after": cursor})

    (error,) = body["errors"]
    assert (body["data"], error["extensions"]["code"], error["message"]) == (
        None,
        "BAD_USER_INPUT",
        "the cursor belongs to another filter or order; start again without it",
    )


async def test_a_breached_filter_that_is_not_a_boolean_is_refused(
    client: httpx.AsyncClient,
) -> None:
    body = await gql(client, REQUESTS, {"filter": {"breached": "yes"}})

    (error,) = body["errors"]
    assert "data" not in body or body["data"] is None
    assert "Boolean cannot represent a non boolean value" in error["message"]


async def _domain_statements(
    client: httpx.AsyncClient, counter: StatementCounter, first: int
) -> int:
    counter.reset()
    page = await data(client, REQUESTS, {"filter": {"breached": True}, "first": first})
    assert len(page["serviceRequests"]["edges"]) == first
    return sum(
        1
        for sql in counter.statements
        if not sql.lstrip().upper().startswith(_NOT_DOMAIN) and "person.issuer =" not in sql
    )


@pytest.mark.read_path("resolvers")  # the prefetch path's statements
async def test_a_page_of_breached_requests_costs_the_same_statements_at_any_size(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    now = utcnow()
    service = await create_service(session, tier=Tier.TIER_1)
    for n in range(30):
        await _request(
            session,
            f"late {n}",
            [(now - timedelta(hours=2, minutes=n), RequestStatus.NEW)],
            service.id,
        )
    await data(client, "{ __typename }")  # provisions the development person first

    five = await _domain_statements(client, count_statements, 5)
    thirty = await _domain_statements(client, count_statements, 30)

    assert five == thirty == 2  # the page and its total count


async def test_incidents_filter_on_breached_and_warning(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    now = utcnow()
    service = await create_service(session, tier=Tier.TIER_1)
    # TIER_1 SEV1: acknowledge in 15 min (warning at 11 min 15 s), restore in 4 h (3 h).
    cases = {
        "unacknowledged": [(now - timedelta(minutes=20), IncidentStatus.DETECTED)],
        "acknowledging": [(now - timedelta(minutes=12), IncidentStatus.DETECTED)],
        "restoring": [
            (now - timedelta(hours=3, minutes=30), IncidentStatus.DETECTED),
            (now - timedelta(hours=3, minutes=25), IncidentStatus.ACKNOWLEDGED),
        ],
        "mitigated": [
            (now - timedelta(hours=5), IncidentStatus.DETECTED),
            (now - timedelta(hours=4, minutes=55), IncidentStatus.ACKNOWLEDGED),
            (now - timedelta(hours=4, minutes=30), IncidentStatus.MITIGATED),
        ],
    }
    for title, moves in cases.items():
        incident = await incident_with_moves(session, moves, service_ids=[service.id])
        incident.title = title
        await session.flush()
        await restamp_incidents(session, [incident.id])

    breached = await data(client, INCIDENTS, {"filter": {"breached": True}})
    warning = await data(client, INCIDENTS, {"filter": {"warning": True}})
    calm = await data(client, INCIDENTS, {"filter": {"breached": False, "warning": False}})

    detected = now - timedelta(minutes=20)
    assert breached["incidents"]["edges"] == [
        {
            "node": {
                "title": "unacknowledged",
                "breachAt": _iso(detected + timedelta(minutes=15)),
                "warningAt": _iso(detected + timedelta(minutes=11.25)),
            }
        }
    ]
    assert sorted(_titles(warning, "incidents")) == ["acknowledging", "restoring"]
    assert _titles(calm, "incidents") == ["mitigated"]
