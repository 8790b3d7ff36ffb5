"""CLOCK_WARNING and CLOCK_BREACHED: one notice per clock crossing the job recorded."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service
from notifications.models import NotificationEvent
from notifications.notices.ids import global_id, integer_global_id, when
from notifications.outbox import Notice
from service_levels.clock_events import RecordedCrossing
from service_levels.models import ClockSubjectKind, ClockThreshold
from work.incidents.models import Incident, Severity, incident_service
from work.requests.models import ServiceRequest

EVENTS = {
    ClockThreshold.WARNING: NotificationEvent.CLOCK_WARNING,
    ClockThreshold.BREACHED: NotificationEvent.CLOCK_BREACHED,
}
# How each clock is named for each kind of record (SPEC: acknowledge and restore).
CLOCK_NAMES = {
    (ClockSubjectKind.REQUEST, "RESPONSE"): "response",
    (ClockSubjectKind.REQUEST, "RESOLUTION"): "resolution",
    (ClockSubjectKind.INCIDENT, "RESPONSE"): "acknowledge",
    (ClockSubjectKind.INCIDENT, "RESOLUTION"): "restore",
}


@dataclass(frozen=True)
class _Subject:
    label: str  # "P1 request" or "SEV1 incident"
    title: str
    service_ids: tuple[uuid.UUID, ...]
    severity: Severity | None = None


async def _subjects(
    session: AsyncSession, crossings: Sequence[RecordedCrossing]
) -> dict[uuid.UUID, _Subject]:
    """The requests and incidents crossed, labelled (two statements at most)."""
    ids = {
        kind: {item.crossing.subject_id for item in crossings if item.crossing.subject_kind is kind}
        for kind in ClockSubjectKind
    }
    found: dict[uuid.UUID, _Subject] = {}
    if ids[ClockSubjectKind.REQUEST]:
        rows = await session.execute(
            select(
                ServiceRequest.id,
                ServiceRequest.priority,
                ServiceRequest.title,
                ServiceRequest.service_id,
            ).where(ServiceRequest.id.in_(sorted(ids[ClockSubjectKind.REQUEST])))
        )
        for key, priority, title, service_id in rows:
            found[key] = _Subject(f"{priority} request", title, (service_id,))
    if ids[ClockSubjectKind.INCIDENT]:
        rows = await session.execute(
            select(Incident.id, Incident.severity, Incident.title, incident_service.c.service_id)
            .join(incident_service, incident_service.c.incident_id == Incident.id)
            .where(Incident.id.in_(sorted(ids[ClockSubjectKind.INCIDENT])))
            .order_by(Incident.id, incident_service.c.service_id)
        )
        for key, severity, title, service_id in rows:
            known = found.get(key)
            services = (*known.service_ids, service_id) if known else (service_id,)
            found[key] = _Subject(f"{severity} incident", title, services, Severity(severity))
    return found


async def _service_names(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await session.execute(
        select(Service.id, Service.name).where(Service.id.in_(sorted(ids)))
    )
    return {row[0]: row[1] for row in rows}


async def clock_event_notices(
    session: AsyncSession, recorded: Sequence[RecordedCrossing]
) -> list[Notice]:
    """The notices of these clock events (three statements at most, however many)."""
    if not recorded:
        return []
    subjects = await _subjects(session, recorded)
    names = await _service_names(session, {item.crossing.service_id for item in recorded})
    notices = []
    for item in recorded:
        crossing = item.crossing
        subject = subjects.get(crossing.subject_id)
        if subject is None:
            continue
        kind = crossing.subject_kind
        clock_name = CLOCK_NAMES[(kind, crossing.clock.value)]
        is_request = kind is ClockSubjectKind.REQUEST
        subject_key = "requestId" if is_request else "incidentId"
        type_name = "ServiceRequest" if is_request else "Incident"
        due = f"due {when(crossing.due_at)}" if crossing.due_at is not None else "due time unknown"
        if crossing.threshold is ClockThreshold.BREACHED:
            title = f"{subject.label} “{subject.title}” breached its {clock_name} target"
        else:
            title = f"{subject.label} “{subject.title}” is close to its {clock_name} target"
        notices.append(
            Notice(
                event=EVENTS[crossing.threshold],
                key=f"clock:{kind.value}:{crossing.subject_id}:{crossing.clock.value}:{crossing.threshold.value}",
                occurred_at=crossing.crossed_at,
                data={
                    "clockEventId": integer_global_id("ClockEvent", item.id),
                    subject_key: global_id(type_name, crossing.subject_id),
                    "serviceId": global_id("Service", crossing.service_id),
                    "clock": crossing.clock.value,
                    "threshold": crossing.threshold.value,
                    "dueAt": crossing.due_at.isoformat() if crossing.due_at else None,
                },
                title=title,
                lines=(
                    f"Service: {names.get(crossing.service_id, 'unknown')}",
                    f"{clock_name.capitalize()} target {due}",
                ),
                service_ids=subject.service_ids,
                severity=subject.severity,
            )
        )
    return notices
