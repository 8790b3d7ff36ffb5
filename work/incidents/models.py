"""Incidents on services, every move they make, and the services they affect."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    func,
    text,
)
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from catalog.services.models import Service
from core.db import Base, Timestamps, UUIDPrimaryKey, Versioned
from core.search import index_search, search_vector_column
from identity.models import Person, enum_column
from work.backlog.models import BacklogItem, BacklogItemType
from work.value_streams import ValueStream


class Severity(StrEnum):
    """SEV1 is the worst; the names sort from worst to mildest."""

    SEV1 = "SEV1"
    SEV2 = "SEV2"
    SEV3 = "SEV3"
    SEV4 = "SEV4"


class IncidentSource(StrEnum):
    MONITORING = "MONITORING"
    USER_REPORT = "USER_REPORT"
    SALESFORCE_TRUST = "SALESFORCE_TRUST"
    SECURITY = "SECURITY"


class IncidentStatus(StrEnum):
    DETECTED = "DETECTED"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    MITIGATED = "MITIGATED"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"


# An alert repeats into the incident it opened until that incident is RESOLVED or CLOSED.
OPEN_ALERT = "status IN ('DETECTED', 'ACKNOWLEDGED', 'MITIGATED') AND alert_key IS NOT NULL"

incident_service = Table(
    "incident_service",
    Base.metadata,
    Column("incident_id", ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("service.id"), primary_key=True),
    Index("ix_incident_service_service_id", "service_id"),
)


class Incident(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "incident"
    __table_args__ = (
        CheckConstraint("char_length(title) BETWEEN 1 AND 200", name="title_length"),
        CheckConstraint("people_hours IS NULL OR people_hours >= 0", name="people_hours"),
        Index(
            "uq_incident_open_alert",
            "source",
            "alert_key",
            unique=True,
            postgresql_where=text(OPEN_ALERT),
        ),
        Index("ix_incident_created_at_id", "created_at", "id"),
        Index("ix_incident_status_created_at_id", "status", "created_at", "id"),
        Index("ix_incident_commander_id", "commander_id"),
        Index("ix_incident_breach_at", "breach_at"),
    )

    title: Mapped[str] = mapped_column(String(200))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, "severity"))
    source: Mapped[IncidentSource] = mapped_column(enum_column(IncidentSource, "incident_source"))
    # The alert's identity in its source (monitoring's alert id, a Trust incident number).
    alert_key: Mapped[str | None] = mapped_column(String(200))
    alert_count: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    last_alert_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    status: Mapped[IncidentStatus] = mapped_column(
        enum_column(IncidentStatus, "incident_status"),
        server_default=IncidentStatus.DETECTED.value,
    )
    value_stream: Mapped[ValueStream] = mapped_column(
        enum_column(ValueStream, "value_stream"),
        server_default=ValueStream.DETECT_TO_CORRECT.value,
    )
    commander_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("person.id"))
    root_cause: Mapped[str | None] = mapped_column(Text)
    search_vector: Mapped[str] = search_vector_column(a="title", b="alert_key", c="root_cause")
    people_hours: Mapped[float | None] = mapped_column(Float)
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    mitigated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the last move happened: a back-filled move may not go before it.
    status_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Kept by the SLA clocks: when the running clock warns and breaches.
    breach_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    warning_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The Trust incident a responder named as its cause: its time counts against the vendor
    # (besides any Trust incident overlapping on the services' orgs' instances).
    vendor_incident_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("vendor_incident.id", ondelete="SET NULL"), index=True
    )

    services: Mapped[list[Service]] = relationship(
        secondary=incident_service,
        lazy="raise",
        viewonly=True,
        order_by=[Service.name, Service.id],
    )
    commander: Mapped[Person | None] = relationship(lazy="raise")
    status_changes: Mapped[list[IncidentStatusChange]] = relationship(
        lazy="raise",
        viewonly=True,
        order_by="[IncidentStatusChange.at, IncidentStatusChange.id]",
    )
    # Hot fixes: HOTFIX and VULNERABILITY backlog items whose source is this incident.
    hotfixes: Mapped[list[BacklogItem]] = relationship(
        primaryjoin=lambda: and_(
            foreign(BacklogItem.source_id) == Incident.id,
            BacklogItem.source_type == "INCIDENT",
            BacklogItem.type.in_([BacklogItemType.HOTFIX, BacklogItemType.VULNERABILITY]),
        ),
        lazy="raise",
        viewonly=True,
        order_by=lambda: [BacklogItem.created_at, BacklogItem.id],
    )


class IncidentStatusChange(Base):
    """One move of an incident: who, when it happened (`at`, maybe back-filled), when recorded."""

    __tablename__ = "incident_status_change"
    __table_args__ = (Index("ix_incident_status_change_incident_id_at", "incident_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incident.id"))
    from_status: Mapped[IncidentStatus | None] = mapped_column(
        enum_column(IncidentStatus, "from_status")
    )
    to_status: Mapped[IncidentStatus] = mapped_column(enum_column(IncidentStatus, "to_status"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    actor: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    # Filled by the SLA clocks (see RequestStatusChange).
    response_elapsed_s: Mapped[int | None] = mapped_column(Integer)
    resolution_elapsed_s: Mapped[int | None] = mapped_column(Integer)
    response_target_s: Mapped[int | None] = mapped_column(Integer)
    resolution_target_s: Mapped[int | None] = mapped_column(Integer)
    breach_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    warning_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


index_search(Incident, "title")
