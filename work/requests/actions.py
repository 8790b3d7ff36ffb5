"""Business rules of service requests: file, change, move through the status table, fulfil."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services import actions as services
from catalog.services.models import Service
from core.clock import utcnow
from core.errors import AccessDenied, Invalid, NotFound, Required
from core.events import ServiceRequestsChanged, publish
from core.records import check_version, require_found
from core.repository import get_by_id
from core.validation import not_negative, text_field
from identity.models import Person
from identity.principal import Principal, Role
from work.access import require_desk_user
from work.backlog import actions as work
from work.requests import repository
from work.requests.errors import InvalidTransition
from work.requests.models import (
    Level,
    RequestKind,
    RequestStatus,
    ServiceRequest,
    SupportTier,
)
from work.requests.priority import priority
from work.requests.transitions import (
    OPEN,
    TAKES_AN_ASSIGNEE,
    Party,
    describe,
    is_reopen,
    may_make,
    move_of,
    refusal_message,
    within_reopen_window,
)
from work.value_streams import ValueStream, work_tag


@dataclass(frozen=True)
class RequestFields:
    """What a request says; None leaves the stored value (or the default)."""

    title: str | None = None
    body: str | None = None
    kind: RequestKind | None = None
    impact: Level | None = None
    urgency: Level | None = None
    estimated_duration_seconds: int | None = None
    value_stream: ValueStream | None = None
    assignee_id: uuid.UUID | None = None
    support_tier: SupportTier | None = None


# What the requester may still change alone, while nobody has triaged the request.
REQUESTER_FIELDS = frozenset({"title", "body", "kind", "estimated_duration_seconds"})
# Triage fields a move out of NEW may set in the same call.
TRIAGE_FIELDS = frozenset({"impact", "urgency", "support_tier", "assignee_id"})


def default_value_stream(kind: RequestKind) -> ValueStream:
    """A defect is something to correct; everything else is something to fulfil."""
    return (
        ValueStream.DETECT_TO_CORRECT
        if kind is RequestKind.DEFECT
        else ValueStream.REQUEST_TO_FULFIL
    )


def _title(value: str | None) -> str:
    return text_field(value or "", field="title", max_length=200)


def _body(value: str | None) -> str:
    return text_field(value or "", field="body", max_length=10_000, required=False)


async def _open_service(session: AsyncSession, service_id: uuid.UUID) -> Service:
    service = await services.get_service(session, service_id)
    if service is None or service.archived_at is not None:
        raise NotFound("no such service", field=["serviceId"])
    return service


async def _person(session: AsyncSession, person_id: uuid.UUID, *, field: str) -> Person:
    person = await get_by_id(session, Person, person_id)
    if person is None or not person.active:
        raise NotFound(f"{field} does not name an active person", field=[field])
    return person


def _may_triage(principal: Principal, service: Service) -> bool:
    return (
        principal.is_admin
        or principal.has_role(Role.SUPPORT_AGENT)
        or service.owner_team_id in principal.team_ids
    )


async def _requester(
    session: AsyncSession, principal: Principal, service: Service, requester_id: uuid.UUID | None
) -> uuid.UUID:
    """The caller, or someone a support agent or the owner team files for."""
    if requester_id is None or requester_id == principal.person_id:
        if principal.person_id is None:
            raise Required("a machine client names the requesterId", field=["requesterId"])
        return principal.person_id
    if not _may_triage(principal, service):
        raise AccessDenied("filing a request for someone else is reserved to support agents")
    return (await _person(session, requester_id, field="requesterId")).id


async def create_request(
    session: AsyncSession,
    *,
    principal: Principal,
    service_id: uuid.UUID,
    requester_id: uuid.UUID | None,
    fields: RequestFields,
) -> ServiceRequest:
    """File a request on a service; it starts NEW, its priority derived from impact and urgency."""
    require_desk_user(principal, action="filing a service request")
    service = await _open_service(session, service_id)
    kind = RequestKind(fields.kind or RequestKind.QUESTION)
    impact, urgency = Level(fields.impact or Level.MEDIUM), Level(fields.urgency or Level.MEDIUM)
    now = utcnow()
    request = ServiceRequest(
        id=uuid.uuid4(),
        service_id=service.id,
        requester_id=await _requester(session, principal, service, requester_id),
        title=_title(fields.title),
        body=_body(fields.body),
        kind=kind,
        impact=impact,
        urgency=urgency,
        priority=priority(impact, urgency),
        estimated_duration_seconds=not_negative(
            fields.estimated_duration_seconds, field="estimatedDurationSeconds"
        ),
        support_tier=SupportTier.L1,
        value_stream=work_tag(fields.value_stream) or default_value_stream(kind),
        status=RequestStatus.NEW,
        created_at=now,
    )
    session.add(request)
    await session.flush()
    repository.record_status_change(session, request, None, actor=principal.actor, at=now)
    await session.flush()
    await publish(session, ServiceRequestsChanged((request.id,)))
    return request


async def locked_request(
    session: AsyncSession, request_id: uuid.UUID, *, field: str = "id"
) -> tuple[ServiceRequest, Service]:
    """The request, locked, with its service."""
    request = require_found(
        await repository.lock(session, request_id), what="service request", field=field
    )
    service = require_found(await services.get_service(session, request.service_id), what="service")
    return request, service


def parties_of(principal: Principal, request: ServiceRequest, service: Service) -> frozenset[Party]:
    """How the caller stands towards the request."""
    parties = set()
    if principal.has_role(Role.SUPPORT_AGENT):
        parties.add(Party.SUPPORT_AGENT)
    if service.owner_team_id in principal.team_ids:
        parties.add(Party.OWNER_TEAM)
    if principal.person_id is not None and principal.person_id == request.assignee_id:
        parties.add(Party.ASSIGNEE)
    if principal.person_id is not None and principal.person_id == request.requester_id:
        parties.add(Party.REQUESTER)
    return frozenset(parties)


async def _changes(
    session: AsyncSession, request: ServiceRequest, fields: RequestFields, given: frozenset[str]
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if "title" in given:
        changes["title"] = _title(fields.title)
    if "body" in given:
        changes["body"] = _body(fields.body)
    if "estimated_duration_seconds" in given:
        changes["estimated_duration_seconds"] = not_negative(
            fields.estimated_duration_seconds, field="estimatedDurationSeconds"
        )
    if "value_stream" in given:
        work_tag(fields.value_stream)
    for name, enum in (
        ("kind", RequestKind),
        ("impact", Level),
        ("urgency", Level),
        ("support_tier", SupportTier),
        ("value_stream", ValueStream),
    ):
        value = getattr(fields, name)
        if name in given and value is not None:
            changes[name] = enum(value)
    if "assignee_id" in given:
        assignee = fields.assignee_id
        changes["assignee_id"] = (
            (await _person(session, assignee, field="assigneeId")).id if assignee else None
        )
    if "impact" in changes or "urgency" in changes:
        changes["priority"] = priority(
            changes.get("impact", request.impact), changes.get("urgency", request.urgency)
        )
    return changes


def _apply(request: ServiceRequest, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        if getattr(request, name) != value:
            setattr(request, name, value)


async def update_request(
    session: AsyncSession,
    *,
    principal: Principal,
    request_id: uuid.UUID,
    version: int | None,
    fields: RequestFields,
    given: frozenset[str],
) -> ServiceRequest:
    """Change an open request: priority follows impact and urgency; L1 <-> L2 changes the tier only.

    Support agents, the owner team and the assignee change anything; the requester alone
    changes what they wrote while the request is NEW.
    """
    require_desk_user(principal, action="changing a service request")
    request, service = await locked_request(session, request_id)
    parties = parties_of(principal, request, service)
    workers = {Party.SUPPORT_AGENT, Party.OWNER_TEAM, Party.ASSIGNEE}
    if not (principal.is_admin or parties & workers):
        own_words = given <= REQUESTER_FIELDS and request.status is RequestStatus.NEW
        if not (Party.REQUESTER in parties and own_words):
            raise AccessDenied(
                "changing a request is reserved to support agents, the owner team and the"
                " assignee (the requester may edit a NEW request's words)"
            )
    check_version(request, version)
    if request.status not in OPEN:
        raise Invalid(f"a {request.status} request no longer changes", field=["id"])
    _apply(request, await _changes(session, request, fields, given))
    await session.flush()
    await publish(session, ServiceRequestsChanged((request.id,)))
    return request


def refusal(
    request: ServiceRequest, to: RequestStatus, *, reopen_expired: bool = False, field: str = "to"
) -> InvalidTransition:
    return InvalidTransition(
        refusal_message(request.status, to, reopen_expired=reopen_expired), field=[field]
    )


_ITEM_TYPE = {RequestKind.DEFECT: "DEFECT", RequestKind.QUESTION: "IDEA"}


async def transition_request(
    session: AsyncSession,
    *,
    principal: Principal,
    request_id: uuid.UUID,
    version: int | None,
    to: RequestStatus,
    note: str | None = None,
    triage: RequestFields | None = None,
    triage_given: frozenset[str] = frozenset(),
) -> ServiceRequest:
    """Move a request through the status table; triage may set priority, tier and assignee."""
    require_desk_user(principal, action="moving a service request")
    request, service = await locked_request(session, request_id)
    check_version(request, version)
    to = RequestStatus(to)
    move = move_of(request.status, to)
    if move is None or move.via is not None or move.automatic:
        raise refusal(request, to)
    now = utcnow()
    if is_reopen(request.status, to) and not within_reopen_window(request.fulfilled_at, now):
        raise refusal(request, to, reopen_expired=True)
    if not may_make(move, parties_of(principal, request, service), admin=principal.is_admin):
        raise AccessDenied(
            f"moving a {request.status} request to {to} is reserved to {describe(move.parties)}"
        )
    if triage_given:
        if request.status is not RequestStatus.NEW:
            raise Invalid(
                "priority, tier and assignee are set at triage; use updateServiceRequest",
                field=sorted(triage_given)[:1],
            )
        _apply(request, await _changes(session, request, triage or RequestFields(), triage_given))
    await move_request(session, request, to, actor=principal.actor, at=now, note=note)
    if to in TAKES_AN_ASSIGNEE and request.assignee_id is None:
        request.assignee_id = principal.person_id
    if to is RequestStatus.ASSIGNED_TO_BACKLOG:
        item = await work.create_item_for_source(
            session,
            service_id=service.id,
            item_type=_ITEM_TYPE.get(request.kind, "FEATURE"),
            title=request.title,
            description=request.body,
            source_type="REQUEST",
            source_id=request.id,
        )
        request.backlog_item_id = item.id
    await session.flush()
    await publish(session, ServiceRequestsChanged((request.id,)))
    return request


async def move_request(
    session: AsyncSession,
    request: ServiceRequest,
    to: RequestStatus,
    *,
    actor: str | None,
    at: datetime,
    note: str | None = None,
) -> None:
    """Set the status and keep the record of the move (checks are the caller's)."""
    before, request.status = request.status, to
    if to is RequestStatus.FULFILLED:
        request.fulfilled_at = at
    elif before is RequestStatus.FULFILLED:
        request.fulfilled_at = None
    repository.record_status_change(session, request, before, actor=actor, at=at, note=note)


async def fulfil_for_items(session: AsyncSession, item_ids: Sequence[uuid.UUID]) -> None:
    """Requests waiting on a backlog item are FULFILLED when the item is released."""
    await _move_linked(
        session, item_ids, RequestStatus.ASSIGNED_TO_BACKLOG, RequestStatus.FULFILLED
    )


async def unfulfil_for_items(session: AsyncSession, item_ids: Sequence[uuid.UUID]) -> None:
    """A rolled-back release returns the requests it fulfilled to ASSIGNED_TO_BACKLOG."""
    await _move_linked(
        session, item_ids, RequestStatus.FULFILLED, RequestStatus.ASSIGNED_TO_BACKLOG
    )


async def _move_linked(
    session: AsyncSession,
    item_ids: Sequence[uuid.UUID],
    before: RequestStatus,
    after: RequestStatus,
) -> None:
    if not item_ids:
        return
    now = utcnow()
    moved = await repository.linked_to_items(session, item_ids, before)
    for request in moved:
        await move_request(session, request, after, actor="system:release", at=now)
    await session.flush()
    await publish(session, ServiceRequestsChanged(tuple(request.id for request in moved)))


async def get_request(session: AsyncSession, request_id: uuid.UUID) -> ServiceRequest | None:
    return await get_by_id(session, ServiceRequest, request_id)
