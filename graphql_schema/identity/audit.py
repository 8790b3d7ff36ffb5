"""The audit log over GraphQL: AUDITOR and ADMIN only, and reading it is itself audited."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from core.pagination import KeysetOrder, PageRequest
from graphql_schema.access import requires
from graphql_schema.connection import Connection, paginate
from graphql_schema.context import Info
from identity import audit
from identity.principal import Role

strawberry.enum(audit.AuditOutcome, description="How an audited act ended.")


@strawberry.type(description="One audited act: a change, a sign-in, a refusal, a sensitive read.")
class AuditEvent:
    id: strawberry.ID
    at: datetime
    actor: str | None
    action: str
    target_type: str | None
    target_id: str | None
    outcome: audit.AuditOutcome
    client_ip: str | None
    user_agent: str | None
    request_id: str | None
    details: JSON

    @classmethod
    def from_model(cls, event: audit.AuditEvent) -> AuditEvent:
        return cls(
            id=strawberry.ID(str(event.id)),
            at=event.at,
            actor=event.actor,
            action=event.action,
            target_type=event.target_type,
            target_id=event.target_id,
            outcome=event.outcome,
            client_ip=event.client_ip,
            user_agent=event.user_agent,
            request_id=event.request_id,
            details=JSON(event.details),
        )


@strawberry.input
class AuditEventFilter:
    actor: str | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    outcome: audit.AuditOutcome | None = None
    since: datetime | None = None
    until: datetime | None = None


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="Audit events, newest first (AUDITOR).", metadata=requires(Role.AUDITOR)
    )
    async def audit_events(
        self,
        info: Info,
        filter: AuditEventFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[AuditEvent]:
        given = filter or AuditEventFilter()
        audit_filter = audit.AuditFilter(
            actor=given.actor,
            action=given.action,
            target_type=given.target_type,
            target_id=given.target_id,
            outcome=given.outcome,
            since=given.since,
            until=given.until,
        )
        page = await paginate(
            info,
            audit.events_query(audit_filter),
            type_name="AuditEvent",
            convert=AuditEvent.from_model,
            order=KeysetOrder(audit.AuditEvent.at, audit.AuditEvent.id, descending=True, name="AT"),
            request=PageRequest(first, after, last, before),
            fingerprint_parts=[repr(audit_filter)],
        )
        for edge in page.edges:
            info.context.note_sensitive_read("AuditEvent", edge.node.id)
        return page
