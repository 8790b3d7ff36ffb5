"""An incident linked to the Trust incident that caused it, or unlinked again (owner teams of
the affected services, or ADMIN): the link makes the overlap count against the vendor."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.trust import actions as trust
from core.errors import AccessDenied
from core.events import IncidentsChanged, publish
from core.records import check_version, require_found
from identity.principal import Principal
from work.incidents import repository
from work.incidents.models import Incident


async def _owned_incident(
    session: AsyncSession, principal: Principal, incident_id: uuid.UUID, version: int | None
) -> Incident:
    incident = require_found(
        await repository.lock(session, incident_id), what="incident", field="incidentId"
    )
    if not principal.is_admin and not (
        principal.team_ids & await repository.owner_team_ids(session, incident.id)
    ):
        raise AccessDenied(
            "linking an incident to a Trust incident is reserved to the affected services'"
            " teams and ADMIN"
        )
    check_version(incident, version)
    return incident


async def link_vendor_incident(
    session: AsyncSession,
    *,
    principal: Principal,
    incident_id: uuid.UUID,
    trust_id: int,
    version: int | None = None,
) -> Incident:
    """Name the Trust incident (by its number) that caused this one."""
    incident = await _owned_incident(session, principal, incident_id, version)
    vendor = require_found(
        await trust.vendor_incident_by_trust_id(session, trust_id),
        what="Trust incident (not synced yet, or no such number)",
        field="trustId",
    )
    if incident.vendor_incident_id != vendor.id:
        incident.vendor_incident_id = vendor.id
        await session.flush()
        await publish(session, IncidentsChanged((incident.id,)))
    return incident


async def unlink_vendor_incident(
    session: AsyncSession,
    *,
    principal: Principal,
    incident_id: uuid.UUID,
    version: int | None = None,
) -> Incident:
    """Drop the named Trust incident (overlapping ones still count against the vendor)."""
    incident = await _owned_incident(session, principal, incident_id, version)
    if incident.vendor_incident_id is not None:
        incident.vendor_incident_id = None
        await session.flush()
        await publish(session, IncidentsChanged((incident.id,)))
    return incident
