"""Every statement of the Trust snapshot: upserts by Trust id, the feeds' sync state, reads."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs.models import SalesforceOrg
from catalog.trust.models import TrustSync, VendorIncident, VendorMaintenance
from salesforce.trust import TrustIncident, TrustMaintenance

MAX_PER_ORG = 50


async def instance_keys(session: AsyncSession) -> list[str]:
    """The instances the catalog's live orgs run on."""
    found = await session.scalars(
        select(SalesforceOrg.instance_key)
        .where(SalesforceOrg.instance_key.is_not(None), SalesforceOrg.archived_at.is_(None))
        .distinct()
        .order_by(SalesforceOrg.instance_key)
    )
    return [key for key in found if key]


async def upsert_incidents(
    session: AsyncSession, incidents: Sequence[TrustIncident], now: datetime
) -> None:
    rows = [
        {
            "trust_id": item.id,
            "instance_keys": list(item.instance_keys),
            "service_keys": list(item.service_keys),
            "is_core": item.is_core,
            "affects_all": item.affects_all,
            "severity": item.severity,
            "impact_type": item.impact_type,
            "message": item.message,
            "started_at": item.started_at or now,
            "ended_at": item.ended_at,
            "trust_updated_at": item.updated_at,
            "synced_at": now,
        }
        for item in {incident.id: incident for incident in incidents}.values()
    ]
    if not rows:
        return
    statement = insert(VendorIncident).values(rows)
    changed = {name: statement.excluded[name] for name in rows[0] if name != "trust_id"} | {
        "updated_at": func.now()
    }
    await session.execute(
        statement.on_conflict_do_update(index_elements=["trust_id"], set_=changed)
    )


async def upsert_maintenances(
    session: AsyncSession, maintenances: Sequence[TrustMaintenance], now: datetime
) -> None:
    rows = [
        {
            "trust_id": item.id,
            "name": item.name[:300],
            "instance_keys": list(item.instance_keys),
            "planned_start": item.planned_start,
            "planned_end": item.planned_end,
            "event_type": item.event_type,
            "release_type": item.release_type,
            "availability": item.availability,
            "synced_at": now,
        }
        for item in {maintenance.id: maintenance for maintenance in maintenances}.values()
    ]
    if not rows:
        return
    statement = insert(VendorMaintenance).values(rows)
    changed = {name: statement.excluded[name] for name in rows[0] if name != "trust_id"} | {
        "updated_at": func.now()
    }
    await session.execute(
        statement.on_conflict_do_update(index_elements=["trust_id"], set_=changed)
    )


async def record_sync(session: AsyncSession, feed: str, now: datetime, error: str | None) -> None:
    """A feed read in full (`error` None) moves `synced_at`; a failure only notes itself."""
    values = {"feed": feed, "attempted_at": now, "error": error}
    statement = insert(TrustSync).values(**values, synced_at=now if error is None else None)
    changed = {"attempted_at": now, "error": error}
    if error is None:
        changed["synced_at"] = now
    await session.execute(statement.on_conflict_do_update(index_elements=["feed"], set_=changed))


async def sync_state(session: AsyncSession, feed: str) -> TrustSync | None:
    return await session.get(TrustSync, feed)


async def vendor_incidents_by_org_ids(
    session: AsyncSession, org_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[VendorIncident]]:
    """Each org's instance's vendor incidents, newest first (at most MAX_PER_ORG)."""
    orgs = (
        await session.execute(
            select(SalesforceOrg.id, SalesforceOrg.instance_key).where(
                SalesforceOrg.id.in_(org_ids)
            )
        )
    ).all()
    keys = sorted({key for _, key in orgs if key})
    found: dict[uuid.UUID, list[VendorIncident]] = {org_id: [] for org_id in org_ids}
    if not keys:
        return found
    incidents = (
        await session.scalars(
            select(VendorIncident)
            .where(
                or_(
                    VendorIncident.affects_all,
                    VendorIncident.instance_keys.overlap(keys),
                )
            )
            .order_by(VendorIncident.started_at.desc(), VendorIncident.id)
            .limit(MAX_PER_ORG * len(keys))
        )
    ).all()
    for org_id, key in orgs:
        if key:
            found[org_id] = [
                item for item in incidents if item.affects_all or key in item.instance_keys
            ][:MAX_PER_ORG]
    return found


async def vendor_incidents_by_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, VendorIncident]:
    found = await session.scalars(select(VendorIncident).where(VendorIncident.id.in_(ids)))
    return {item.id: item for item in found}


async def get_by_trust_id(session: AsyncSession, trust_id: int) -> VendorIncident | None:
    return await session.scalar(select(VendorIncident).where(VendorIncident.trust_id == trust_id))


async def major_releases(session: AsyncSession, since: datetime) -> list[VendorMaintenance]:
    """Major release maintenances planned to end after `since`, earliest first."""
    found = await session.scalars(
        select(VendorMaintenance)
        .where(
            and_(
                VendorMaintenance.event_type == "release",
                func.lower(VendorMaintenance.release_type) == "major",
                VendorMaintenance.planned_end >= since,
            )
        )
        .order_by(VendorMaintenance.planned_start, VendorMaintenance.id)
    )
    return list(found)
