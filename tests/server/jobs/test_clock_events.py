"""The `clock-events` job: each request and incident clock past its warning threshold or its
target is recorded once, and notified to the channels that want it, in one transaction."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catalog.services.models import Tier
from core.clock import utcnow
from core.ids import encode_global_id
from core.settings import Settings
from notifications.models import NotificationEvent
from notifications.notices.clock_events import clock_event_notices
from notifications.outbox import enqueue
from server.jobs import JOBS
from server.jobs.clock_events import record_clock_events
from service_levels import clock_events
from service_levels.clock_stamps import restamp_incidents, restamp_requests
from service_levels.models import ClockEvent
from tests.builders.catalog import create_service
from tests.builders.work import incident_with_moves, request_with_moves
from tests.conftest import StatementCounter
from tests.notifications.channel_builders import create_channel
from tests.notifications.producers import deliveries, job_context
from work.incidents.models import IncidentStatus, Severity
from work.requests.models import RequestStatus, ServiceRequest

WARNING = 75.0
CLOCK_EVENTS = [NotificationEvent.CLOCK_WARNING.value, NotificationEvent.CLOCK_BREACHED.value]


async def _p1_request(session: AsyncSession, filed: datetime, **service: Any) -> ServiceRequest:
    """A P1 request on a TIER_1 service (24x7: response 30 min, resolution 4 h), still NEW."""
    request = await request_with_moves(
        session, [(filed, RequestStatus.NEW)], tier=Tier.TIER_1, **service
    )
    await restamp_requests(session, [request.id], warning_percent=WARNING)
    return request


async def _recorded(session: AsyncSession, at: datetime) -> list[tuple[str, str]]:
    found = await clock_events.record_due(session, at, warning_percent=WARNING)
    return [(item.crossing.clock.value, item.crossing.threshold.value) for item in found]


def test_the_job_runs_every_minute() -> None:
    assert JOBS["clock-events"].every == timedelta(minutes=1)
    assert JOBS["clock-events"].run is record_clock_events


async def test_a_request_past_its_warning_then_its_target_records_each_once(
    session: AsyncSession,
) -> None:
    filed = datetime(2026, 12, 1, 9, tzinfo=utcnow().tzinfo)
    request = await _p1_request(session, filed)

    assert await _recorded(session, filed + timedelta(minutes=20)) == []
    assert await _recorded(session, filed + timedelta(minutes=25)) == [("RESPONSE", "WARNING")]
    assert await _recorded(session, filed + timedelta(minutes=31)) == [("RESPONSE", "BREACHED")]
    assert await _recorded(session, filed + timedelta(hours=3, minutes=1)) == [
        ("RESOLUTION", "WARNING")
    ]
    assert await _recorded(session, filed + timedelta(hours=5)) == [("RESOLUTION", "BREACHED")]
    assert await _recorded(session, filed + timedelta(hours=6)) == []

    rows = await session.scalars(
        select(ClockEvent).where(ClockEvent.subject_id == request.id).order_by(ClockEvent.id)
    )
    assert [(row.clock, row.threshold, row.crossed_at - filed) for row in rows] == [
        ("RESPONSE", "WARNING", timedelta(minutes=22, seconds=30)),
        ("RESPONSE", "BREACHED", timedelta(minutes=30)),
        ("RESOLUTION", "WARNING", timedelta(hours=3)),
        ("RESOLUTION", "BREACHED", timedelta(hours=4)),
    ]


async def test_a_first_run_after_both_thresholds_records_both(session: AsyncSession) -> None:
    filed = datetime(2026, 12, 1, 9, tzinfo=utcnow().tzinfo)
    await _p1_request(session, filed)

    assert sorted(await _recorded(session, filed + timedelta(minutes=40))) == [
        ("RESPONSE", "BREACHED"),
        ("RESPONSE", "WARNING"),
    ]


async def test_a_clock_stopped_in_time_records_nothing_for_it(session: AsyncSession) -> None:
    filed = datetime(2026, 12, 1, 9, tzinfo=utcnow().tzinfo)
    request = await request_with_moves(
        session,
        [
            (filed, RequestStatus.NEW),
            (filed + timedelta(minutes=10), RequestStatus.TRIAGED),
        ],
        tier=Tier.TIER_1,
    )
    await restamp_requests(session, [request.id], warning_percent=WARNING)

    assert await _recorded(session, filed + timedelta(hours=3, minutes=1)) == [
        ("RESOLUTION", "WARNING")
    ]


async def test_the_job_notifies_each_crossing_once_to_the_channels_that_want_it(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    settings: Settings,
) -> None:
    service = await create_service(session, tier=Tier.TIER_1, name="Portal")
    request = await _p1_request(session, utcnow() - timedelta(minutes=40), service_id=service.id)
    breaches = await create_channel(
        session, events=[NotificationEvent.CLOCK_BREACHED.value], service_ids=[service.id]
    )
    await create_channel(session, events=[NotificationEvent.SLA_BREACHED.value])
    other = await create_service(session)
    await create_channel(session, events=CLOCK_EVENTS, service_ids=[other.id])
    context = job_context(settings, engine, sessionmaker)

    assert await record_clock_events(context) == "recorded 1 warnings, 1 breaches"
    assert await record_clock_events(context) == "recorded 0 warnings, 0 breaches"

    [delivery] = await deliveries(session)
    event = await session.scalar(select(ClockEvent).where(ClockEvent.threshold == "BREACHED"))
    assert event is not None
    assert delivery.channel_id == breaches.id
    assert delivery.event_key == f"clock:REQUEST:{request.id}:RESPONSE:BREACHED"
    assert delivery.body["type"] == "clock.breached"
    data = dict(delivery.body["data"])
    due_at = data.pop("dueAt")
    assert datetime.fromisoformat(due_at) == event.crossed_at
    assert data == {
        "clockEventId": encode_global_id("ClockEvent", uuid.UUID(int=event.id)),
        "requestId": encode_global_id("ServiceRequest", request.id),
        "serviceId": encode_global_id("Service", service.id),
        "clock": "RESPONSE",
        "threshold": "BREACHED",
    }
    assert delivery.message["title"] == (
        "P1 request “Access to reports” breached its response target"
    )
    assert delivery.message["lines"][0] == "Service: Portal"


async def test_incident_clocks_reach_channels_severe_enough_only(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    settings: Settings,
) -> None:
    service = await create_service(session, tier=Tier.TIER_1)
    incident = await incident_with_moves(
        session,
        [(utcnow() - timedelta(hours=3), IncidentStatus.DETECTED)],
        service_ids=[service.id],
        severity=Severity.SEV3,
    )
    await restamp_incidents(session, [incident.id], warning_percent=WARNING)
    any_severity = await create_channel(session, events=CLOCK_EVENTS)
    await create_channel(session, events=CLOCK_EVENTS, min_severity=Severity.SEV2)

    await record_clock_events(job_context(settings, engine, sessionmaker))

    found = await deliveries(session)
    assert {item.channel_id for item in found} == {any_severity.id}
    assert {item.body["data"]["incidentId"] for item in found} == {
        encode_global_id("Incident", incident.id)
    }


async def test_a_run_rolled_back_records_and_notifies_nothing(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _p1_request(session, utcnow() - timedelta(minutes=40))
    await create_channel(session, events=CLOCK_EVENTS)

    async with sessionmaker() as job:
        recorded = await clock_events.record_due(job, utcnow(), warning_percent=WARNING)
        assert await enqueue(job, await clock_event_notices(job, recorded)) == 2
        await job.rollback()  # the job failed after writing

    assert await deliveries(session) == []
    assert list(await session.scalars(select(ClockEvent))) == []


async def test_statements_per_run_do_not_grow_with_the_records(
    session: AsyncSession, count_statements: StatementCounter
) -> None:
    filed = datetime(2026, 12, 1, 9, tzinfo=utcnow().tzinfo)
    service = await create_service(session, tier=Tier.TIER_1)
    await _p1_request(session, filed, service_id=service.id)
    count_statements.reset()
    assert len(await _recorded(session, filed + timedelta(minutes=40))) == 2
    one = count_statements.count
    for _ in range(5):
        await _p1_request(session, filed, service_id=service.id)
    count_statements.reset()
    recorded = await clock_events.record_due(
        session, filed + timedelta(minutes=40), warning_percent=WARNING
    )
    assert len(recorded) == 10
    assert count_statements.count == one

    count_statements.reset()
    assert len(await clock_event_notices(session, recorded)) == 10
    assert count_statements.count == 2  # the requests, and their services
