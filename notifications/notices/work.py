"""INCIDENT_OPENED, REQUEST_ESCALATED and RELEASE_SHIPPED: one notice per occurrence."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service
from core.clock import utcnow
from notifications.models import NotificationEvent
from notifications.notices.ids import global_id, when
from notifications.outbox import Notice
from work.backlog.models import BacklogItem
from work.incidents.models import Incident, Severity, incident_service
from work.releases.models import Release, release_service
from work.requests.models import ServiceRequest


def _names(services: Sequence[tuple[uuid.UUID, str]]) -> str:
    return ", ".join(name for _, name in services) or "no service"


async def incident_opened_notices(
    session: AsyncSession, incident_ids: Sequence[uuid.UUID]
) -> list[Notice]:
    """One notice per incident, with its severity (for channels' minSeverity), in one statement."""
    if not incident_ids:
        return []
    rows = await session.execute(
        select(Incident, Service.id, Service.name)
        .join(incident_service, incident_service.c.incident_id == Incident.id)
        .join(Service, Service.id == incident_service.c.service_id)
        .where(Incident.id.in_(list(incident_ids)))
        .order_by(Incident.id, Service.name, Service.id)
    )
    found: dict[uuid.UUID, tuple[Incident, list[tuple[uuid.UUID, str]]]] = {}
    for incident, service_id, name in rows:
        found.setdefault(incident.id, (incident, []))[1].append((service_id, name))
    return [
        Notice(
            event=NotificationEvent.INCIDENT_OPENED,
            key=f"incident-opened:{incident.id}",
            occurred_at=incident.detected_at,
            data={
                "incidentId": global_id("Incident", incident.id),
                "serviceIds": [global_id("Service", key) for key, _ in services],
                "severity": str(incident.severity),
                "title": incident.title,
            },
            title=f"{incident.severity} incident opened: {incident.title}",
            lines=(f"Services: {_names(services)}", f"Detected {when(incident.detected_at)}"),
            service_ids=tuple(key for key, _ in services),
            severity=Severity(incident.severity),
        )
        for incident, services in found.values()
    ]


async def request_escalated_notices(
    session: AsyncSession, request_id: uuid.UUID, at: datetime
) -> list[Notice]:
    """The notice of a request's escalation to its vendor (one statement)."""
    row = (
        await session.execute(
            select(ServiceRequest, Service.name)
            .join(Service, Service.id == ServiceRequest.service_id)
            .where(ServiceRequest.id == request_id)
        )
    ).one_or_none()
    if row is None:
        return []
    request, service_name = row
    case = request.vendor_case_number or request.vendor_case_id
    return [
        Notice(
            event=NotificationEvent.REQUEST_ESCALATED,
            key=f"request-escalated:{request.id}:{at.isoformat()}",
            occurred_at=at,
            data={
                "requestId": global_id("ServiceRequest", request.id),
                "serviceId": global_id("Service", request.service_id),
                "priority": str(request.priority),
                "vendorCaseNumber": request.vendor_case_number,
            },
            title=f"{request.priority} request escalated to the vendor: {request.title}",
            lines=(f"Service: {service_name}", f"Vendor case: {case or 'unknown'}"),
            service_ids=(request.service_id,),
        )
    ]


async def release_shipped_notices(session: AsyncSession, release_id: uuid.UUID) -> list[Notice]:
    """The notice of a shipped release, with its services and item count (two statements)."""
    release = await session.get(Release, release_id)
    if release is None:
        return []
    items = select(func.count()).where(BacklogItem.release_id == release_id).scalar_subquery()
    rows = await session.execute(
        select(Service.id, Service.name, items)
        .join(release_service, release_service.c.service_id == Service.id)
        .where(release_service.c.release_id == release_id)
        .order_by(Service.name, Service.id)
    )
    found = rows.all()
    services = [(row[0], row[1]) for row in found]
    count = found[0][2] if found else 0
    shipped_at = release.released_at or utcnow()
    label = f"{release.name} {release.version_label}" if release.version_label else release.name
    return [
        Notice(
            event=NotificationEvent.RELEASE_SHIPPED,
            key=f"release-shipped:{release.id}:{shipped_at.isoformat()}",
            occurred_at=shipped_at,
            data={
                "releaseId": global_id("Release", release.id),
                "serviceIds": [global_id("Service", key) for key, _ in services],
                "name": release.name,
                "versionLabel": release.version_label,
            },
            title=f"Release shipped: {label}",
            lines=(f"Services: {_names(services)}", f"Items: {count}"),
            service_ids=tuple(key for key, _ in services),
        )
    ]
