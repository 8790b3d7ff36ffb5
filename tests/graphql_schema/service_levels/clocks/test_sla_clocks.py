"""responseClock and resolutionClock on requests and incidents: now, asOf, breach filters."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.calendar import BusinessCalendar, Weekday, WeeklyHours
from catalog.services.models import Tier
from core.clock import utcnow
from service_levels.clock_stamps import restamp_incidents, restamp_requests
from tests.builders.catalog import create_service
from tests.builders.work import incident_with_moves, request_with_moves
from tests.conftest import StatementCounter
from tests.graphql import data
from work.incidents.models import IncidentStatus
from work.requests.models import Priority, RequestStatus

MONDAY = datetime(2026, 11, 30, 8, tzinfo=UTC)  # 09:00 in Paris
WEEKDAYS = (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY)
PARIS_OFFICE = BusinessCalendar(
    "Europe/Paris", tuple(WeeklyHours(day, time(9), time(17)) for day in WEEKDAYS), ()
)
CLOCK = """
  phase elapsedSeconds targetSeconds remainingSeconds percent warning breached met
  breachAt warningAt
"""
REQUESTS = f"""
query Requests($first: Int!, $asOf: DateTime, $before: DateTime) {{
  serviceRequests(first: $first, filter: {{ breachingBefore: $before }}) {{
    edges {{ node {{
      title
      responseClock(asOf: $asOf) {{ {CLOCK} }}
      resolutionClock(asOf: $asOf) {{ {CLOCK} }}
    }} }}
  }}
}}
"""
INCIDENTS = f"""
query Incidents($first: Int!, $asOf: DateTime) {{
  incidents(first: $first) {{
    edges {{ node {{
      responseClock(asOf: $asOf) {{ {CLOCK} }}
      resolutionClock(asOf: $asOf) {{ {CLOCK} }}
    }} }}
  }}
}}
"""


def _iso(instant: datetime) -> str:
    return instant.isoformat()


def _clock(**fields: Any) -> dict[str, Any]:
    return {
        "phase": "RUNNING",
        "warning": False,
        "breached": False,
        "met": False,
        "warningAt": None,
        "breachAt": None,
        **fields,
    }


async def test_a_request_answers_its_clocks_in_business_hours_as_of_a_past_moment(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # TIER_1 P1 in Paris office hours: respond in 30 min, resolve in 4 h. Filed Monday
    # 16:40; triaged Tuesday 09:15 (20 min Monday + 15 min Tuesday: 5 min late).
    filed = MONDAY + timedelta(hours=7, minutes=40)
    triaged = MONDAY + timedelta(days=1, minutes=15)
    request = await request_with_moves(
        session,
        [(filed, RequestStatus.NEW), (triaged, RequestStatus.TRIAGED)],
        tier=Tier.TIER_1,
        business_calendar=PARIS_OFFICE.to_json(),
    )
    await restamp_requests(session, [request.id])

    monday_evening = await data(
        client, REQUESTS, {"first": 5, "asOf": _iso(MONDAY + timedelta(hours=10))}
    )
    tuesday = await data(client, REQUESTS, {"first": 5, "asOf": _iso(triaged)})

    node = monday_evening["serviceRequests"]["edges"][0]["node"]
    assert node["responseClock"] == _clock(
        elapsedSeconds=1200,
        targetSeconds=1800,
        remainingSeconds=600,
        percent=66.67,
        warningAt=_iso(MONDAY + timedelta(days=1, minutes=2, seconds=30)),
        breachAt=_iso(MONDAY + timedelta(days=1, minutes=10)),
    )
    assert node["resolutionClock"]["breachAt"] == _iso(
        MONDAY + timedelta(days=1, hours=3, minutes=40)
    )
    response = tuesday["serviceRequests"]["edges"][0]["node"]["responseClock"]
    assert response == _clock(
        phase="STOPPED",
        elapsedSeconds=2100,
        targetSeconds=1800,
        remainingSeconds=0,
        percent=116.67,
        warning=True,
        breached=True,
        warningAt=_iso(MONDAY + timedelta(days=1, minutes=2, seconds=30)),
        breachAt=_iso(MONDAY + timedelta(days=1, minutes=10)),
    )


async def test_before_it_was_filed_a_request_has_no_clock(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await request_with_moves(session, [(MONDAY, RequestStatus.NEW)])

    result = await data(client, REQUESTS, {"first": 5, "asOf": _iso(MONDAY - timedelta(1))})

    node = result["serviceRequests"]["edges"][0]["node"]
    assert node["responseClock"] is None
    assert node["resolutionClock"] is None


async def test_what_breaches_in_the_next_four_hours_is_one_paged_query(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    now = utcnow()
    service = await create_service(session, tier=Tier.TIER_1)  # 24x7
    soon = await request_with_moves(  # resolution (4 h) breaches in 1 h
        session,
        [(now - timedelta(hours=3), RequestStatus.NEW), (now, RequestStatus.TRIAGED)],
        service_id=service.id,
    )
    later = await request_with_moves(  # P2: resolution (8 h) breaches in 7 h 50
        session,
        [
            (now - timedelta(minutes=10), RequestStatus.NEW),
            (now - timedelta(minutes=5), RequestStatus.TRIAGED),
            (now, RequestStatus.IN_PROGRESS),
        ],
        service_id=service.id,
        priority=Priority.P2,
    )
    waiting = await request_with_moves(  # paused: never breaches while waiting
        session,
        [
            (now - timedelta(hours=3, minutes=50), RequestStatus.NEW),
            (now - timedelta(hours=3), RequestStatus.IN_PROGRESS),
            (now, RequestStatus.WAITING_ON_REQUESTER),
        ],
        service_id=service.id,
    )
    soon.title, later.title, waiting.title = "soon", "later", "waiting"
    await session.flush()
    await restamp_requests(session, [soon.id, later.id, waiting.id])

    result = await data(client, REQUESTS, {"first": 10, "before": _iso(now + timedelta(hours=4))})

    assert [edge["node"]["title"] for edge in result["serviceRequests"]["edges"]] == ["soon"]


async def test_an_incident_answers_its_acknowledge_and_restore_clocks(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, tier=Tier.TIER_1)
    incident = await incident_with_moves(
        session,
        [
            (MONDAY, IncidentStatus.DETECTED),
            (MONDAY + timedelta(minutes=5), IncidentStatus.ACKNOWLEDGED),
            (MONDAY + timedelta(hours=1), IncidentStatus.MITIGATED),
        ],
        service_ids=[service.id],
    )
    await restamp_incidents(session, [incident.id])

    result = await data(client, INCIDENTS, {"first": 5, "asOf": _iso(MONDAY + timedelta(hours=2))})

    node = result["incidents"]["edges"][0]["node"]
    assert node["responseClock"] == _clock(
        phase="STOPPED",
        elapsedSeconds=300,
        targetSeconds=900,
        remainingSeconds=600,
        percent=33.33,
        met=True,
    )
    assert node["resolutionClock"] == _clock(
        phase="STOPPED",
        elapsedSeconds=3600,
        targetSeconds=14400,
        remainingSeconds=10800,
        percent=25.0,
        met=True,
    )


async def test_clocks_of_a_page_of_requests_cost_a_constant_number_of_statements(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    service = await create_service(session, business_calendar=PARIS_OFFICE.to_json())
    for index in range(12):
        await request_with_moves(
            session,
            [
                (MONDAY + timedelta(minutes=index), RequestStatus.NEW),
                (MONDAY + timedelta(hours=1), RequestStatus.TRIAGED),
            ],
            service_id=service.id,
        )
    await data(client, "{ viewer { roles } }")

    count_statements.reset()
    small = await data(client, REQUESTS, {"first": 2})
    at_two = count_statements.count
    count_statements.reset()
    large = await data(client, REQUESTS, {"first": 12})
    at_twelve = count_statements.count

    assert len(small["serviceRequests"]["edges"]) == 2
    assert len(large["serviceRequests"]["edges"]) == 12
    assert at_two == at_twelve, (at_two, at_twelve)


SUMMARY = """
query Summary($slug: String!) {
  service(slug: $slug) { slaClockSummary { running breached breachingSoon } }
}
"""


async def test_a_service_counts_its_running_breached_and_soon_breaching_clocks(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    now = utcnow()
    service = await create_service(session, slug="billing", tier=Tier.TIER_1)
    ids = []
    for filed in (now - timedelta(hours=5), now - timedelta(minutes=20), now):
        request = await request_with_moves(  # P1 response: 30 min
            session, [(filed, RequestStatus.NEW)], service_id=service.id
        )
        ids.append(request.id)
    await restamp_requests(session, ids)

    result = await data(client, SUMMARY, {"slug": "billing"})

    assert result["service"]["slaClockSummary"] == {
        "running": 3,
        "breached": 1,
        "breachingSoon": 2,
    }
