"""Clock events: a request's or incident's clock passing its warning threshold or its target,
recorded once per (record, clock, threshold) by the `clock-events` job.

Records whose `warning_at` stamp has passed are read in batches by id; each batch costs the
same few statements (the records, their moves, their services' policies, one insert), and
each clock's state is computed as the API computes it (service_levels/clock.py). A record
with all four events recorded is not read again; one whose clock stopped short of a
threshold is, while it stays open, and records nothing new.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Text, func, literal, select, values
from sqlalchemy import column as sql_column
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.interfaces import ORMOption
from sqlalchemy.types import DateTime, String, Uuid

from core.notifications import Channel
from service_levels import repository
from service_levels.clock import (
    INCIDENT_RULES,
    REQUEST_RULES,
    ClockKind,
    ClockRule,
    clock_state,
)
from service_levels.clock_stamps import ClockSetup, Move, setup_for, transitions_of
from service_levels.models import ClockEvent, ClockSubjectKind, ClockThreshold
from service_levels.repository import ClockRecord
from work.incidents.models import Incident
from work.requests.models import ServiceRequest

BATCH_SIZE = 500
EVERY_EVENT = len(ClockKind) * len(ClockThreshold)


@dataclass(frozen=True)
class Crossing:
    """A clock past a threshold: recorded once, then announced."""

    subject_kind: ClockSubjectKind
    subject_id: uuid.UUID
    service_id: uuid.UUID
    clock: ClockKind
    threshold: ClockThreshold
    crossed_at: datetime
    # When the clock's target falls (or fell) due.
    due_at: datetime | None

    @property
    def key(self) -> tuple[str, uuid.UUID, str, str]:
        return (self.subject_kind.value, self.subject_id, self.clock.value, self.threshold.value)


@dataclass(frozen=True)
class RecordedCrossing:
    id: int
    crossing: Crossing


def crossings_of(
    kind: ClockSubjectKind,
    record: ClockRecord,
    moves: Sequence[Move],
    setup: ClockSetup,
    now: datetime,
) -> list[Crossing]:
    """Every threshold each clock of the record had passed by `now`."""
    transitions = transitions_of(moves)
    found: list[Crossing] = []
    for clock in ClockKind:
        state = clock_state(transitions, setup.calendar, setup.terms[clock], now)
        if state is None:
            continue
        passed = {
            ClockThreshold.WARNING: state.warning_at if state.warning else None,
            ClockThreshold.BREACHED: state.breach_at if state.breached else None,
        }
        for threshold, at in passed.items():
            if at is not None:
                found.append(
                    Crossing(
                        kind, record.id, record.service_id, clock, threshold, at, state.breach_at
                    )
                )
    return found


def _due_ids_query(
    model: type[ServiceRequest | Incident],
    kind: ClockSubjectKind,
    now: datetime,
    after: uuid.UUID | None,
    limit: int,
) -> Any:
    recorded = (
        select(func.count())
        .where(ClockEvent.subject_kind == kind, ClockEvent.subject_id == model.id)
        .scalar_subquery()
    )
    statement = (
        select(model.id)
        .where(model.warning_at <= now, recorded < EVERY_EVENT)
        .order_by(model.id)
        .limit(limit)
    )
    return statement.where(model.id > after) if after is not None else statement


@dataclass(frozen=True)
class _Subject:
    """How one kind of record is read and clocked."""

    model: type[ServiceRequest] | type[Incident]
    records: Callable[
        [AsyncSession, Sequence[uuid.UUID]], Awaitable[Mapping[uuid.UUID, ClockRecord]]
    ]
    moves: Callable[[AsyncSession, Sequence[uuid.UUID]], Awaitable[Mapping[uuid.UUID, Any]]]
    rules: Mapping[ClockKind, ClockRule]


_SUBJECTS = {
    ClockSubjectKind.REQUEST: _Subject(
        ServiceRequest, repository.request_clock_records, repository.request_moves, REQUEST_RULES
    ),
    ClockSubjectKind.INCIDENT: _Subject(
        Incident, repository.incident_clock_records, repository.incident_moves, INCIDENT_RULES
    ),
}


async def _batch_crossings(
    session: AsyncSession,
    kind: ClockSubjectKind,
    ids: Sequence[uuid.UUID],
    now: datetime,
    warning_percent: float,
) -> list[Crossing]:
    subject = _SUBJECTS[kind]
    records = await subject.records(session, ids)
    moves: Mapping[uuid.UUID, Sequence[Move]] = await subject.moves(session, ids)
    policies = await repository.policies_by_service_ids(
        session, sorted({record.service_id for record in records.values()})
    )
    found: list[Crossing] = []
    for record_id, record in records.items():
        own = moves.get(record_id, [])
        if own:
            setup = setup_for(
                record, policies.get(record.service_id), subject.rules, warning_percent
            )
            found.extend(crossings_of(kind, record, own, setup, now))
    return found


async def record_due(
    session: AsyncSession,
    now: datetime,
    *,
    warning_percent: float,
    batch_size: int = BATCH_SIZE,
) -> list[RecordedCrossing]:
    """Record every clock crossing not recorded yet, of requests and incidents; the new ones."""
    recorded: list[RecordedCrossing] = []
    for kind, subject in _SUBJECTS.items():
        after: uuid.UUID | None = None
        while True:
            query = _due_ids_query(subject.model, kind, now, after, batch_size)
            ids = list(await session.scalars(query))
            if not ids:
                break
            crossings = await _batch_crossings(session, kind, ids, now, warning_percent)
            recorded.extend(await record_crossings(session, crossings))
            if len(ids) < batch_size:
                break
            after = ids[-1]
    return recorded


_COLUMNS = (
    sql_column("subject_kind", String),
    sql_column("subject_id", Uuid),
    sql_column("service_id", Uuid),
    sql_column("clock", String),
    sql_column("threshold", String),
    sql_column("crossed_at", DateTime(timezone=True)),
)


async def record_crossings(
    session: AsyncSession, crossings: Sequence[Crossing]
) -> list[RecordedCrossing]:
    """Insert the crossings not recorded yet (one statement), each announced on
    Channel.CLOCK_EVENTS at commit; the ones this call recorded."""
    if not crossings:
        return []
    rows = [
        (
            item.subject_kind.value,
            item.subject_id,
            item.service_id,
            item.clock.value,
            item.threshold.value,
            item.crossed_at,
        )
        for item in crossings
    ]
    candidate = values(*_COLUMNS, name="candidate").data(rows)
    names = [item.name for item in _COLUMNS]
    table = ClockEvent.__table__
    chosen = select(
        candidate.c.subject_kind.cast(table.c.subject_kind.type),
        candidate.c.subject_id,
        candidate.c.service_id,
        candidate.c.clock,
        candidate.c.threshold.cast(table.c.threshold.type),
        candidate.c.crossed_at,
    )
    inserted = (
        pg_insert(ClockEvent)
        .from_select(names, chosen)
        .on_conflict_do_nothing(index_elements=["subject_kind", "subject_id", "clock", "threshold"])
        .returning(
            ClockEvent.id,
            ClockEvent.subject_kind,
            ClockEvent.subject_id,
            ClockEvent.clock,
            ClockEvent.threshold,
            ClockEvent.service_id,
        )
        .cte("inserted")
    )
    payload = func.json_build_object(
        literal("id"),
        inserted.c.id,
        literal("serviceId"),
        inserted.c.service_id,
        literal("subjectKind"),
        inserted.c.subject_kind,
        literal("subjectId"),
        inserted.c.subject_id,
    )
    result = await session.execute(
        select(
            inserted.c.id,
            inserted.c.subject_kind,
            inserted.c.subject_id,
            inserted.c.clock,
            inserted.c.threshold,
            func.pg_notify(Channel.CLOCK_EVENTS.value, payload.cast(Text)),
        )
    )
    by_key = {item.key: item for item in crossings}
    return [
        RecordedCrossing(row[0], by_key[(str(row[1]), row[2], str(row[3]), str(row[4]))])
        for row in result.all()
    ]


@dataclass(frozen=True)
class EventFilter:
    service_id: uuid.UUID | None = None
    subject_kind: ClockSubjectKind | None = None
    thresholds: tuple[ClockThreshold, ...] = ()
    since: datetime | None = None
    until: datetime | None = None


def events_query(given: EventFilter) -> Select[ClockEvent]:
    """Clock events meeting every condition given (recorded at `since` or after, before
    `until`)."""
    statement = select(ClockEvent)
    if given.service_id is not None:
        statement = statement.where(ClockEvent.service_id == given.service_id)
    if given.subject_kind is not None:
        statement = statement.where(ClockEvent.subject_kind == given.subject_kind)
    if given.thresholds:
        statement = statement.where(ClockEvent.threshold.in_(list(given.thresholds)))
    if given.since is not None:
        statement = statement.where(ClockEvent.at >= given.since)
    if given.until is not None:
        statement = statement.where(ClockEvent.at < given.until)
    return statement


async def events_by_ids(
    session: AsyncSession, ids: Sequence[int], options: Sequence[ORMOption] = ()
) -> dict[int, ClockEvent]:
    if not ids:
        return {}
    rows = await session.scalars(
        select(ClockEvent).where(ClockEvent.id.in_(list(ids))).options(*options)
    )
    return {row.id: row for row in rows}
