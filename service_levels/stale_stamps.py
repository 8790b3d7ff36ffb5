"""Finding and re-stamping the open requests and incidents whose SLA clock stamps are missing
or older than their terms: the `clock-restamp` job.

Moves, policies and calendars normally re-stamp in their own transaction. This catches the
rest: rows from before the targets were stamped (migration 0013), imported ones, and terms
changed by anything that did not re-stamp. A record is stale when a move of it has no stamped
targets, or when its service row (tier, business calendar) or its clock policy changed after
the record's `updated_at`, which every stamp sets (repository.write_record_stamps).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement, Select, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from catalog.services.models import Service
from service_levels.clock_stamps import restamp_incidents, restamp_requests
from service_levels.models import ClockPolicy
from work.incidents.models import (
    Incident,
    IncidentStatus,
    IncidentStatusChange,
    incident_service,
)
from work.requests.models import RequestStatus, RequestStatusChange, ServiceRequest

BATCH_SIZE = 200

Finder = Callable[[AsyncSession, uuid.UUID | None, int], Awaitable[list[uuid.UUID]]]


class Restamper(Protocol):
    async def __call__(
        self, session: AsyncSession, ids: Sequence[uuid.UUID], /, *, warning_percent: float
    ) -> int: ...


def _terms_changed_since(stamped: InstrumentedAttribute[datetime]) -> ColumnElement[bool]:
    """The service (joined) or its clock policy (outer-joined) changed after `stamped`."""
    return or_(Service.updated_at > stamped, ClockPolicy.updated_at > stamped)


def _page(
    statement: Select[uuid.UUID],
    record: type[ServiceRequest | Incident],
    after: uuid.UUID | None,
    limit: int,
) -> Select[uuid.UUID]:
    if after is not None:
        statement = statement.where(record.id > after)
    # Locked, so that a move in flight (it locks its record) is not overwritten with stamps
    # computed without it; a record locked by one is stamped by that move anyway.
    return statement.order_by(record.id).limit(limit).with_for_update(skip_locked=True, of=record)


async def stale_request_ids(
    session: AsyncSession, after: uuid.UUID | None, limit: int
) -> list[uuid.UUID]:
    """Up to `limit` open requests after `after` (by id) whose stamps are stale, locked."""
    unstamped = exists().where(
        RequestStatusChange.request_id == ServiceRequest.id,
        RequestStatusChange.response_target_s.is_(None),
    )
    statement = (
        select(ServiceRequest.id)
        .join(Service, Service.id == ServiceRequest.service_id)
        .outerjoin(ClockPolicy, ClockPolicy.service_id == ServiceRequest.service_id)
        .where(
            ServiceRequest.status.not_in([RequestStatus.CLOSED, RequestStatus.REJECTED]),
            or_(unstamped, _terms_changed_since(ServiceRequest.updated_at)),
        )
    )
    return list(await session.scalars(_page(statement, ServiceRequest, after, limit)))


async def stale_incident_ids(
    session: AsyncSession, after: uuid.UUID | None, limit: int
) -> list[uuid.UUID]:
    """Up to `limit` open incidents after `after` (by id) whose stamps are stale, locked."""
    unstamped = exists().where(
        IncidentStatusChange.incident_id == Incident.id,
        IncidentStatusChange.response_target_s.is_(None),
    )
    # Any affected service counts: it may have become the most critical one.
    terms_changed = exists(
        select(incident_service.c.incident_id)
        .join(Service, Service.id == incident_service.c.service_id)
        .outerjoin(ClockPolicy, ClockPolicy.service_id == Service.id)
        .where(
            incident_service.c.incident_id == Incident.id,
            _terms_changed_since(Incident.updated_at),
        )
    )
    statement = select(Incident.id).where(
        Incident.status != IncidentStatus.CLOSED, or_(unstamped, terms_changed)
    )
    return list(await session.scalars(_page(statement, Incident, after, limit)))


@dataclass(frozen=True)
class RestampReport:
    requests: int
    incidents: int

    def summary(self) -> str:
        return f"re-stamped {self.requests} requests, {self.incidents} incidents"


async def _in_batches(
    sessionmaker: async_sessionmaker[AsyncSession],
    find: Finder,
    restamp: Restamper,
    warning_percent: float,
    batch_size: int,
) -> int:
    """Re-stamp what `find` returns, a batch per transaction, walking ids upwards."""
    stamped, after = 0, None
    while True:
        async with sessionmaker() as session, session.begin():
            ids = await find(session, after, batch_size)
            stamped += await restamp(session, ids, warning_percent=warning_percent)
        if len(ids) < batch_size:
            return stamped
        after = ids[-1]


async def restamp_stale(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    warning_percent: float,
    batch_size: int = BATCH_SIZE,
) -> RestampReport:
    """Re-stamp every open request and incident whose stamps are missing or stale."""
    return RestampReport(
        requests=await _in_batches(
            sessionmaker, stale_request_ids, restamp_requests, warning_percent, batch_size
        ),
        incidents=await _in_batches(
            sessionmaker, stale_incident_ids, restamp_incidents, warning_percent, batch_size
        ),
    )
