"""Reads of the per-org dates of seasonal releases (release_org_schedule)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from catalog.orgs.models import SalesforceOrg
from work.releases.models import ReleaseOrgSchedule


async def schedules_by_release_ids(
    session: AsyncSession, release_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ReleaseOrgSchedule]]:
    """Each release's org dates, earliest production upgrade first, with their orgs."""
    rows = await session.scalars(
        select(ReleaseOrgSchedule)
        .join(SalesforceOrg, SalesforceOrg.id == ReleaseOrgSchedule.salesforce_org_id)
        .where(ReleaseOrgSchedule.release_id.in_(release_ids))
        .options(selectinload(ReleaseOrgSchedule.salesforce_org))
        .order_by(
            ReleaseOrgSchedule.release_id,
            ReleaseOrgSchedule.production_on.asc().nulls_last(),
            SalesforceOrg.name,
            SalesforceOrg.id,
        )
    )
    found: dict[uuid.UUID, list[ReleaseOrgSchedule]] = {key: [] for key in release_ids}
    for row in rows:
        found[row.release_id].append(row)
    return found
