"""SLA clocks stamped into SQL: every move's elapsed seconds, targets, warning and breach
times, and the record's warning_at and breach_at."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services import actions as services
from catalog.services.calendar import BusinessCalendar, Weekday, WeeklyHours
from catalog.services.models import Service, Tier
from core.history import RecordVersion
from core.settings import Settings
from identity.principal import Principal, Role
from server import subscribers
from service_levels import actions as service_levels
from service_levels.clock_stamps import restamp_incidents, restamp_requests
from service_levels.policy_defaults import ClockSubject
from tests.builders.catalog import create_service
from tests.builders.identity import create_person
from tests.builders.work import incident_with_moves, request_with_moves
from work.incidents.models import (
    IncidentStatus,
    IncidentStatusChange,
)
from work.requests import actions as requests
from work.requests.models import (
    Level,
    RequestStatus,
    RequestStatusChange,
    ServiceRequest,
)

MONDAY = datetime(2026, 11, 30, 8, tzinfo=UTC)  # 09:00 in Paris
WEEKDAYS = (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY)
PARIS_OFFICE = BusinessCalendar(
    "Europe/Paris", tuple(WeeklyHours(day, time(9), time(17)) for day in WEEKDAYS), ()
)
HOURS_4 = timedelta(hours=4)
ADMIN = Principal(subject="admin", issuer="test", granted_roles=frozenset({Role.ADMIN}))


async def _request(
    session: AsyncSession, moves: list[tuple[datetime, RequestStatus]], **service: Any
) -> ServiceRequest:
    return await request_with_moves(session, moves, **service)


async def _record_stamps(
    session: AsyncSession, request_id: uuid.UUID
) -> tuple[datetime | None, datetime | None]:
    row = (
        await session.execute(
            select(ServiceRequest.warning_at, ServiceRequest.breach_at).where(
                ServiceRequest.id == request_id
            )
        )
    ).one()
    return row[0], row[1]


async def _stamps(session: AsyncSession, request_id: uuid.UUID) -> list[tuple[Any, ...]]:
    rows = await session.execute(
        select(
            RequestStatusChange.to_status,
            RequestStatusChange.response_elapsed_s,
            RequestStatusChange.resolution_elapsed_s,
            RequestStatusChange.response_target_s,
            RequestStatusChange.resolution_target_s,
            RequestStatusChange.warning_at,
            RequestStatusChange.breach_at,
        )
        .where(RequestStatusChange.request_id == request_id)
        .order_by(RequestStatusChange.at, RequestStatusChange.id)
    )
    return [tuple(row) for row in rows]


async def test_each_move_stores_both_clocks_their_targets_and_the_first_warning_and_breach(
    session: AsyncSession,
) -> None:
    # TIER_1 P1: respond in 30 min, resolve in 4 h, Paris office hours.
    request = await _request(
        session,
        [
            (MONDAY, RequestStatus.NEW),
            (MONDAY + timedelta(minutes=20), RequestStatus.TRIAGED),
            (MONDAY + timedelta(hours=1), RequestStatus.IN_PROGRESS),
            (MONDAY + timedelta(hours=2), RequestStatus.WAITING_ON_REQUESTER),
        ],
        tier=Tier.TIER_1,
        business_calendar=PARIS_OFFICE.to_json(),
    )

    await restamp_requests(session, [request.id])

    # Warning at 75 %: 22 min 30 s of the response, 3 h of the resolution.
    response_warns, resolution_warns = MONDAY + timedelta(minutes=22.5), MONDAY + timedelta(hours=3)
    assert await _stamps(session, request.id) == [
        (RequestStatus.NEW, 0, 0, 1800, 14400, response_warns, MONDAY + timedelta(minutes=30)),
        (RequestStatus.TRIAGED, 1200, 1200, 1800, 14400, resolution_warns, MONDAY + HOURS_4),
        (RequestStatus.IN_PROGRESS, 1200, 3600, 1800, 14400, resolution_warns, MONDAY + HOURS_4),
        (RequestStatus.WAITING_ON_REQUESTER, 1200, 7200, 1800, 14400, None, None),
    ]
    # Waiting on the requester: nothing runs, nothing warns or breaches.
    assert (await _record_stamps(session, request.id)) == (None, None)


async def test_the_record_keeps_the_warning_and_breach_of_its_last_move(
    session: AsyncSession,
) -> None:
    request = await _request(
        session,
        [(MONDAY, RequestStatus.NEW), (MONDAY + timedelta(minutes=20), RequestStatus.TRIAGED)],
        tier=Tier.TIER_1,
    )

    await restamp_requests(session, [request.id])

    # 24x7: 3 h of the 4 h resolution is the warning, wherever the response clock stood.
    assert (await _record_stamps(session, request.id)) == (
        MONDAY + timedelta(hours=3),
        MONDAY + HOURS_4,
    )


async def test_the_warning_threshold_is_the_one_given(session: AsyncSession) -> None:
    request = await _request(session, [(MONDAY, RequestStatus.NEW)], tier=Tier.TIER_1)

    await restamp_requests(session, [request.id], warning_percent=50)

    assert (await _record_stamps(session, request.id)) == (
        MONDAY + timedelta(minutes=15),
        MONDAY + timedelta(minutes=30),
    )


async def test_a_resumed_clock_breaches_in_the_next_business_day(session: AsyncSession) -> None:
    # Filed Monday 09:00, triaged 09:10, in progress; at 16:00 3 h 50 of the 4 h remain...
    request = await _request(
        session,
        [
            (MONDAY, RequestStatus.NEW),
            (MONDAY + timedelta(minutes=10), RequestStatus.TRIAGED),
            (MONDAY + timedelta(hours=7), RequestStatus.WAITING_ON_REQUESTER),
            (MONDAY + timedelta(hours=7, minutes=30), RequestStatus.IN_PROGRESS),
        ],
        tier=Tier.TIER_2,  # P1 on TIER_2: resolve in 8 h
        business_calendar=PARIS_OFFICE.to_json(),
    )

    await restamp_requests(session, [request.id])

    # 7 h ran on Monday until 16:00; 30 min left of Monday from 16:30, 30 min on Tuesday.
    breach_at = await session.scalar(
        select(ServiceRequest.breach_at).where(ServiceRequest.id == request.id)
    )
    assert breach_at == MONDAY + timedelta(days=1, minutes=30)


async def test_stamping_makes_no_new_version_and_no_history(session: AsyncSession) -> None:
    request = await _request(session, [(MONDAY, RequestStatus.NEW)])
    versions = (
        select(func.count()).select_from(RecordVersion).where(RecordVersion.record_id == request.id)
    )
    before = await session.scalar(versions)

    await restamp_requests(session, [request.id])

    refreshed = await session.get(ServiceRequest, request.id, populate_existing=True)
    assert refreshed is not None
    assert refreshed.version == 1
    assert refreshed.breach_at == MONDAY + timedelta(hours=1)  # TIER_2 P1 response: 1 h
    assert await session.scalar(versions) == before


async def test_an_incident_is_held_to_its_most_critical_service(session: AsyncSession) -> None:
    minor = await create_service(session, tier=Tier.TIER_4)
    critical = await create_service(session, tier=Tier.TIER_1)
    incident = await incident_with_moves(
        session,
        [
            (MONDAY, IncidentStatus.DETECTED),
            (MONDAY + timedelta(minutes=5), IncidentStatus.ACKNOWLEDGED),
        ],
        service_ids=[minor.id, critical.id],
    )

    await restamp_incidents(session, [incident.id])

    # TIER_1 SEV1: acknowledge in 15 min, restore in 4 h, 24x7.
    rows = await session.execute(
        select(
            IncidentStatusChange.response_elapsed_s,
            IncidentStatusChange.response_target_s,
            IncidentStatusChange.resolution_target_s,
            IncidentStatusChange.warning_at,
            IncidentStatusChange.breach_at,
        )
        .where(IncidentStatusChange.incident_id == incident.id)
        .order_by(IncidentStatusChange.at)
    )
    assert [tuple(row) for row in rows] == [
        (0, 900, 14400, MONDAY + timedelta(minutes=11.25), MONDAY + timedelta(minutes=15)),
        (300, 900, 14400, MONDAY + timedelta(hours=3), MONDAY + HOURS_4),
    ]


async def test_filing_a_request_stamps_it_through_the_domain_event(
    session: AsyncSession,
) -> None:
    subscribers.wire()
    service = await create_service(session, tier=Tier.TIER_1)
    person = await create_person(session)

    request = await requests.create_request(
        session,
        principal=ADMIN,
        service_id=service.id,
        requester_id=person.id,
        fields=requests.RequestFields(title="Down", impact=Level.CRITICAL, urgency=Level.CRITICAL),
    )

    assert request.version == 1
    assert request.breach_at == request.created_at + timedelta(minutes=30)
    assert request.warning_at == request.created_at + timedelta(minutes=22.5)


async def test_stamps_follow_the_configured_warning_percent(
    session: AsyncSession, settings: Settings
) -> None:
    subscribers.wire(settings.model_copy(update={"sla_warning_percent": 50}))
    try:
        service = await create_service(session, tier=Tier.TIER_1)
        person = await create_person(session)
        request = await requests.create_request(
            session,
            principal=ADMIN,
            service_id=service.id,
            requester_id=person.id,
            fields=requests.RequestFields(
                title="Down", impact=Level.CRITICAL, urgency=Level.CRITICAL
            ),
        )
    finally:
        subscribers.wire(settings)

    assert request.warning_at == request.created_at + timedelta(minutes=15)


async def test_a_policy_change_re_stamps_the_open_requests(session: AsyncSession) -> None:
    request = await _request(session, [(MONDAY, RequestStatus.NEW)], tier=Tier.TIER_1)
    owner_team = await session.scalar(
        select(ServiceRequest.service_id).where(ServiceRequest.id == request.id)
    )
    assert owner_team is not None

    await service_levels.update_clock_policy(
        session,
        principal=ADMIN,
        service_id=owner_team,
        version=0,
        changes=[service_levels.TargetChange(ClockSubject.P1, 600, None)],
    )

    breach_at = await session.scalar(
        select(ServiceRequest.breach_at).where(ServiceRequest.id == request.id)
    )
    assert breach_at == MONDAY + timedelta(minutes=10)


async def test_a_tier_change_re_stamps_the_services_open_requests(session: AsyncSession) -> None:
    subscribers.wire()
    request = await _request(session, [(MONDAY, RequestStatus.NEW)], tier=Tier.TIER_2)
    await restamp_requests(session, [request.id])
    service = await session.get(Service, request.service_id)
    assert service is not None

    await services.update_service(
        session,
        principal=ADMIN,
        service_id=service.id,
        version=service.version,
        changes={"tier": Tier.TIER_1},
    )

    breach_at = await session.scalar(
        select(ServiceRequest.breach_at).where(ServiceRequest.id == request.id)
    )
    assert breach_at == MONDAY + timedelta(minutes=30)
