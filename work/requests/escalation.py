"""Escalation to the vendor: the one way a Salesforce Case is made for a request.

The Case is an upsert on the support org's external id field carrying the request's id,
so a retry (or a second attempt after our own transaction failed to commit) finds the
Case the first one made instead of opening another.
"""

from __future__ import annotations

import uuid
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from catalog.orgs.models import OrgKind
from catalog.services.models import Service
from core.clock import utcnow
from core.errors import AccessDenied, Invalid
from core.events import RequestEscalated, ServiceRequestsChanged, publish
from core.repository import get_by_id
from core.validation import text_field
from identity.principal import Principal
from salesforce.deadline import Deadline
from salesforce.records import CaseDraft, EscalatedCase
from work.access import require_desk_user
from work.requests.actions import locked_request, move_request, parties_of, refusal
from work.requests.models import Priority, RequestStatus, ServiceRequest
from work.requests.transitions import ESCALATE, describe, may_make, move_of


class CaseDesk(Protocol):
    """What escalation needs of the Salesforce gateway (`SalesforceGateway` is one)."""

    @property
    def support_org(self) -> str | None: ...

    def connected(self, ref: str | None) -> bool: ...

    async def escalate_case(
        self,
        *,
        external_id: str,
        case: CaseDraft,
        ref: str | None = None,
        deadline: Deadline | None = None,
    ) -> EscalatedCase: ...


# Salesforce's standard Case priorities.
CASE_PRIORITY = {
    Priority.P1: "High",
    Priority.P2: "High",
    Priority.P3: "Medium",
    Priority.P4: "Low",
}


async def escalation_org(session: AsyncSession, desk: CaseDesk, service: Service) -> str:
    """The org marked "support", else the service's first connected production org."""
    if desk.support_org is not None:
        return desk.support_org
    loaded = await get_by_id(
        session, Service, service.id, options=[selectinload(Service.salesforce_orgs)]
    )
    for org in loaded.salesforce_orgs if loaded is not None else []:
        if org.kind is OrgKind.PRODUCTION and desk.connected(org.credentials_ref):
            assert org.credentials_ref is not None
            return org.credentials_ref
    raise Invalid(
        "no Salesforce org takes escalations: none is marked support and the service runs"
        " on no connected production org",
        field=["requestId"],
    )


def _draft(
    request: ServiceRequest, service: Service, subject: str | None, description: str | None
) -> CaseDraft:
    return CaseDraft(
        subject=text_field(subject or request.title, field="subject", max_length=255),
        description=text_field(
            description if description is not None else request.body,
            field="description",
            max_length=32_000,
            required=False,
        ),
        service_key=service.salesforce_key,
        priority=CASE_PRIORITY[request.priority],
    )


def _check_may_escalate(principal: Principal, request: ServiceRequest, service: Service) -> None:
    """Who may make the move now; a repeat needs whoever could have escalated it."""
    parties = parties_of(principal, request, service)
    if request.status is RequestStatus.ESCALATED_TO_VENDOR:
        moves = [move_of(RequestStatus.TRIAGED, request.status)]
        moves.append(move_of(RequestStatus.IN_PROGRESS, request.status))
    else:
        moves = [move_of(request.status, RequestStatus.ESCALATED_TO_VENDOR)]
        if moves[0] is None or moves[0].via != ESCALATE:
            raise refusal(request, RequestStatus.ESCALATED_TO_VENDOR, field="requestId")
    allowed = [move for move in moves if move is not None]
    if not any(may_make(move, parties, admin=principal.is_admin) for move in allowed):
        who = describe(frozenset().union(*(move.parties for move in allowed)))
        raise AccessDenied(f"escalating a {request.status} request is reserved to {who}")


async def escalate_request(
    session: AsyncSession,
    *,
    principal: Principal,
    desk: CaseDesk | None,
    request_id: uuid.UUID,
    subject: str | None = None,
    description: str | None = None,
) -> ServiceRequest:
    """Open (or find again) the vendor Case and move the request to ESCALATED_TO_VENDOR.

    Escalating an escalated request again sends the same upsert: the Case is found, not
    duplicated, and the request keeps its state.
    """
    require_desk_user(principal, action="escalating a service request")
    request, service = await locked_request(session, request_id, field="requestId")
    _check_may_escalate(principal, request, service)
    if desk is None:
        raise Invalid("Salesforce is not configured: no org takes escalations", field=["requestId"])
    ref = await escalation_org(session, desk, service)
    draft = _draft(request, service, subject, description)
    case = await desk.escalate_case(external_id=str(request.id), case=draft, ref=ref)
    request.vendor_case_number = case.case_number
    request.vendor_case_id = case.id
    request.vendor_org_id = case.org_id
    escalated_at = None
    if request.status is not RequestStatus.ESCALATED_TO_VENDOR:
        note = f"Salesforce Case {case.case_number or case.id}"
        escalated_at = utcnow()
        await move_request(
            session,
            request,
            RequestStatus.ESCALATED_TO_VENDOR,
            actor=principal.actor,
            at=escalated_at,
            note=note,
        )
        if request.assignee_id is None:
            request.assignee_id = principal.person_id
    await session.flush()
    await publish(session, ServiceRequestsChanged((request.id,)))
    if escalated_at is not None:
        await publish(session, RequestEscalated(request.id, escalated_at))
    return request
