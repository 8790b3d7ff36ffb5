"""What other domains ask of the Trust snapshot."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.trust import repository
from catalog.trust.models import VendorIncident, VendorMaintenance


async def vendor_incident_by_trust_id(
    session: AsyncSession, trust_id: int
) -> VendorIncident | None:
    """The synced Trust incident with this number, if the sync has read it."""
    return await repository.get_by_trust_id(session, trust_id)


async def major_release_maintenances(
    session: AsyncSession, since: datetime
) -> list[VendorMaintenance]:
    """The synced seasonal upgrades (major release maintenances) ending after `since`."""
    return await repository.major_releases(session, since)
