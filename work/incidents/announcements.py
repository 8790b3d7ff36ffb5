"""Incidents announced to live subscribers when their change commits (core/notifications)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Text, func, literal, select
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.ext.asyncio import AsyncSession

from core.notifications import Channel
from work.incidents.models import Incident, incident_service


async def announce_incidents(session: AsyncSession, incident_ids: Sequence[uuid.UUID]) -> None:
    """One notification per incident (its id, status and services), in one statement."""
    if not incident_ids:
        return
    service_ids = func.coalesce(
        func.array_agg(incident_service.c.service_id).filter(
            incident_service.c.service_id.is_not(None)
        ),
        array([], type_=incident_service.c.service_id.type),
    )
    payload = func.json_build_object(
        literal("id"),
        Incident.id,
        literal("kind"),
        literal("CHANGED"),
        literal("status"),
        Incident.status,
        literal("serviceIds"),
        service_ids,
    )
    await session.execute(
        select(func.pg_notify(Channel.INCIDENTS.value, payload.cast(Text)))
        .select_from(Incident)
        .outerjoin(incident_service, incident_service.c.incident_id == Incident.id)
        .where(Incident.id.in_(list(incident_ids)))
        .group_by(Incident.id, Incident.status)
    )
