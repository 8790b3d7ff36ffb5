"""Freezes around a seasonal Salesforce upgrade, made by the autopilot: each active service on
a production org is frozen from two days before the org's production upgrade to the day
after it, so nothing of ours ships while Salesforce changes underneath (hot fixes still
may; an ADMIN may override with a reason).

One window per (release, org, service), found again by its reason, so a second run creates
nothing and a date moved by the maintenance calendar moves the window.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs.models import OrgKind, SalesforceOrg
from catalog.services.models import Lifecycle, Service, service_salesforce_org
from work.releases.models import FreezeScope, FreezeWindow, Release

DAYS_BEFORE = 2
DAYS_AFTER = 1
CREATED_BY = "job:seasonal-release-autopilot"
ACTIVE = (Lifecycle.PLANNED, Lifecycle.BUILDING, Lifecycle.LIVE, Lifecycle.DEPRECATED)


def freeze_span(upgrade_on: date) -> tuple[datetime, datetime]:
    midnight = datetime.combine(upgrade_on, time(), tzinfo=UTC)
    return midnight - timedelta(days=DAYS_BEFORE), midnight + timedelta(days=DAYS_AFTER + 1)


def freeze_reason(release: Release, org: SalesforceOrg) -> str:
    return f"{release.name}: Salesforce upgrades {org.name} (seasonal release autopilot)"


async def freeze_upgrades(
    session: AsyncSession, release: Release, upgrades: dict[uuid.UUID, date]
) -> int:
    """Create or move the freezes of the production orgs' upgrades (`upgrades`: org id → its
    production upgrade day); the number of windows created or moved."""
    orgs = {
        org.id: org
        for org in await session.scalars(
            select(SalesforceOrg).where(
                SalesforceOrg.id.in_(list(upgrades)), SalesforceOrg.kind == OrgKind.PRODUCTION
            )
        )
    }
    if not orgs:
        return 0
    on_orgs = (
        await session.execute(
            select(service_salesforce_org.c.salesforce_org_id, Service.id)
            .join(Service, Service.id == service_salesforce_org.c.service_id)
            .where(
                service_salesforce_org.c.salesforce_org_id.in_(list(orgs)),
                Service.archived_at.is_(None),
                Service.lifecycle.in_(ACTIVE),
            )
        )
    ).all()
    wanted = {
        (service_id, freeze_reason(release, orgs[org_id])): freeze_span(upgrades[org_id])
        for org_id, service_id in on_orgs
    }
    if not wanted:
        return 0
    existing = {
        (window.service_id, window.reason): window
        for window in await session.scalars(
            select(FreezeWindow).where(
                FreezeWindow.scope == FreezeScope.SERVICE,
                FreezeWindow.service_id.in_({service_id for service_id, _ in wanted}),
                FreezeWindow.reason.in_({reason for _, reason in wanted}),
            )
        )
    }
    changed = 0
    for (service_id, reason), (starts_at, ends_at) in sorted(wanted.items(), key=str):
        window = existing.get((service_id, reason))
        if window is None:
            session.add(
                FreezeWindow(
                    scope=FreezeScope.SERVICE,
                    service_id=service_id,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    reason=reason,
                    created_by=CREATED_BY,
                )
            )
            changed += 1
        elif (window.starts_at, window.ends_at) != (starts_at, ends_at):
            window.starts_at, window.ends_at = starts_at, ends_at
            changed += 1
    await session.flush()
    return changed
