"""Requests and incidents with their moves at chosen times, built straight in the database."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tests import builders
from work.incidents.models import (
    Incident,
    IncidentSource,
    IncidentStatus,
    IncidentStatusChange,
    Severity,
    incident_service,
)
from work.requests.models import (
    Level,
    Priority,
    RequestKind,
    RequestStatus,
    RequestStatusChange,
    ServiceRequest,
)


async def request_with_moves(
    session: AsyncSession,
    moves: Sequence[tuple[datetime, RequestStatus]],
    *,
    service_id: uuid.UUID | None = None,
    priority: Priority = Priority.P1,
    **service: Any,
) -> ServiceRequest:
    """A request that made these moves (the first is its filing)."""
    if service_id is None:
        service_id = (await builders.create_service(session, **service)).id
    requester = await builders.create_person(session)
    request = ServiceRequest(
        id=uuid.uuid4(),
        service_id=service_id,
        requester_id=requester.id,
        title="Access to reports",
        kind=RequestKind.ACCESS,
        impact=Level.CRITICAL,
        urgency=Level.HIGH,
        priority=priority,
        status=moves[-1][1],
        created_at=moves[0][0],
    )
    session.add(request)
    await session.flush()
    before = None
    for at, status in moves:
        session.add(
            RequestStatusChange(request_id=request.id, from_status=before, to_status=status, at=at)
        )
        before = status
    await session.flush()
    return request


async def incident_with_moves(
    session: AsyncSession,
    moves: Sequence[tuple[datetime, IncidentStatus]],
    *,
    service_ids: Sequence[uuid.UUID],
    severity: Severity = Severity.SEV1,
) -> Incident:
    """An incident on these services that made these moves (the first is its detection)."""
    incident = Incident(
        id=uuid.uuid4(),
        title="Checkout is down",
        severity=severity,
        source=IncidentSource.MONITORING,
        status=moves[-1][1],
        detected_at=moves[0][0],
        status_changed_at=moves[-1][0],
    )
    session.add(incident)
    await session.flush()
    await session.execute(
        incident_service.insert().values(
            [{"incident_id": incident.id, "service_id": key} for key in service_ids]
        )
    )
    before = None
    for at, status in moves:
        session.add(
            IncidentStatusChange(
                incident_id=incident.id, from_status=before, to_status=status, at=at
            )
        )
        before = status
    # The record keeps the time of its last move into each stamped state, as the actions do.
    stamps = {
        IncidentStatus.ACKNOWLEDGED: "acknowledged_at",
        IncidentStatus.MITIGATED: "mitigated_at",
        IncidentStatus.RESOLVED: "resolved_at",
        IncidentStatus.CLOSED: "closed_at",
    }
    for at, status in moves:
        if status in stamps:
            setattr(incident, stamps[status], at)
    await session.flush()
    return incident
