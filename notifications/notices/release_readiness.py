"""RELEASE_READINESS_DUE: a release planned to ship within the lead time with services whose
readiness is not assessed, or assessed not ready; to the channels of its services, once per
(release, planned date). And for a seasonal release, once per (release, org): two weeks before
the org's production upgrade (release_org_schedule), for the services on that org not ready."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs.models import SalesforceOrg
from catalog.services.models import Service, service_salesforce_org
from notifications.models import NotificationEvent
from notifications.notices.ids import global_id
from notifications.outbox import Notice
from work.releases.models import (
    ReadinessAssessment,
    Release,
    ReleaseOrgSchedule,
    ReleaseStatus,
    release_service,
)

LEAD_TIME = timedelta(days=7)
ORG_LEAD_TIME = timedelta(days=14)


@dataclass
class _Due:
    release: Release
    ships_on: date
    services: list[uuid.UUID] = field(default_factory=list)
    unready: list[str] = field(default_factory=list)


async def readiness_due_notices(session: AsyncSession, now: datetime) -> list[Notice]:
    """One notice per release shipping from today to the lead time ahead (its planned date, or
    a seasonal release's production date) that a service is not ready for (one statement)."""
    today = now.date()
    ships_on = func.coalesce(Release.planned_on, Release.production_on)
    rows = await session.execute(
        select(Release, ships_on, Service.id, Service.name, ReadinessAssessment.ready)
        .join(release_service, release_service.c.release_id == Release.id)
        .join(Service, Service.id == release_service.c.service_id)
        .outerjoin(
            ReadinessAssessment,
            and_(
                ReadinessAssessment.release_id == Release.id,
                ReadinessAssessment.service_id == Service.id,
            ),
        )
        .where(
            Release.status.in_([ReleaseStatus.PLANNED, ReleaseStatus.IN_PROGRESS]),
            ships_on.between(today, today + LEAD_TIME),
            Service.archived_at.is_(None),
        )
        .order_by(Release.id, Service.name, Service.id)
    )
    found: dict[uuid.UUID, _Due] = {}
    for release, planned, service_id, service_name, ready in rows:
        due = found.setdefault(release.id, _Due(release, planned))
        due.services.append(service_id)
        if not ready:
            state = "not assessed" if ready is None else "not ready"
            due.unready.append(f"{service_name}: {state}")
    return [
        *_release_notices(found.values(), now),
        *await org_upgrade_notices(session, now),
    ]


def _release_notices(dues: Iterable[_Due], now: datetime) -> list[Notice]:
    return [
        Notice(
            event=NotificationEvent.RELEASE_READINESS_DUE,
            key=f"release-readiness:{due.release.id}:{due.ships_on.isoformat()}",
            occurred_at=now,
            data={
                "releaseId": global_id("Release", due.release.id),
                "serviceIds": [global_id("Service", key) for key in due.services],
                "plannedOn": due.ships_on.isoformat(),
            },
            title=f"Readiness due: {due.release.name} ships on {due.ships_on.isoformat()}",
            lines=tuple(due.unready),
            service_ids=tuple(due.services),
        )
        for due in dues
        if due.unready
    ]


@dataclass
class _OrgDue:
    release: Release
    org_id: uuid.UUID
    org_name: str
    upgrade_on: date
    services: list[uuid.UUID] = field(default_factory=list)
    unready: list[str] = field(default_factory=list)


async def org_upgrade_notices(session: AsyncSession, now: datetime) -> list[Notice]:
    """One notice per (seasonal release, org) whose production upgrade is from today to two
    weeks ahead, naming the services on the org not ready for it (one statement)."""
    today = now.date()
    schedule = ReleaseOrgSchedule
    rows = await session.execute(
        select(
            Release,
            schedule.salesforce_org_id,
            SalesforceOrg.name,
            schedule.production_on,
            Service.id,
            Service.name,
            ReadinessAssessment.ready,
        )
        .join(schedule, schedule.release_id == Release.id)
        .join(SalesforceOrg, SalesforceOrg.id == schedule.salesforce_org_id)
        .join(
            service_salesforce_org,
            service_salesforce_org.c.salesforce_org_id == schedule.salesforce_org_id,
        )
        .join(Service, Service.id == service_salesforce_org.c.service_id)
        .outerjoin(
            ReadinessAssessment,
            and_(
                ReadinessAssessment.release_id == Release.id,
                ReadinessAssessment.service_id == Service.id,
            ),
        )
        .where(
            Release.status.in_([ReleaseStatus.PLANNED, ReleaseStatus.IN_PROGRESS]),
            schedule.production_on.between(today, today + ORG_LEAD_TIME),
            Service.archived_at.is_(None),
        )
        .order_by(Release.id, SalesforceOrg.name, SalesforceOrg.id, Service.name, Service.id)
    )
    found: dict[tuple[uuid.UUID, uuid.UUID], _OrgDue] = {}
    for release, org_id, org_name, upgrade_on, service_id, service_name, ready in rows:
        if upgrade_on is None:  # never: the filter needs a date
            continue
        due = found.setdefault((release.id, org_id), _OrgDue(release, org_id, org_name, upgrade_on))
        if not ready:
            due.services.append(service_id)
            due.unready.append(
                f"{service_name}: {'not assessed' if ready is None else 'not ready'}"
            )
    return [
        Notice(
            event=NotificationEvent.RELEASE_READINESS_DUE,
            key=f"release-readiness:{due.release.id}:org:{due.org_id}",
            occurred_at=now,
            data={
                "releaseId": global_id("Release", due.release.id),
                "salesforceOrgId": global_id("SalesforceOrg", due.org_id),
                "serviceIds": [global_id("Service", key) for key in due.services],
                "plannedOn": due.upgrade_on.isoformat(),
            },
            title=(
                f"Readiness due: {due.org_name} upgrades to {due.release.name}"
                f" on {due.upgrade_on.isoformat()}"
            ),
            lines=tuple(due.unready),
            service_ids=tuple(due.services),
        )
        for due in found.values()
        if due.unready
    ]
