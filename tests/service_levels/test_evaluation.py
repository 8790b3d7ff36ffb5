"""The evaluation job records SLA events once per (objective, window, kind)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from catalog.services.models import Service, Tier
from core.db import make_engine, make_sessionmaker
from identity.principal import Principal, Role
from service_levels.evaluation import EvaluationSummary, evaluate_objectives
from service_levels.models import (
    Comparator,
    Metric,
    Objective,
    Sla,
    SlaEvent,
    SlaEventKind,
    WindowKind,
)
from service_levels.sla_actions import ObjectiveSpec, update_sla
from tests.builders.catalog import create_service
from tests.builders.service_levels import AS_OF, create_sla, responses
from tests.conftest import StatementCounter

ADMIN = Principal(subject="admin", issuer="test", granted_roles=frozenset({Role.ADMIN}))
LATE, ON_TIME = 45, 10  # minutes to respond, against a 30-minute target


async def _events(session: AsyncSession, sla_id: uuid.UUID) -> list[tuple[SlaEventKind, float]]:
    rows = await session.execute(
        select(SlaEvent.kind, SlaEvent.value).where(SlaEvent.sla_id == sla_id).order_by(SlaEvent.id)
    )
    return [(row.kind, row.value) for row in rows]


async def test_a_breaching_objective_is_recorded_once_over_three_runs(
    session: AsyncSession,
) -> None:
    service = await create_service(session, tier=Tier.TIER_1)
    await responses(session, service.id, [ON_TIME, LATE], at=AS_OF - timedelta(days=2))
    sla = await create_sla(session, service.id, 0.9)

    runs = [
        await evaluate_objectives(session, AS_OF + timedelta(minutes=5 * run)) for run in range(3)
    ]

    assert [run.breaches for run in runs] == [1, 0, 0]
    assert await _events(session, sla.id) == [(SlaEventKind.SLA_BREACHED, 0.5)]
    event = await session.scalar(select(SlaEvent).where(SlaEvent.sla_id == sla.id))
    assert event is not None
    assert (event.service_id, event.target, event.error_budget) == (service.id, 0.9, 0.0)
    assert event.window_start <= AS_OF - timedelta(days=2) < AS_OF <= event.window_end


async def test_a_rolling_window_records_once_a_day_as_its_start_moves(
    session: AsyncSession,
) -> None:
    service = await create_service(session, tier=Tier.TIER_1)
    await responses(session, service.id, [LATE], at=AS_OF - timedelta(days=1))
    sla = await create_sla(session, service.id, 0.9, rolling_days=7)

    for hours in (0, 3, 6):  # the same local day: the same window
        await evaluate_objectives(session, AS_OF + timedelta(hours=hours))
    await evaluate_objectives(session, AS_OF + timedelta(days=1))  # the next window

    starts = await session.scalars(
        select(SlaEvent.window_start).where(SlaEvent.sla_id == sla.id).order_by(SlaEvent.id)
    )
    assert list(starts) == [
        datetime(2026, 11, 4, tzinfo=UTC),
        datetime(2026, 11, 5, tzinfo=UTC),
    ]


async def test_at_risk_met_and_no_data_objectives(session: AsyncSession) -> None:
    service = await create_service(session, tier=Tier.TIER_1)
    await responses(session, service.id, [ON_TIME, ON_TIME, LATE], at=AS_OF - timedelta(days=1))
    # 2/3 met: 0.6 leaves a sixth of the budget (at risk), 0.5 a third (met).
    at_risk = await create_sla(session, service.id, 0.6)
    met = await create_sla(session, service.id, 0.5)
    quiet = await create_service(session, tier=Tier.TIER_1)
    no_data = await create_sla(session, quiet.id, 0.9)

    summary = await evaluate_objectives(session, AS_OF)

    assert summary == EvaluationSummary(objectives=3, breaches=0, at_risk=1, recoveries=0)
    assert str(summary) == "evaluated 3 objectives, recorded 0 breaches, 1 at risk, 0 recoveries"
    [(kind, value)] = await _events(session, at_risk.id)
    assert kind == SlaEventKind.SLA_AT_RISK
    assert value == pytest.approx(2 / 3)
    assert await _events(session, met.id) == []
    assert await _events(session, no_data.id) == []


async def test_a_recovery_is_recorded_once_and_a_second_breach_not_at_all(
    session: AsyncSession,
) -> None:
    service = await create_service(session, tier=Tier.TIER_1)
    await responses(session, service.id, [LATE], at=AS_OF - timedelta(days=3))
    sla = await create_sla(session, service.id, 0.5)
    await evaluate_objectives(session, AS_OF - timedelta(days=3) + timedelta(hours=1))

    # Three on-time responses bring it to 3/4 (met), twice; then late ones breach it again.
    await responses(session, service.id, [ON_TIME] * 3, at=AS_OF - timedelta(days=2))
    recovered = await evaluate_objectives(session, AS_OF - timedelta(days=1))
    again = await evaluate_objectives(session, AS_OF)
    await responses(session, service.id, [LATE] * 4, at=AS_OF - timedelta(hours=1))
    breached_again = await evaluate_objectives(session, AS_OF)

    assert (recovered.recoveries, again.recoveries, breached_again.breaches) == (1, 0, 0)
    assert await _events(session, sla.id) == [
        (SlaEventKind.SLA_BREACHED, 0.0),
        (SlaEventKind.SLA_RECOVERED, 0.75),
    ]


async def test_an_objective_met_throughout_records_no_recovery(session: AsyncSession) -> None:
    service = await create_service(session, tier=Tier.TIER_1)
    await responses(session, service.id, [ON_TIME], at=AS_OF - timedelta(days=1))
    sla = await create_sla(session, service.id, 0.5)

    summary = await evaluate_objectives(session, AS_OF)

    assert summary.recoveries == 0
    assert await _events(session, sla.id) == []


async def test_archived_slas_and_services_are_not_evaluated(session: AsyncSession) -> None:
    service = await create_service(session, tier=Tier.TIER_1)
    await responses(session, service.id, [LATE], at=AS_OF - timedelta(days=1))
    archived_sla = await create_sla(session, service.id, 0.9, archived_at=AS_OF)
    retired = await create_service(session, tier=Tier.TIER_1)
    await responses(session, retired.id, [LATE], at=AS_OF - timedelta(days=1))
    on_archived_service = await create_sla(session, retired.id, 0.9)
    await session.execute(update(Service).where(Service.id == retired.id).values(archived_at=AS_OF))

    summary = await evaluate_objectives(session, AS_OF)

    assert summary == EvaluationSummary()
    assert await _events(session, archived_sla.id) == []
    assert await _events(session, on_archived_service.id) == []


async def test_objectives_are_evaluated_in_batches_with_flat_statements(
    session: AsyncSession, count_statements: StatementCounter
) -> None:
    slas: list[Sla] = []
    for _ in range(6):
        service = await create_service(session, tier=Tier.TIER_1)
        await responses(session, service.id, [LATE], at=AS_OF - timedelta(days=1))
        slas.append(await create_sla(session, service.id, 0.9, 0.8))

    count_statements.reset()
    summary = await evaluate_objectives(session, AS_OF, batch_size=100)
    one_batch = count_statements.count
    await session.execute(delete(SlaEvent).where(SlaEvent.sla_id.in_([sla.id for sla in slas])))
    count_statements.reset()
    batched = await evaluate_objectives(session, AS_OF, batch_size=5)

    assert summary == batched == EvaluationSummary(objectives=12, breaches=12)
    # A second batch of the same work costs the same statements again, and no more.
    assert one_batch <= 12
    assert count_statements.count == 3 * one_batch  # batches of 5, 5 and 2


@pytest.fixture
async def engines(fresh_database: str) -> AsyncIterator[list[AsyncEngine]]:
    made = [make_engine(fresh_database), make_engine(fresh_database)]
    yield made
    for engine in made:
        await engine.dispose()


async def test_two_concurrent_runs_record_one_breach(engines: list[AsyncEngine]) -> None:
    first_sessions, second_sessions = (make_sessionmaker(engine) for engine in engines)
    async with first_sessions() as session:
        service = await create_service(session, tier=Tier.TIER_1)
        await responses(session, service.id, [LATE], at=AS_OF - timedelta(days=1))
        sla = await create_sla(session, service.id, 0.9)
        await session.commit()

    async with first_sessions() as first, second_sessions() as second:
        recorded = await evaluate_objectives(first, AS_OF)
        # The second run waits on the first one's uncommitted event, then records nothing.
        waiting = asyncio.create_task(evaluate_objectives(second, AS_OF + timedelta(minutes=1)))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        await first.commit()
        skipped = await asyncio.wait_for(waiting, timeout=30)
        await second.commit()

    assert (recorded.breaches, skipped.breaches) == (1, 0)
    async with first_sessions() as session:
        assert await _events(session, sla.id) == [(SlaEventKind.SLA_BREACHED, 0.0)]


async def test_editing_an_sla_keeps_its_objectives_and_their_events(
    session: AsyncSession,
) -> None:
    service = await create_service(session, tier=Tier.TIER_1)
    await responses(session, service.id, [ON_TIME, LATE], at=AS_OF - timedelta(days=2))
    sla = await create_sla(session, service.id, 0.9)
    await evaluate_objectives(session, AS_OF)
    (objective_id,) = await session.scalars(select(Objective.id).where(Objective.sla_id == sla.id))
    kept = ObjectiveSpec(
        Metric.CLOCK_ATTAINMENT, Comparator.AT_LEAST, 0.4, WindowKind.CALENDAR_MONTH
    )
    added = ObjectiveSpec(Metric.MTTR, Comparator.AT_MOST, 3600, WindowKind.CALENDAR_MONTH)

    await update_sla(
        session,
        principal=ADMIN,
        sla_id=sla.id,
        version=sla.version,
        name=None,
        description=None,
        review_interval_days=None,
        objectives=[kept, added],
    )

    objectives = list(
        await session.scalars(
            select(Objective).where(Objective.sla_id == sla.id).order_by(Objective.position)
        )
    )
    assert [item.id == objective_id for item in objectives] == [True, False]
    assert objectives[0].target == 0.4
    assert await _events(session, sla.id) == [(SlaEventKind.SLA_BREACHED, 0.5)]

    await update_sla(
        session,
        principal=ADMIN,
        sla_id=sla.id,
        version=sla.version,
        name=None,
        description=None,
        review_interval_days=None,
        objectives=[added],
    )

    # Another metric at that position is another objective: the old one goes with its events.
    remaining = list(await session.scalars(select(Objective).where(Objective.sla_id == sla.id)))
    assert [item.metric for item in remaining] == [Metric.MTTR]
    assert remaining[0].id != objective_id
    assert await _events(session, sla.id) == []
