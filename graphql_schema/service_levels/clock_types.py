"""SLA clocks as GraphQL sees them: `responseClock` and `resolutionClock` on requests and
incidents, computed from each record's moves at any moment (`asOf`, default now).

Each record's moves, its service's calendar and tier and the policies come through one
per-request loader per record kind: three statements however many records a page holds.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from graphql_schema.context import Info
from graphql_schema.loaders import loader
from service_levels import repository
from service_levels.clock import (
    INCIDENT_RULES,
    REQUEST_RULES,
    ClockKind,
    ClockRule,
    ClockState,
    ClockTerms,
    Phase,
    Transition,
    clock_state,
)
from service_levels.clock_stamps import ClockSetup, setup_for, transitions_of

strawberry.enum(Phase, name="ClockPhase", description="Whether an SLA clock counts.")

AS_OF_HELP = "The moment to answer for (default now); null before the record existed."


@strawberry.type(description="An SLA clock in the service's business hours; durations in seconds.")
class SlaClock:
    phase: Phase
    started_at: datetime
    stopped_at: datetime | None
    elapsed_seconds: int = strawberry.field(description="Business seconds counted so far.")
    target_seconds: int
    remaining_seconds: int = strawberry.field(description="Target less elapsed, never below 0.")
    percent: float = strawberry.field(description="Elapsed as a percentage of the target.")
    warning: bool = strawberry.field(
        description="Past CATALOG_SLA_WARNING_PERCENT of the target (stays true once breached)."
    )
    breached: bool = strawberry.field(description="Elapsed is over the target.")
    met: bool = strawberry.field(description="Stopped within its target.")
    warning_at: datetime | None = strawberry.field(
        description="When it passed, or (running) will pass, the warning threshold."
    )
    breach_at: datetime | None = strawberry.field(
        description="When it went, or (running) will go, over its target; null while paused."
    )

    @classmethod
    def from_state(cls, state: ClockState) -> SlaClock:
        return cls(
            phase=state.phase,
            started_at=state.started_at,
            stopped_at=state.stopped_at,
            elapsed_seconds=int(state.elapsed.total_seconds()),
            target_seconds=int(state.target.total_seconds()),
            remaining_seconds=int(state.remaining.total_seconds()),
            percent=round(state.percent, 2),
            warning=state.warning,
            breached=state.breached,
            met=state.met,
            warning_at=state.warning_at,
            breach_at=state.breach_at,
        )


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


async def _requests(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, ClockData]:
    return await _clock_data(session, ids, incidents=False)


async def _incidents(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, ClockData]:
    return await _clock_data(session, ids, incidents=True)


async def sla_clock(
    info: Info, record_id: uuid.UUID, kind: ClockKind, as_of: datetime | None, *, incident: bool
) -> SlaClock | None:
    name, batch = (
        ("SlaClockByIncidentId", _incidents) if incident else ("SlaClockByRequestId", _requests)
    )
    data = await loader(info.context, name, batch).load(record_id)
    if data is None:
        return None
    terms = data.setup.terms[kind]
    terms = ClockTerms(terms.rule, terms.target, info.context.settings.sla_warning_percent)
    state = clock_state(data.transitions, data.setup.calendar, terms, as_of or utcnow())
    return SlaClock.from_state(state) if state is not None else None


@strawberry.type
class ServiceRequestClockFields:
    model: strawberry.Private[Any]

    @strawberry.field(description="Time to respond: runs from filing until TRIAGED.")
    async def response_clock(
        self,
        info: Info,
        as_of: Annotated[datetime | None, strawberry.argument(description=AS_OF_HELP)] = None,
    ) -> SlaClock | None:
        return await sla_clock(info, self.model.id, ClockKind.RESPONSE, as_of, incident=False)

    @strawberry.field(
        description="Time to resolve: runs until FULFILLED, paused while WAITING_ON_REQUESTER,"
        " running again on a reopen."
    )
    async def resolution_clock(
        self,
        info: Info,
        as_of: Annotated[datetime | None, strawberry.argument(description=AS_OF_HELP)] = None,
    ) -> SlaClock | None:
        return await sla_clock(info, self.model.id, ClockKind.RESOLUTION, as_of, incident=False)


@strawberry.type
class IncidentClockFields:
    model: strawberry.Private[Any]

    @strawberry.field(description="Time to acknowledge: runs from detection until ACKNOWLEDGED.")
    async def response_clock(
        self,
        info: Info,
        as_of: Annotated[datetime | None, strawberry.argument(description=AS_OF_HELP)] = None,
    ) -> SlaClock | None:
        return await sla_clock(info, self.model.id, ClockKind.RESPONSE, as_of, incident=True)

    @strawberry.field(
        description="Time to restore: runs until MITIGATED, never paused, running again when"
        " a RESOLVED incident reopens."
    )
    async def resolution_clock(
        self,
        info: Info,
        as_of: Annotated[datetime | None, strawberry.argument(description=AS_OF_HELP)] = None,
    ) -> SlaClock | None:
        return await sla_clock(info, self.model.id, ClockKind.RESOLUTION, as_of, incident=True)
