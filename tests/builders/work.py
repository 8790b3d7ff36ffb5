"""Builders for work: backlog items, sprints, releases, service requests and incidents (also
with their moves at chosen times, built straight in the database)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from tests.builders.catalog import create_service
from tests.builders.identity import create_person
from work.backlog import repository
from work.backlog.models import BacklogItem, BacklogItemStatus, BacklogItemType, Sprint
from work.incidents.models import (
    Incident,
    IncidentSource,
    IncidentStatus,
    IncidentStatusChange,
    Severity,
    incident_service,
)
from work.releases.models import Release, ReleaseKind, release_service
from work.requests.models import (
    Level,
    Priority,
    RequestKind,
    RequestStatus,
    RequestStatusChange,
    ServiceRequest,
)

_numbers = itertools.count(1)


async def create_item(
    session: AsyncSession, *, team_id: uuid.UUID, **overrides: Any
) -> BacklogItem:
    """An item at the bottom of the team's backlog."""
    backlog = await repository.backlog_of_team(session, team_id)
    values = {
        "backlog_id": backlog.id,
        "type": BacklogItemType.FEATURE,
        "status": BacklogItemStatus.NEW,
        "title": f"Item {next(_numbers)}",
        "rank": await repository.next_rank(session, backlog.id),
        **overrides,
    }
    item = BacklogItem(**values)
    session.add(item)
    await session.flush()
    return item


async def create_sprint(session: AsyncSession, *, team_id: uuid.UUID, **overrides: Any) -> Sprint:
    values = {
        "name": f"Sprint {next(_numbers)}",
        "starts_on": date(2026, 3, 2),
        "ends_on": date(2026, 3, 13),
        **overrides,
    }
    sprint = Sprint(team_id=team_id, **values)
    session.add(sprint)
    await session.flush()
    return sprint


async def create_release(
    session: AsyncSession,
    *,
    owner_team_id: uuid.UUID,
    service_ids: tuple[uuid.UUID, ...] = (),
    **overrides: Any,
) -> Release:
    values = {"name": f"Release {next(_numbers)}", "kind": ReleaseKind.REGULAR, **overrides}
    release = Release(owner_team_id=owner_team_id, **values)
    session.add(release)
    await session.flush()
    if service_ids:
        await session.execute(
            release_service.insert(),
            [{"release_id": release.id, "service_id": key} for key in service_ids],
        )
    return release


async def create_request(
    session: AsyncSession,
    *,
    service_id: uuid.UUID,
    requester_id: uuid.UUID,
    status: RequestStatus = RequestStatus.NEW,
    **overrides: Any,
) -> ServiceRequest:
    """A request already in `status`, with the status change that brought it there."""
    values: dict[str, Any] = {
        "title": "Give me access",
        "body": "To the reports",
        "kind": RequestKind.ACCESS,
        "impact": Level.MEDIUM,
        "urgency": Level.MEDIUM,
        "priority": Priority.P3,
        "created_at": utcnow(),  # the wall clock: a transaction's now() would tie them all
        **overrides,
    }
    if status is RequestStatus.FULFILLED:
        values.setdefault("fulfilled_at", utcnow())
    request = ServiceRequest(
        id=uuid.uuid4(), service_id=service_id, requester_id=requester_id, status=status, **values
    )
    session.add(request)
    await session.flush()
    session.add(RequestStatusChange(request_id=request.id, to_status=status, at=utcnow()))
    await session.flush()
    return request


async def create_incident(
    session: AsyncSession,
    *,
    service_ids: Sequence[uuid.UUID],
    status: IncidentStatus = IncidentStatus.DETECTED,
    detected_at: datetime | None = None,
    **overrides: Any,
) -> Incident:
    at = detected_at or utcnow()
    values: dict[str, Any] = {
        "title": "Checkout is down",
        "severity": Severity.SEV2,
        "source": IncidentSource.USER_REPORT,
        "detected_at": at,
        "status_changed_at": at,
        "created_at": utcnow(),
        **overrides,
    }
    incident = Incident(id=uuid.uuid4(), status=status, **values)
    session.add(incident)
    await session.flush()
    await session.execute(
        incident_service.insert().values(
            [{"incident_id": incident.id, "service_id": key} for key in service_ids]
        )
    )
    session.add(IncidentStatusChange(incident_id=incident.id, to_status=status, at=at))
    await session.flush()
    return incident


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
        service_id = (await create_service(session, **service)).id
    requester = await create_person(session)
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
