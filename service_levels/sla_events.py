"""Every SQL statement of SLA events: the objectives to evaluate, recording, listing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Float,
    Select,
    String,
    Text,
    Uuid,
    and_,
    column,
    exists,
    func,
    literal,
    select,
    values,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.interfaces import ORMOption
from sqlalchemy.types import DateTime

from catalog.services.models import Service
from core.notifications import Channel
from service_levels.models import Objective, Sla, SlaEvent, SlaEventKind
from service_levels.repository import SERVICE_TIME_ZONE

# Kinds that a later MET answer in the same window recovers from.
TROUBLE = (SlaEventKind.SLA_AT_RISK.value, SlaEventKind.SLA_BREACHED.value)


@dataclass(frozen=True)
class LiveObjective:
    objective: Objective
    service_id: uuid.UUID
    time_zone: str | None  # the service's; null without a calendar

    @property
    def id(self) -> uuid.UUID:
        return self.objective.id

    @property
    def sla_id(self) -> uuid.UUID:
        return self.objective.sla_id

    @property
    def target(self) -> float:
        return self.objective.target


async def live_objectives(
    session: AsyncSession, *, after: uuid.UUID | None, limit: int
) -> list[LiveObjective]:
    """Objectives of SLAs not archived, on services not archived, by id after `after`, with
    what answering them needs (so they are not read twice)."""
    statement = (
        select(Objective, Sla.service_id, SERVICE_TIME_ZONE)
        .join(Sla, Sla.id == Objective.sla_id)
        .join(Service, Service.id == Sla.service_id)
        .where(Sla.archived_at.is_(None), Service.archived_at.is_(None))
        .order_by(Objective.id)
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(Objective.id > after)
    rows = await session.execute(statement)
    return [LiveObjective(row[0], row[1], row[2]) for row in rows]


@dataclass(frozen=True)
class EventCandidate:
    """An event the evaluation would record, unless already recorded for its window."""

    objective_id: uuid.UUID
    sla_id: uuid.UUID
    service_id: uuid.UUID
    kind: SlaEventKind
    window_start: datetime
    window_end: datetime
    value: float | None
    target: float
    error_budget: float | None


_CANDIDATE_COLUMNS = (
    column("objective_id", Uuid),
    column("sla_id", Uuid),
    column("service_id", Uuid),
    column("kind", String),
    column("window_start", DateTime(timezone=True)),
    column("window_end", DateTime(timezone=True)),
    column("value", Float),
    column("target", Float),
    column("error_budget", Float),
)
_NAMES = [item.name for item in _CANDIDATE_COLUMNS]


@dataclass(frozen=True)
class RecordedEvent:
    """An SLA event just recorded: what its notifications name."""

    id: int
    kind: SlaEventKind
    service_id: uuid.UUID
    sla_id: uuid.UUID
    objective_id: uuid.UUID
    value: float | None
    target: float
    at: datetime


async def record_events(
    session: AsyncSession, candidates: Sequence[EventCandidate]
) -> list[RecordedEvent]:
    """Record the candidates not recorded yet for their (objective, window, kind), in one
    statement; a recovery only after trouble in its window. Each recorded event is announced
    on Channel.SLA_EVENTS at commit. The events recorded."""
    if not candidates:
        return []
    rows = [
        (
            item.objective_id,
            item.sla_id,
            item.service_id,
            item.kind.value,
            item.window_start,
            item.window_end,
            item.value,
            item.target,
            item.error_budget,
        )
        for item in candidates
    ]
    candidate = values(*_CANDIDATE_COLUMNS, name="candidate").data(rows)
    earlier = SlaEvent.__table__.alias("earlier")
    troubled = exists().where(
        earlier.c.objective_id == candidate.c.objective_id,
        earlier.c.window_start == candidate.c.window_start,
        earlier.c.kind.in_(TROUBLE),
    )
    chosen = select(*(candidate.c[name] for name in _NAMES)).where(
        (candidate.c.kind != SlaEventKind.SLA_RECOVERED.value) | troubled
    )
    recorded = (
        pg_insert(SlaEvent)
        .from_select(_NAMES, chosen)
        .on_conflict_do_nothing(index_elements=["objective_id", "window_start", "kind"])
        .returning(
            SlaEvent.id,
            SlaEvent.kind,
            SlaEvent.service_id,
            SlaEvent.sla_id,
            SlaEvent.objective_id,
            SlaEvent.value,
            SlaEvent.target,
            SlaEvent.at,
        )
        .cte("recorded")
    )
    payload = func.json_build_object(
        literal("id"),
        recorded.c.id,
        literal("kind"),
        recorded.c.kind,
        literal("serviceId"),
        recorded.c.service_id,
        literal("slaId"),
        recorded.c.sla_id,
    )
    result = await session.execute(
        select(
            recorded.c.id,
            recorded.c.kind,
            recorded.c.service_id,
            recorded.c.sla_id,
            recorded.c.objective_id,
            recorded.c.value,
            recorded.c.target,
            recorded.c.at,
            func.pg_notify(Channel.SLA_EVENTS.value, payload.cast(Text)),
        )
    )
    return [RecordedEvent(row[0], SlaEventKind(row[1]), *row[2:8]) for row in result.all()]


@dataclass(frozen=True)
class EventFilter:
    service_id: uuid.UUID | None = None
    sla_id: uuid.UUID | None = None
    objective_id: uuid.UUID | None = None
    kinds: tuple[SlaEventKind, ...] = ()
    since: datetime | None = None
    until: datetime | None = None


def events_query(given: EventFilter) -> Select[SlaEvent]:
    conditions = []
    if given.service_id is not None:
        conditions.append(SlaEvent.service_id == given.service_id)
    if given.sla_id is not None:
        conditions.append(SlaEvent.sla_id == given.sla_id)
    if given.objective_id is not None:
        conditions.append(SlaEvent.objective_id == given.objective_id)
    if given.kinds:
        conditions.append(SlaEvent.kind.in_([kind.value for kind in given.kinds]))
    if given.since is not None:
        conditions.append(SlaEvent.at >= given.since)
    if given.until is not None:
        conditions.append(SlaEvent.at < given.until)
    statement = select(SlaEvent)
    return statement.where(and_(*conditions)) if conditions else statement


async def events_by_ids(
    session: AsyncSession, ids: Sequence[int], options: Sequence[ORMOption] = ()
) -> dict[int, SlaEvent]:
    if not ids:
        return {}
    rows = await session.scalars(
        select(SlaEvent).where(SlaEvent.id.in_(list(ids))).options(*options)
    )
    return {row.id: row for row in rows}


__all__ = [
    "EventCandidate",
    "EventFilter",
    "LiveObjective",
    "RecordedEvent",
    "events_by_ids",
    "events_query",
    "live_objectives",
    "record_events",
]
