"""Every SQL statement about incidents, the services they affect and their status changes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Exists, Select, delete, exists, func, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.interfaces import ORMOption

from catalog.services.models import Service
from work.clock_filters import clock_conditions
from work.incidents.models import (
    OPEN_ALERT,
    Incident,
    IncidentSource,
    IncidentStatus,
    IncidentStatusChange,
    Severity,
    incident_service,
)
from work.incidents.transitions import OPEN
from work.value_streams import ValueStream

OPEN_STATUSES = tuple(sorted(OPEN))


@dataclass(frozen=True)
class IncidentFilter:
    service_id: uuid.UUID | None = None
    statuses: tuple[IncidentStatus, ...] = ()
    severities: tuple[Severity, ...] = ()
    sources: tuple[IncidentSource, ...] = ()
    value_streams: tuple[ValueStream, ...] = ()
    commander_id: uuid.UUID | None = None
    alert_key: str | None = None
    # "mine": commanded by this person, or on a service one of these teams owns.
    involving_id: uuid.UUID | None = None
    involving_team_ids: tuple[uuid.UUID, ...] = ()
    breaching_before: datetime | None = None
    breached: bool | None = None
    warning: bool | None = None


def _affects(service_condition: ColumnElement[bool]) -> Exists:
    """The incident affects a service meeting the condition."""
    return exists(
        select(incident_service.c.incident_id)
        .join(Service, Service.id == incident_service.c.service_id)
        .where(incident_service.c.incident_id == Incident.id, service_condition)
    )


def incidents_query(
    given: IncidentFilter, *, now: datetime | ColumnElement[datetime]
) -> Select[Incident]:
    statement = select(Incident)
    for column, values in (
        (Incident.status, given.statuses),
        (Incident.severity, given.severities),
        (Incident.source, given.sources),
        (Incident.value_stream, given.value_streams),
    ):
        if values:
            statement = statement.where(column.in_(values))
    if given.service_id is not None:
        statement = statement.where(
            exists().where(
                incident_service.c.incident_id == Incident.id,
                incident_service.c.service_id == given.service_id,
            )
        )
    if given.commander_id is not None:
        statement = statement.where(Incident.commander_id == given.commander_id)
    if given.alert_key is not None:
        statement = statement.where(Incident.alert_key == given.alert_key)
    if given.involving_id is not None:
        owned = _affects(Service.owner_team_id.in_(given.involving_team_ids))
        statement = statement.where(or_(Incident.commander_id == given.involving_id, owned))
    if given.breaching_before is not None:
        statement = statement.where(Incident.breach_at < given.breaching_before)
    return statement.where(
        *clock_conditions(
            Incident.breach_at,
            Incident.warning_at,
            breached=given.breached,
            warning=given.warning,
            now=now,
        )
    )


async def upsert_alert(
    session: AsyncSession,
    *,
    incident_id: uuid.UUID,
    source: IncidentSource,
    alert_key: str | None,
    title: str,
    severity: Severity,
    detected_at: datetime,
    seen_at: datetime,
) -> tuple[uuid.UUID, bool]:
    """Open an incident for the alert, or fold a repeat into the open one: (id, opened).

    One statement, arbitrated by the partial unique index on open alerts, so concurrent
    repeats of one alert store one incident. A repeat takes the latest title, raises the
    severity but never lowers it (SEV1 sorts first), and counts itself.
    """
    values = insert(Incident).values(
        id=incident_id,
        title=title,
        severity=severity,
        source=source,
        alert_key=alert_key,
        status=IncidentStatus.DETECTED,
        detected_at=detected_at,
        status_changed_at=detected_at,
        last_alert_at=seen_at,
    )
    statement = values.on_conflict_do_update(
        index_elements=[Incident.source, Incident.alert_key],
        index_where=text(OPEN_ALERT),
        set_={
            "title": values.excluded.title,
            "severity": func.least(Incident.severity, values.excluded.severity),
            "alert_count": Incident.alert_count + 1,
            "last_alert_at": values.excluded.last_alert_at,
            "version": Incident.version + 1,
            "updated_at": func.now(),
        },
    ).returning(Incident.id, Incident.alert_count)
    row = (await session.execute(statement)).one()
    return row[0], row[1] == 1


async def lock(session: AsyncSession, incident_id: uuid.UUID) -> Incident | None:
    """The incident, locked for this transaction and read fresh."""
    return await session.scalar(
        select(Incident)
        .where(Incident.id == incident_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def service_ids(session: AsyncSession, incident_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(incident_service.c.service_id)
        .where(incident_service.c.incident_id == incident_id)
        .order_by(incident_service.c.service_id)
    )
    return list(rows)


async def add_services(
    session: AsyncSession, incident_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> None:
    if ids:
        await session.execute(
            insert(incident_service)
            .values([{"incident_id": incident_id, "service_id": key} for key in ids])
            .on_conflict_do_nothing()
        )


async def replace_services(
    session: AsyncSession, incident_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> None:
    await session.execute(
        delete(incident_service).where(incident_service.c.incident_id == incident_id)
    )
    await add_services(session, incident_id, ids)


async def open_by_service(
    session: AsyncSession, service_ids: Sequence[uuid.UUID], options: Sequence[ORMOption] = ()
) -> dict[uuid.UUID, list[Incident]]:
    """Incidents not yet RESOLVED or CLOSED affecting each service, newest first: one statement."""
    rows = await session.execute(
        select(incident_service.c.service_id, Incident)
        .join(Incident, Incident.id == incident_service.c.incident_id)
        .where(
            incident_service.c.service_id.in_(service_ids),
            Incident.status.in_(OPEN_STATUSES),
        )
        .order_by(Incident.created_at.desc(), Incident.id.desc())
        .options(*options)
    )
    found: dict[uuid.UUID, list[Incident]] = {key: [] for key in service_ids}
    for service_id, incident in rows.tuples():
        found[service_id].append(incident)
    return found


async def owner_team_ids(session: AsyncSession, incident_id: uuid.UUID) -> set[uuid.UUID]:
    """The teams owning the services the incident affects."""
    rows = await session.scalars(
        select(Service.owner_team_id)
        .join(incident_service, incident_service.c.service_id == Service.id)
        .where(incident_service.c.incident_id == incident_id)
    )
    return set(rows)


def record_status_change(
    session: AsyncSession,
    incident: Incident,
    before: IncidentStatus | None,
    *,
    actor: str | None,
    at: datetime,
    note: str | None = None,
) -> None:
    session.add(
        IncidentStatusChange(
            incident_id=incident.id,
            from_status=before,
            to_status=incident.status,
            at=at,
            actor=actor,
            note=note,
        )
    )
