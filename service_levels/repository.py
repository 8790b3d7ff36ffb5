"""Every SQL statement of service levels."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.incidents.models import (
    Incident,
    IncidentStatus,
    IncidentStatusChange,
    incident_service,
)
from catalog.requests.models import RequestStatus, RequestStatusChange, ServiceRequest
from catalog.services.models import Service, Tier
from service_levels.models import ClockPolicy


async def policies_by_service_ids(
    session: AsyncSession, service_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ClockPolicy]:
    rows = await session.scalars(
        select(ClockPolicy).where(ClockPolicy.service_id.in_(list(service_ids)))
    )
    return {policy.service_id: policy for policy in rows}


async def lock_policy(session: AsyncSession, service_id: uuid.UUID) -> ClockPolicy | None:
    return await session.scalar(
        select(ClockPolicy).where(ClockPolicy.service_id == service_id).with_for_update()
    )


@dataclass(frozen=True)
class ClockRecord:
    """What the clocks of one request or incident need: its subject and its service's."""

    id: uuid.UUID
    subject: str
    service_id: uuid.UUID
    tier: Tier
    calendar: dict[str, Any] | None


async def request_clock_records(
    session: AsyncSession, request_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ClockRecord]:
    rows = await session.execute(
        select(
            ServiceRequest.id,
            ServiceRequest.priority,
            Service.id,
            Service.tier,
            Service.business_calendar,
        )
        .join(Service, Service.id == ServiceRequest.service_id)
        .where(ServiceRequest.id.in_(list(request_ids)))
    )
    return {row[0]: ClockRecord(row[0], str(row[1]), row[2], row[3], row[4]) for row in rows}


async def incident_clock_records(
    session: AsyncSession, incident_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ClockRecord]:
    """An incident is held to its most critical affected service (lowest tier, then name)."""
    rows = await session.execute(
        select(
            Incident.id,
            Incident.severity,
            Service.id,
            Service.tier,
            Service.business_calendar,
        )
        .join(incident_service, incident_service.c.incident_id == Incident.id)
        .join(Service, Service.id == incident_service.c.service_id)
        .where(Incident.id.in_(list(incident_ids)))
        .order_by(Incident.id, Service.tier, Service.name, Service.id)
    )
    records: dict[uuid.UUID, ClockRecord] = {}
    for row in rows:
        records.setdefault(row[0], ClockRecord(row[0], str(row[1]), row[2], row[3], row[4]))
    return records


async def request_moves(
    session: AsyncSession, request_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[RequestStatusChange]]:
    rows = await session.scalars(
        select(RequestStatusChange)
        .where(RequestStatusChange.request_id.in_(list(request_ids)))
        .order_by(RequestStatusChange.at, RequestStatusChange.id)
    )
    moves: dict[uuid.UUID, list[RequestStatusChange]] = {}
    for row in rows:
        moves.setdefault(row.request_id, []).append(row)
    return moves


async def incident_moves(
    session: AsyncSession, incident_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[IncidentStatusChange]]:
    rows = await session.scalars(
        select(IncidentStatusChange)
        .where(IncidentStatusChange.incident_id.in_(list(incident_ids)))
        .order_by(IncidentStatusChange.at, IncidentStatusChange.id)
    )
    moves: dict[uuid.UUID, list[IncidentStatusChange]] = {}
    for row in rows:
        moves.setdefault(row.incident_id, []).append(row)
    return moves


async def write_move_stamps(
    session: AsyncSession, table: Table, stamps: Sequence[dict[str, Any]]
) -> None:
    """Stamp moves in one statement (executemany); rows keyed by `move_id`."""
    if not stamps:
        return
    await session.execute(
        update(table)
        .where(table.c.id == bindparam("move_id"))
        .values(
            response_elapsed_s=bindparam("response"),
            resolution_elapsed_s=bindparam("resolution"),
            breach_at=bindparam("breach"),
        ),
        list(stamps),
        execution_options={"synchronize_session": False},
    )


async def write_record_breaches(
    session: AsyncSession, table: Table, breaches: Sequence[dict[str, Any]]
) -> None:
    """Set `breach_at` on requests or incidents; their history ignores it (derived data)."""
    if not breaches:
        return
    await session.execute(
        update(table)
        .where(table.c.id == bindparam("record_id"))
        .values(breach_at=bindparam("breach")),
        list(breaches),
        execution_options={"synchronize_session": False},
    )


async def open_request_ids(session: AsyncSession, service_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(ServiceRequest.id).where(
            ServiceRequest.service_id == service_id,
            ServiceRequest.status.not_in([RequestStatus.CLOSED, RequestStatus.REJECTED]),
        )
    )
    return list(rows)


async def open_incident_ids(session: AsyncSession, service_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(Incident.id)
        .join(incident_service, incident_service.c.incident_id == Incident.id)
        .where(
            incident_service.c.service_id == service_id,
            Incident.status != IncidentStatus.CLOSED,
        )
    )
    return list(rows)
