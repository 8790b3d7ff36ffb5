"""SQL of service levels: clock policies, the SLA clocks' records, moves and stamps, SLAs and
their objectives. Not all of it: measurements (measurement_repository.py), SLA events
(sla_events.py), the metric aggregates (metric_sql.py), roll-ups (rollups.py) and the stale
stamp scan (stale_stamps.py) hold their own statements."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, bindparam, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from catalog.services.models import Service, Tier
from service_levels.models import ClockPolicy, Objective, Sla
from work.incidents.models import (
    Incident,
    IncidentStatus,
    IncidentStatusChange,
    incident_service,
)
from work.requests.models import RequestStatus, RequestStatusChange, ServiceRequest


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
            response_target_s=bindparam("response_target"),
            resolution_target_s=bindparam("resolution_target"),
            warning_at=bindparam("warning"),
            breach_at=bindparam("breach"),
        ),
        list(stamps),
        execution_options={"synchronize_session": False},
    )


async def write_record_stamps(
    session: AsyncSession, table: Table, stamps: Sequence[dict[str, Any]]
) -> None:
    """Set `warning_at` and `breach_at` on requests or incidents (history ignores both: derived
    data). `updated_at` dates the stamp: the clock-restamp job compares it with the terms'."""
    if not stamps:
        return
    await session.execute(
        update(table)
        .where(table.c.id == bindparam("record_id"))
        .values(
            warning_at=bindparam("warning"),
            breach_at=bindparam("breach"),
            updated_at=func.now(),
        ),
        list(stamps),
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


# The zone a service's business calendar keeps its hours in (null without a calendar).
SERVICE_TIME_ZONE = Service.business_calendar["time_zone"].astext


async def objectives_with_services(
    session: AsyncSession, objective_ids: Sequence[uuid.UUID]
) -> list[tuple[Objective, uuid.UUID, str | None]]:
    """Objectives with their SLA's service id and that service's time zone."""
    rows = await session.execute(
        select(Objective, Sla.service_id, SERVICE_TIME_ZONE)
        .join(Sla, Sla.id == Objective.sla_id)
        .join(Service, Service.id == Sla.service_id)
        .where(Objective.id.in_(list(objective_ids)))
    )
    return [(row[0], row[1], row[2]) for row in rows]


def slas_query(*, service_id: uuid.UUID | None, include_archived: bool) -> Select[Sla]:
    statement = select(Sla)
    if service_id is not None:
        statement = statement.where(Sla.service_id == service_id)
    if not include_archived:
        statement = statement.where(Sla.archived_at.is_(None))
    return statement


def stale_slas_query(now: datetime | ColumnElement[datetime]) -> Select[Sla]:
    """Live SLAs whose last owner review is older than their interval."""
    reviewed = func.coalesce(Sla.last_reviewed_at, Sla.created_at)
    due = reviewed + Sla.review_interval_days * text("interval '1 day'")
    return select(Sla).where(Sla.archived_at.is_(None), due < now)


async def slas_by_service_ids(
    session: AsyncSession, service_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Sla]]:
    """Live SLAs of these services with their objectives (two statements)."""
    rows = await session.scalars(
        select(Sla)
        .where(Sla.service_id.in_(list(service_ids)), Sla.archived_at.is_(None))
        .options(selectinload(Sla.objectives))
        .order_by(Sla.name, Sla.id)
    )
    found: dict[uuid.UUID, list[Sla]] = {}
    for sla in rows:
        found.setdefault(sla.service_id, []).append(sla)
    return found


@dataclass(frozen=True)
class BreachCounts:
    running: int = 0
    breached: int = 0
    breaching_soon: int = 0


async def breach_counts(
    session: AsyncSession, service_ids: Sequence[uuid.UUID], now: datetime, soon: datetime
) -> dict[uuid.UUID, BreachCounts]:
    """Per service, its requests and incidents with a running clock, over it, and going over
    before `soon` (two statements, on the stamped breach_at)."""
    totals: dict[uuid.UUID, list[int]] = {}
    for service_column, breach, joined in (
        (ServiceRequest.service_id, ServiceRequest.breach_at, select(ServiceRequest.service_id)),
        (
            incident_service.c.service_id,
            Incident.breach_at,
            select(incident_service.c.service_id).join(
                Incident, Incident.id == incident_service.c.incident_id
            ),
        ),
    ):
        rows = await session.execute(
            joined.with_only_columns(
                service_column,
                func.count(),
                func.count().filter(breach < now),
                func.count().filter(breach >= now, breach < soon),
            )
            .where(service_column.in_(list(service_ids)), breach.is_not(None))
            .group_by(service_column)
        )
        for service_id, running, breached, breaching in rows:
            total = totals.setdefault(service_id, [0, 0, 0])
            total[0] += running
            total[1] += breached
            total[2] += breaching
    return {key: BreachCounts(*values) for key, values in totals.items()}
