"""Service requests and every move they make through the request status table."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.services.models import Service
from core.db import Base, Timestamps, UUIDPrimaryKey, Versioned
from core.search import index_search, search_vector_column
from identity.models import Person, enum_column
from work.backlog.models import BacklogItem
from work.value_streams import ValueStream


class RequestKind(StrEnum):
    ACCESS = "ACCESS"
    CHANGE = "CHANGE"
    DATA = "DATA"
    QUESTION = "QUESTION"
    DEFECT = "DEFECT"


class Level(StrEnum):
    """An impact or an urgency."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class SupportTier(StrEnum):
    L1 = "L1"
    L2 = "L2"


class RequestStatus(StrEnum):
    NEW = "NEW"
    TRIAGED = "TRIAGED"
    IN_PROGRESS = "IN_PROGRESS"
    WAITING_ON_REQUESTER = "WAITING_ON_REQUESTER"
    ESCALATED_TO_VENDOR = "ESCALATED_TO_VENDOR"
    ASSIGNED_TO_BACKLOG = "ASSIGNED_TO_BACKLOG"
    FULFILLED = "FULFILLED"
    CLOSED = "CLOSED"
    REJECTED = "REJECTED"


class ServiceRequest(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "service_request"
    __table_args__ = (
        CheckConstraint("char_length(title) BETWEEN 1 AND 200", name="title_length"),
        CheckConstraint(
            "estimated_duration_seconds IS NULL OR estimated_duration_seconds >= 0",
            name="estimated_duration_not_negative",
        ),
        Index("ix_service_request_created_at_id", "created_at", "id"),
        Index("ix_service_request_service_id_created_at_id", "service_id", "created_at", "id"),
        Index("ix_service_request_status_created_at_id", "status", "created_at", "id"),
        Index("ix_service_request_requester_id", "requester_id"),
        Index("ix_service_request_assignee_id", "assignee_id"),
        Index("ix_service_request_backlog_item_id", "backlog_item_id"),
        Index("ix_service_request_breach_at", "breach_at"),
    )

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service.id"))
    requester_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, server_default="")
    search_vector: Mapped[str] = search_vector_column(a="title", b="vendor_case_number", c="body")
    kind: Mapped[RequestKind] = mapped_column(enum_column(RequestKind, "request_kind"))
    impact: Mapped[Level] = mapped_column(enum_column(Level, "impact"))
    urgency: Mapped[Level] = mapped_column(enum_column(Level, "urgency"))
    # Derived from impact and urgency (work.requests.priority); stored to filter and sort.
    priority: Mapped[Priority] = mapped_column(enum_column(Priority, "priority"))
    estimated_duration_seconds: Mapped[int | None] = mapped_column(Integer)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("person.id"))
    support_tier: Mapped[SupportTier] = mapped_column(
        enum_column(SupportTier, "support_tier"), server_default=SupportTier.L1.value
    )
    value_stream: Mapped[ValueStream] = mapped_column(
        enum_column(ValueStream, "value_stream"),
        server_default=ValueStream.REQUEST_TO_FULFIL.value,
    )
    status: Mapped[RequestStatus] = mapped_column(
        enum_column(RequestStatus, "request_status"), server_default=RequestStatus.NEW.value
    )
    # The escalation Case in the vendor's (Salesforce's) support org.
    vendor_case_number: Mapped[str | None] = mapped_column(String(40))
    vendor_case_id: Mapped[str | None] = mapped_column(String(18))
    vendor_org_id: Mapped[str | None] = mapped_column(String(18))
    backlog_item_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("backlog_item.id"))
    # The last fulfilment: a reopen is allowed for 14 days after it.
    fulfilled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Kept by the SLA clocks: when the running clock breaches ("breaching within 4 hours")
    # and when it crosses the warning threshold.
    breach_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    warning_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    service: Mapped[Service] = relationship(lazy="raise")
    requester: Mapped[Person] = relationship(foreign_keys=[requester_id], lazy="raise")
    assignee: Mapped[Person | None] = relationship(foreign_keys=[assignee_id], lazy="raise")
    backlog_item: Mapped[BacklogItem | None] = relationship(lazy="raise", viewonly=True)
    status_changes: Mapped[list[RequestStatusChange]] = relationship(
        lazy="raise",
        viewonly=True,
        order_by="[RequestStatusChange.at, RequestStatusChange.id]",
    )


class RequestStatusChange(Base):
    """One move of a request: who, when, from where to where (and the SLA clocks then)."""

    __tablename__ = "service_request_status_change"
    __table_args__ = (Index("ix_service_request_status_change_request_id_at", "request_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_request.id"))
    from_status: Mapped[RequestStatus | None] = mapped_column(
        enum_column(RequestStatus, "from_status")
    )
    to_status: Mapped[RequestStatus] = mapped_column(enum_column(RequestStatus, "to_status"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    # Filled by the SLA clocks: business seconds elapsed on each clock at this move, the
    # targets then in force, and when the clock still running after it warns and breaches.
    response_elapsed_s: Mapped[int | None] = mapped_column(Integer)
    resolution_elapsed_s: Mapped[int | None] = mapped_column(Integer)
    response_target_s: Mapped[int | None] = mapped_column(Integer)
    resolution_target_s: Mapped[int | None] = mapped_column(Integer)
    breach_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    warning_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


index_search(ServiceRequest, "title")
