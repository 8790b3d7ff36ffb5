"""The audit log: append-only events for every change, sign-in, provisioning and refusal."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Identity,
    Index,
    Select,
    String,
    Text,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from identity.models import enum_column
from identity.principal import Principal


class AuditOutcome(StrEnum):
    SUCCESS = "SUCCESS"
    REFUSED = "REFUSED"  # the input broke a rule: userErrors, nothing changed
    DENIED = "DENIED"  # the caller may not do this
    FAILED = "FAILED"


class AuditEvent(Base):
    """One audited act. No API updates or deletes it; only `purge` removes old ones (a trigger
    made by migration 0003 refuses any UPDATE, and any DELETE outside `purge`)."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_at_id", "at", "id"),
        Index("ix_audit_event_actor_at", "actor", "at"),
        Index("ix_audit_event_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(100))
    target_type: Mapped[str | None] = mapped_column(String(100))
    target_id: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[AuditOutcome] = mapped_column(enum_column(AuditOutcome, "audit_outcome"))
    client_ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")


@dataclass(frozen=True)
class RequestFacts:
    """Where a request came from, for the audit log."""

    client_ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None


@dataclass
class AuditEntry:
    action: str
    outcome: AuditOutcome
    target_type: str | None = None
    target_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def actor_of(principal: Principal | None) -> str | None:
    return principal.actor if principal is not None else None


async def record(
    session: AsyncSession,
    entry: AuditEntry,
    *,
    principal: Principal | None,
    facts: RequestFacts,
) -> None:
    """Append one event in the session's transaction."""
    await session.execute(
        insert(AuditEvent).values(
            actor=actor_of(principal),
            action=entry.action,
            target_type=entry.target_type,
            target_id=entry.target_id,
            outcome=entry.outcome,
            client_ip=facts.client_ip,
            user_agent=(facts.user_agent or "")[:1000] or None,
            request_id=facts.request_id,
            details=entry.details,
        )
    )


def target_of(type_name: str, key: uuid.UUID | str | None) -> dict[str, str | None]:
    return {"target_type": type_name, "target_id": str(key) if key is not None else None}


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    outcome: AuditOutcome | None = None
    since: datetime | None = None
    until: datetime | None = None


def events_query(audit_filter: AuditFilter) -> Select[AuditEvent]:
    statement = select(AuditEvent)
    for column, value in (
        (AuditEvent.actor, audit_filter.actor),
        (AuditEvent.action, audit_filter.action),
        (AuditEvent.target_type, audit_filter.target_type),
        (AuditEvent.target_id, audit_filter.target_id),
        (AuditEvent.outcome, audit_filter.outcome),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if audit_filter.since is not None:
        statement = statement.where(AuditEvent.at >= audit_filter.since)
    if audit_filter.until is not None:
        statement = statement.where(AuditEvent.at < audit_filter.until)
    return statement
