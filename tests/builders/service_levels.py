"""SLAs with clock-attainment objectives, and the response clocks they answer from."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service_levels.clock_stamps import restamp_requests
from service_levels.models import Comparator, Metric, Objective, Sla, WindowKind
from tests.builders.work import request_with_moves
from work.requests.models import RequestStatus

# Mid-month, so that a calendar-month window holds a few days either side of it.
AS_OF = datetime(2026, 11, 10, 12, tzinfo=UTC)


async def create_sla(
    session: AsyncSession,
    service_id: uuid.UUID,
    *targets: float,
    rolling_days: int | None = None,
    **overrides: Any,
) -> Sla:
    """An SLA holding CLOCK_ATTAINMENT at least each target over the calendar month (or
    `rolling_days` local days ending today)."""
    sla = Sla(id=uuid.uuid4(), service_id=service_id, name="Gold support", **overrides)
    session.add(sla)
    await session.flush()
    for position, target in enumerate(targets):
        session.add(
            Objective(
                sla_id=sla.id,
                position=position,
                metric=Metric.CLOCK_ATTAINMENT,
                comparator=Comparator.AT_LEAST,
                target=target,
                window_kind=WindowKind.ROLLING_DAYS if rolling_days else WindowKind.CALENDAR_MONTH,
                window_days=rolling_days,
            )
        )
    await session.flush()
    return sla


async def responses(
    session: AsyncSession, service_id: uuid.UUID, minutes: Sequence[int], *, at: datetime
) -> None:
    """P1 requests triaged these many minutes after filing, the triage at `at` (a TIER_1
    service's P1 response target is 30 minutes, 24x7)."""
    ids = []
    for index, taken in enumerate(minutes):
        triaged = at - timedelta(seconds=index)
        filed = triaged - timedelta(minutes=taken)
        request = await request_with_moves(
            session,
            [(filed, RequestStatus.NEW), (triaged, RequestStatus.TRIAGED)],
            service_id=service_id,
        )
        ids.append(request.id)
    await restamp_requests(session, ids)
