"""Business rules of incidents: report (idempotent per open alert), change, move, hot fixes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service
from core.clock import utcnow
from core.errors import AccessDenied, Invalid, NotFound, Required
from core.events import IncidentsChanged, IncidentsOpened, publish
from core.history import EXTRA_CHANGES_SETTING, note_extra_changes
from core.records import check_version, require_found
from core.repository import get_by_id, get_by_ids
from core.validation import optional_text, text_field
from identity.models import Person
from identity.principal import Principal, Role
from work.access import require_desk_user
from work.backlog import actions as work
from work.backlog.models import BacklogItem, BacklogItemType
from work.incidents import repository
from work.incidents.errors import InvalidTransition
from work.incidents.models import Incident, IncidentSource, IncidentStatus, Severity
from work.incidents.transitions import allowed_next, refusal_message, stamps_for
from work.value_streams import ValueStream, work_tag


def require_backfill(principal: Principal) -> None:
    """Only ADMIN and machine clients say when an event happened."""
    if not (principal.is_admin or principal.is_machine):
        raise AccessDenied("only ADMIN and machine clients may set the time of an event (at)")


def event_time(at: datetime | None, *, not_before: datetime | None = None) -> datetime:
    """The time of an event: now, or a back-filled time that is neither future nor out of order."""
    now = utcnow()
    if at is None:
        return now if not_before is None else max(now, not_before)
    if at.tzinfo is None:
        raise Invalid("at needs a time-zone offset", field=["at"])
    if at > now:
        raise Invalid("at is in the future", field=["at"])
    if not_before is not None and at < not_before:
        raise Invalid(
            f"at is before the incident's last move ({not_before.isoformat()});"
            " back-filled times must keep their order",
            field=["at"],
        )
    return at


async def _open_services(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        raise Required("name at least one affected service", field=["serviceIds"])
    found = await get_by_ids(session, Service, wanted)
    if len(found) != len(wanted) or any(s.archived_at is not None for s in found.values()):
        raise NotFound("no such service", field=["serviceIds"])
    return sorted(wanted)


async def _clear_extra_changes(session: AsyncSession) -> None:
    await session.execute(text("SELECT set_config(:key, '', true)"), {"key": EXTRA_CHANGES_SETTING})


async def _note_services(
    session: AsyncSession, incident_id: uuid.UUID, before: list[Any] | None, after: list[Any]
) -> None:
    change = {"field": "service_ids", "from": before, "to": after}
    await note_extra_changes(session, record_id=incident_id, changes=[change])


@dataclass(frozen=True)
class Alert:
    source: IncidentSource
    alert_key: str | None
    title: str
    severity: Severity
    service_ids: Sequence[uuid.UUID]


async def report_incident(
    session: AsyncSession, *, principal: Principal, alert: Alert, at: datetime | None = None
) -> Incident:
    """Open an incident, or fold a repeat of an open alert into it (never a second incident).

    A repeat takes the new title, raises the severity but never lowers it, and adds the
    services it names (removing one is `updateIncident`'s business).
    """
    require_desk_user(principal, action="reporting an incident")
    if at is not None:
        require_backfill(principal)
    detected_at = event_time(at)
    title = text_field(alert.title, field="title", max_length=200)
    key = optional_text(alert.alert_key, field="alertKey", max_length=200)
    service_ids = await _open_services(session, alert.service_ids)
    new_id = uuid.uuid4()
    await _note_services(session, new_id, None, [str(key) for key in service_ids])
    incident_id, opened = await repository.upsert_alert(
        session,
        incident_id=new_id,
        source=IncidentSource(alert.source),
        alert_key=key,
        title=title,
        severity=Severity(alert.severity),
        detected_at=detected_at,
        seen_at=utcnow(),
    )
    if opened:
        await repository.add_services(session, incident_id, service_ids)
    else:
        await _clear_extra_changes(session)
        await _add_services(session, incident_id, service_ids)
    incident = require_found(await repository.lock(session, incident_id), what="incident")
    if opened:
        repository.record_status_change(
            session, incident, None, actor=principal.actor, at=detected_at
        )
        await session.flush()
    await publish(session, IncidentsChanged((incident.id,)))
    if opened:
        await publish(session, IncidentsOpened((incident.id,)))
    return incident


async def _add_services(
    session: AsyncSession, incident_id: uuid.UUID, service_ids: list[uuid.UUID]
) -> None:
    current = await repository.service_ids(session, incident_id)
    wanted = sorted(set(current) | set(service_ids))
    if wanted != current:
        await _set_services(session, incident_id, current, wanted)


async def _set_services(
    session: AsyncSession, incident_id: uuid.UUID, current: list[uuid.UUID], wanted: list[uuid.UUID]
) -> None:
    """Change the affected services; the incident's version and history move with them."""
    await _note_services(
        session, incident_id, [str(key) for key in current], [str(key) for key in wanted]
    )
    await repository.replace_services(session, incident_id, wanted)
    await session.execute(
        text("UPDATE incident SET version = version + 1, updated_at = now() WHERE id = :id"),
        {"id": incident_id},
    )


async def require_responder(
    session: AsyncSession, principal: Principal, incident: Incident, *, action: str
) -> None:
    """Support agents, the commander, the owner teams of the affected services, or an ADMIN."""
    if principal.is_admin or principal.has_role(Role.SUPPORT_AGENT):
        return
    if principal.person_id is not None and principal.person_id == incident.commander_id:
        return
    if principal.team_ids & await repository.owner_team_ids(session, incident.id):
        return
    raise AccessDenied(
        f"{action} is reserved to support agents, the commander and the affected services' teams"
    )


async def responded_incident(
    session: AsyncSession,
    principal: Principal,
    incident_id: uuid.UUID,
    *,
    action: str,
    field: str = "id",
) -> Incident:
    """The incident, locked, once the caller is known to respond to it."""
    require_desk_user(principal, action=action)
    incident = require_found(
        await repository.lock(session, incident_id), what="incident", field=field
    )
    await require_responder(session, principal, incident, action=action)
    return incident


async def transition_incident(
    session: AsyncSession,
    *,
    principal: Principal,
    incident_id: uuid.UUID,
    version: int | None,
    to: IncidentStatus,
    at: datetime | None = None,
    root_cause: str | None = None,
    note: str | None = None,
) -> Incident:
    """Move an incident along its life cycle, stamping the time; RESOLVED -> ACKNOWLEDGED reopens.

    Only ADMIN and machine clients give the time (`at`); back-filled times keep their order.
    """
    require_desk_user(principal, action="moving an incident")
    if at is not None:
        require_backfill(principal)
    incident = await responded_incident(
        session, principal, incident_id, action="moving an incident"
    )
    check_version(incident, version)
    to = IncidentStatus(to)
    if to not in allowed_next(incident.status):
        raise InvalidTransition(refusal_message(incident.status, to), field=["to"])
    when = event_time(at, not_before=incident.status_changed_at)
    before = incident.status
    for name, value in stamps_for(before, to, when).items():
        setattr(incident, name, value)
    incident.status, incident.status_changed_at = to, when
    if root_cause is not None:
        incident.root_cause = optional_text(root_cause, field="rootCause", max_length=10_000)
    repository.record_status_change(
        session, incident, before, actor=principal.actor, at=when, note=note
    )
    await session.flush()
    await publish(session, IncidentsChanged((incident.id,)))
    return incident


@dataclass(frozen=True)
class IncidentFields:
    title: str | None = None
    severity: Severity | None = None
    commander_id: uuid.UUID | None = None
    root_cause: str | None = None
    people_hours: float | None = None
    value_stream: ValueStream | None = None
    service_ids: Sequence[uuid.UUID] | None = None


async def _changes(
    session: AsyncSession, fields: IncidentFields, given: frozenset[str]
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if "title" in given:
        changes["title"] = text_field(fields.title or "", field="title", max_length=200)
    if "severity" in given and fields.severity is not None:
        changes["severity"] = Severity(fields.severity)
    if "value_stream" in given and fields.value_stream is not None:
        changes["value_stream"] = work_tag(fields.value_stream)
    if "root_cause" in given:
        changes["root_cause"] = optional_text(
            fields.root_cause, field="rootCause", max_length=10_000
        )
    if "people_hours" in given:
        hours = fields.people_hours
        if hours is not None and hours < 0:
            raise Invalid("peopleHours must not be negative", field=["peopleHours"])
        changes["people_hours"] = hours
    if "commander_id" in given:
        commander = fields.commander_id
        if commander is not None:
            person = await get_by_id(session, Person, commander)
            if person is None or not person.active:
                raise NotFound("commanderId does not name an active person", field=["commanderId"])
        changes["commander_id"] = commander
    return changes


async def update_incident(
    session: AsyncSession,
    *,
    principal: Principal,
    incident_id: uuid.UUID,
    version: int | None,
    fields: IncidentFields,
    given: frozenset[str],
) -> Incident:
    """Change what an incident says: commander, root cause, people-hours, services..."""
    incident = await responded_incident(
        session, principal, incident_id, action="changing an incident"
    )
    check_version(incident, version)
    changes = await _changes(session, fields, given)
    if "service_ids" in given:
        wanted = await _open_services(session, fields.service_ids or [])
        current = await repository.service_ids(session, incident.id)
        if wanted != current:
            await _set_services(session, incident.id, current, wanted)
            await session.refresh(incident)
    for name, value in changes.items():
        if getattr(incident, name) != value:
            setattr(incident, name, value)
    await session.flush()
    await publish(session, IncidentsChanged((incident.id,)))
    return incident


HOTFIX_TYPES = frozenset({BacklogItemType.HOTFIX, BacklogItemType.VULNERABILITY})


async def create_hotfix(
    session: AsyncSession,
    *,
    principal: Principal,
    incident_id: uuid.UUID,
    item_type: BacklogItemType,
    title: str,
    description: str | None = None,
    service_id: uuid.UUID | None = None,
) -> BacklogItem:
    """A HOTFIX or VULNERABILITY item on the owner team's backlog of an affected service."""
    incident = await responded_incident(
        session, principal, incident_id, action="creating a hot fix", field="incidentId"
    )
    if BacklogItemType(item_type) not in HOTFIX_TYPES:
        raise Invalid("a hot fix is a HOTFIX or a VULNERABILITY item", field=["type"])
    affected = await repository.service_ids(session, incident.id)
    if service_id is None:
        if len(affected) != 1:
            raise Required("the incident affects several services: name one", field=["serviceId"])
        service_id = affected[0]
    elif service_id not in affected:
        raise Invalid("the service is not one the incident affects", field=["serviceId"])
    return await work.create_item_for_source(
        session,
        service_id=service_id,
        item_type=BacklogItemType(item_type).value,
        title=text_field(title, field="title", max_length=200),
        description=text_field(
            description or "", field="description", max_length=10_000, required=False
        ),
        source_type="INCIDENT",
        source_id=incident.id,
    )


async def get_incident(session: AsyncSession, incident_id: uuid.UUID) -> Incident | None:
    return await get_by_id(session, Incident, incident_id)
