"""The clock-restamp job: open requests and incidents whose SLA stamps are missing, or older
than their service's calendar or clock policy, are re-stamped once; the rest are left alone."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catalog.services.calendar import BusinessCalendar, Weekday, WeeklyHours
from catalog.services.models import Service, Tier
from core.db import make_engine, make_sessionmaker
from core.settings import load_settings
from server.jobs import JOBS, JobContext, restamp_clocks
from service_levels.clock_stamps import restamp_incidents, restamp_requests
from service_levels.models import ClockPolicy
from service_levels.stale_stamps import restamp_stale
from tests.builders.catalog import create_service
from tests.builders.work import incident_with_moves, request_with_moves
from tests.conftest import StatementCounter
from work.incidents.models import IncidentStatus, IncidentStatusChange
from work.requests.models import RequestStatus, RequestStatusChange, ServiceRequest

MONDAY = datetime(2026, 11, 30, 7, tzinfo=UTC)  # 08:00 in Paris, before the office opens
WEEKDAYS = (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY)
PARIS_OFFICE = BusinessCalendar(
    "Europe/Paris", tuple(WeeklyHours(day, time(9), time(17)) for day in WEEKDAYS), ()
)
NOTHING = "re-stamped 0 requests, 0 incidents"


@pytest.fixture
async def engine(fresh_database: str) -> AsyncIterator[AsyncEngine]:
    made = make_engine(fresh_database)
    yield made
    await made.dispose()


def _context(engine: AsyncEngine) -> JobContext:
    settings = load_settings(database_url="postgresql://unused/unused", _env_file=None)
    return JobContext(settings, engine, make_sessionmaker(engine))


async def _request_stamps(session: AsyncSession, request_id: uuid.UUID) -> list[tuple[Any, ...]]:
    moves = await session.execute(
        select(
            RequestStatusChange.response_elapsed_s,
            RequestStatusChange.resolution_elapsed_s,
            RequestStatusChange.response_target_s,
            RequestStatusChange.resolution_target_s,
            RequestStatusChange.warning_at,
            RequestStatusChange.breach_at,
        )
        .where(RequestStatusChange.request_id == request_id)
        .order_by(RequestStatusChange.at)
    )
    record = await session.execute(
        select(ServiceRequest.warning_at, ServiceRequest.breach_at).where(
            ServiceRequest.id == request_id
        )
    )
    return [tuple(row) for row in moves] + [tuple(record.one())]


async def _null_out(engine: AsyncEngine, table: str, key: str, record_id: uuid.UUID) -> None:
    """Stamps gone, as in rows from before they were stamped."""
    async with engine.begin() as connection:
        await connection.execute(
            text(
                f"UPDATE {table}_status_change SET response_elapsed_s = NULL,"
                " resolution_elapsed_s = NULL, response_target_s = NULL,"
                " resolution_target_s = NULL, warning_at = NULL, breach_at = NULL"
                f" WHERE {key} = :id"
            ),
            {"id": record_id},
        )
        await connection.execute(
            text(f"UPDATE {table} SET warning_at = NULL, breach_at = NULL WHERE id = :id"),
            {"id": record_id},
        )


def test_the_job_runs_every_ten_minutes() -> None:
    assert JOBS["clock-restamp"].every == timedelta(minutes=10)
    assert JOBS["clock-restamp"].run is restamp_clocks


async def test_stamps_nulled_out_come_back_and_a_second_run_restamps_nothing(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        service = await create_service(session, tier=Tier.TIER_1)
        moves = [
            (MONDAY, RequestStatus.NEW),
            (MONDAY + timedelta(minutes=10), RequestStatus.TRIAGED),
        ]
        stripped = await request_with_moves(session, moves, service_id=service.id)
        kept = await request_with_moves(session, moves, service_id=service.id)
        closed = await request_with_moves(
            session,
            [*moves, (MONDAY + timedelta(hours=1), RequestStatus.REJECTED)],
            service_id=service.id,
        )
        incident = await incident_with_moves(
            session, [(MONDAY, IncidentStatus.DETECTED)], service_ids=[service.id]
        )
        await restamp_requests(session, [stripped.id, kept.id])
        await restamp_incidents(session, [incident.id])
    async with sessions() as session:
        stamped = await _request_stamps(session, stripped.id)
    await _null_out(engine, "service_request", "request_id", stripped.id)
    await _null_out(engine, "incident", "incident_id", incident.id)

    first = await restamp_clocks(_context(engine))
    second = await restamp_clocks(_context(engine))

    assert (first, second) == ("re-stamped 1 requests, 1 incidents", NOTHING)
    async with sessions() as session:
        assert await _request_stamps(session, stripped.id) == stamped
        # TIER_1 SEV1: acknowledge in 15 min (warning at 75 %), restore in 4 h.
        incident_stamps = await session.execute(
            select(
                IncidentStatusChange.response_target_s,
                IncidentStatusChange.resolution_target_s,
                IncidentStatusChange.warning_at,
                IncidentStatusChange.breach_at,
            ).where(IncidentStatusChange.incident_id == incident.id)
        )
        assert [tuple(row) for row in incident_stamps] == [
            (900, 14400, MONDAY + timedelta(minutes=11.25), MONDAY + timedelta(minutes=15))
        ]
        # A closed record is left as it is.
        closed_targets = await session.scalars(
            select(RequestStatusChange.response_target_s).where(
                RequestStatusChange.request_id == closed.id
            )
        )
        assert list(closed_targets) == [None, None, None]


async def test_a_calendar_changed_without_a_restamp_restamps_the_services_open_requests(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        service = await create_service(session, tier=Tier.TIER_2)
        request = await request_with_moves(
            session, [(MONDAY, RequestStatus.NEW)], service_id=service.id
        )
        await restamp_requests(session, [request.id])
    # Changed straight in SQL (an import, a fix by hand): no domain event, no re-stamp.
    async with engine.begin() as connection:
        await connection.execute(
            update(Service)
            .where(Service.id == service.id)
            .values(business_calendar=PARIS_OFFICE.to_json(), updated_at=func.now())
        )

    first = await restamp_clocks(_context(engine))
    second = await restamp_clocks(_context(engine))

    assert (first, second) == ("re-stamped 1 requests, 0 incidents", NOTHING)
    async with sessions() as session:
        breach_at = await session.scalar(
            select(ServiceRequest.breach_at).where(ServiceRequest.id == request.id)
        )
    # TIER_2 P1: respond within 1 business hour, counted from 09:00 in Paris.
    assert breach_at == MONDAY + timedelta(hours=2)


async def test_a_policy_stored_without_a_restamp_restamps_the_services_open_requests(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        service = await create_service(session, tier=Tier.TIER_2)
        request = await request_with_moves(
            session, [(MONDAY, RequestStatus.NEW)], service_id=service.id
        )
        await restamp_requests(session, [request.id])
    async with sessions() as session, session.begin():
        session.add(
            ClockPolicy(
                id=uuid.uuid4(),
                service_id=service.id,
                targets={"P1": {"response": 600, "resolution": 3600}},
            )
        )

    first = await restamp_clocks(_context(engine))
    second = await restamp_clocks(_context(engine))

    assert (first, second) == ("re-stamped 1 requests, 0 incidents", NOTHING)
    async with sessions() as session:
        assert await _request_stamps(session, request.id) == [
            (0, 0, 600, 3600, MONDAY + timedelta(minutes=7.5), MONDAY + timedelta(minutes=10)),
            (MONDAY + timedelta(minutes=7.5), MONDAY + timedelta(minutes=10)),
        ]


async def _stale_requests(sessions: async_sessionmaker[AsyncSession], count: int) -> None:
    """Requests never stamped, as rows from before the stamps."""
    async with sessions() as session, session.begin():
        service = await create_service(session)
        for _ in range(count):
            await request_with_moves(session, [(MONDAY, RequestStatus.NEW)], service_id=service.id)


async def test_batches_walk_every_stale_record_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _stale_requests(sessions, 5)

    first = await restamp_stale(sessions, warning_percent=75, batch_size=2)
    second = await restamp_stale(sessions, warning_percent=75, batch_size=2)

    assert (first.requests, second.requests) == (5, 0)


async def _statements(
    sessions: async_sessionmaker[AsyncSession], counter: StatementCounter, stale: int
) -> int:
    await _stale_requests(sessions, stale)
    counter.reset()
    report = await restamp_stale(sessions, warning_percent=75)
    assert report.requests == stale
    return counter.count


async def test_a_batch_costs_the_same_statements_however_many_records_it_holds(
    sessions: async_sessionmaker[AsyncSession], count_statements: StatementCounter
) -> None:
    three = await _statements(sessions, count_statements, 3)
    thirty = await _statements(sessions, count_statements, 30)

    assert three == thirty
