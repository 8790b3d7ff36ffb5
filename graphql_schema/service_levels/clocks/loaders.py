"""Per-request loaders of the SLA clocks: a record's clock, a service's summary and policy.

A clock is computed from its record's moves at any moment (`asOf`, default now). Each
record's moves, its service's calendar and tier and the policies come through one
per-request loader per record kind: three statements however many records a page holds.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service as ServiceModel
from core.clock import utcnow
from graphql_schema.context import Info
from graphql_schema.service_levels.clocks.types import ClockPolicy, SlaClock, SlaClockSummary
from service_levels import repository
from service_levels.clock import (
    INCIDENT_RULES,
    REQUEST_RULES,
    ClockKind,
    ClockRule,
    ClockTerms,
    Transition,
    clock_state,
)
from service_levels.clock_stamps import ClockSetup, setup_for, transitions_of


@dataclass(frozen=True)
class ClockData:
    setup: ClockSetup
    transitions: list[Transition]


async def _clock_data(
    session: AsyncSession,
    ids: Sequence[uuid.UUID],
    *,
    incidents: bool,
) -> dict[uuid.UUID, ClockData]:
    if incidents:
        records = await repository.incident_clock_records(session, ids)
        moves: Mapping[uuid.UUID, Sequence[Any]] = await repository.incident_moves(session, ids)
        rules: Mapping[ClockKind, ClockRule] = INCIDENT_RULES
    else:
        records = await repository.request_clock_records(session, ids)
        moves = await repository.request_moves(session, ids)
        rules = REQUEST_RULES
    policies = await repository.policies_by_service_ids(
        session, sorted({record.service_id for record in records.values()})
    )
    return {
        record_id: ClockData(
            setup_for(record, policies.get(record.service_id), rules),
            transitions_of(moves.get(record_id, [])),
        )
        for record_id, record in records.items()
    }


async def request_clocks(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ClockData]:
    return await _clock_data(session, ids, incidents=False)


async def incident_clocks(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ClockData]:
    return await _clock_data(session, ids, incidents=True)


async def sla_clock(
    info: Info, record_id: uuid.UUID, kind: ClockKind, as_of: datetime | None, *, incident: bool
) -> SlaClock | None:
    loaders = info.context.loaders
    clocks = loaders.clock_data_by_incident_id if incident else loaders.clock_data_by_request_id
    data = await clocks.load(record_id)
    if data is None:
        return None
    terms = data.setup.terms[kind]
    terms = ClockTerms(terms.rule, terms.target, info.context.settings.sla_warning_percent)
    state = clock_state(data.transitions, data.setup.calendar, terms, as_of or utcnow())
    return SlaClock.from_state(state) if state is not None else None


MAX_WITHIN_HOURS = 24 * 30


async def breach_counts(
    hours: int, session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, repository.BreachCounts]:
    """The services' running clocks, and those breached or breaching within `hours`."""
    now = utcnow()
    return await repository.breach_counts(session, ids, now, now + timedelta(hours=hours))


async def clock_summary_of(info: Info, service_id: uuid.UUID, within_hours: int) -> SlaClockSummary:
    hours = min(max(within_hours, 0), MAX_WITHIN_HOURS)
    counts = info.context.loaders.breach_counts_by_service_id[hours]
    found = await counts.load(service_id) or repository.BreachCounts()
    return SlaClockSummary(
        running=found.running, breached=found.breached, breaching_soon=found.breaching_soon
    )


async def clock_policy_of(info: Info, service: ServiceModel) -> ClockPolicy:
    """One statement for every service of the response (a per-request loader)."""
    policy = await info.context.loaders.clock_policy_by_service_id.load(service.id)
    return ClockPolicy.from_models(service, policy)
