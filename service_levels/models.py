"""Service-level records: clock policies, SLAs and their objectives."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.services.models import Service
from core.db import Base, Timestamps, UUIDPrimaryKey, Versioned
from core.search import index_search, search_vector_column
from identity.models import enum_column


class ClockPolicy(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """A service's own clock targets. `targets` maps a ClockSubject (`P1`, `SEV2`...) to
    `{"response": seconds, "resolution": seconds}`; a subject left out takes the tier's
    default (service_levels.policy_defaults)."""

    __tablename__ = "clock_policy"

    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), unique=True
    )
    targets: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))


class Metric(StrEnum):
    AVAILABILITY = "AVAILABILITY"
    MTTR = "MTTR"
    TIME_TO_ACKNOWLEDGE = "TIME_TO_ACKNOWLEDGE"
    REQUEST_RESOLUTION_TIME = "REQUEST_RESOLUTION_TIME"
    CLOCK_ATTAINMENT = "CLOCK_ATTAINMENT"
    DEFECTS_RAISED = "DEFECTS_RAISED"
    TIME_TO_MARKET = "TIME_TO_MARKET"
    TIME_TO_HOTFIX = "TIME_TO_HOTFIX"
    SATISFACTION = "SATISFACTION"
    ADOPTION = "ADOPTION"
    COST = "COST"
    EFFICIENCY_GAIN = "EFFICIENCY_GAIN"
    CUSTOM = "CUSTOM"


class Comparator(StrEnum):
    AT_MOST = "AT_MOST"
    AT_LEAST = "AT_LEAST"


class WindowKind(StrEnum):
    ROLLING_DAYS = "ROLLING_DAYS"
    CALENDAR_MONTH = "CALENDAR_MONTH"
    CALENDAR_QUARTER = "CALENDAR_QUARTER"


class Sla(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """An agreement on a service, made of objectives; reviewed by its owners at an interval."""

    __tablename__ = "sla"
    __table_args__ = (
        CheckConstraint("char_length(name) BETWEEN 1 AND 200", name="name_length"),
        CheckConstraint("review_interval_days > 0", name="review_interval_positive"),
        Index("ix_sla_service_id", "service_id"),
        Index("ix_sla_name_id", "name", "id"),
    )

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service.id"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, server_default="")
    search_vector: Mapped[str] = search_vector_column(a="name", c="description")
    review_interval_days: Mapped[int] = mapped_column(Integer, server_default=text("90"))
    last_reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    service: Mapped[Service] = relationship(lazy="raise")
    objectives: Mapped[list[Objective]] = relationship(
        lazy="raise", viewonly=True, order_by="[Objective.position, Objective.id]"
    )


class Objective(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """What an SLA holds a metric to: `target` compared by `comparator` over a window.

    Ratios are fractions from 0 to 1; durations are seconds. A scope narrows the records
    counted to a severity, a priority or a request kind.
    """

    __tablename__ = "objective"
    __table_args__ = (
        CheckConstraint(
            "(window_kind = 'ROLLING_DAYS') = (window_days IS NOT NULL)", name="window_days"
        ),
        CheckConstraint("window_days IS NULL OR window_days > 0", name="window_days_positive"),
        Index("ix_objective_sla_id", "sla_id"),
    )

    sla_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sla.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    metric: Mapped[Metric] = mapped_column(enum_column(Metric, "metric"))
    comparator: Mapped[Comparator] = mapped_column(enum_column(Comparator, "comparator"))
    target: Mapped[float] = mapped_column(Float)
    benchmark_value: Mapped[float | None] = mapped_column(Float)
    benchmark_date: Mapped[date | None] = mapped_column(Date)
    window_kind: Mapped[WindowKind] = mapped_column(enum_column(WindowKind, "window_kind"))
    window_days: Mapped[int | None] = mapped_column(Integer)
    scope_severity: Mapped[str | None] = mapped_column(String(10))
    scope_priority: Mapped[str | None] = mapped_column(String(10))
    scope_request_kind: Mapped[str | None] = mapped_column(String(20))


class MeasurementSource(StrEnum):
    MANUAL = "MANUAL"
    IMPORT = "IMPORT"
    SALESFORCE = "SALESFORCE"


class Measurement(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """A value the catalog cannot compute (cost, gains, adoption, custom KPIs), recorded for
    a service at a moment; one per (metric, service, at), so a repeated import changes it in
    place instead of counting it twice. Each change is a version: history keeps the values
    it replaced."""

    __tablename__ = "measurement"
    __table_args__ = (
        UniqueConstraint("metric", "service_id", "at"),
        Index("ix_measurement_service_id_metric_at", "service_id", "metric", "at"),
    )

    metric: Mapped[Metric] = mapped_column(enum_column(Metric, "metric"))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[MeasurementSource] = mapped_column(
        enum_column(MeasurementSource, "measurement_source"),
        server_default=MeasurementSource.MANUAL.value,
    )
    note: Mapped[str] = mapped_column(Text, server_default="")
    recorded_by: Mapped[str | None] = mapped_column(Text)
    # What the value is made of, e.g. active and licensed users for ADOPTION.
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    # Down to Salesforce: left out of the team's figure, counted in the raw one.
    vendor_attributed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))

    service: Mapped[Service] = relationship(lazy="raise")


class SlaEventKind(StrEnum):
    SLA_AT_RISK = "SLA_AT_RISK"
    SLA_BREACHED = "SLA_BREACHED"
    SLA_RECOVERED = "SLA_RECOVERED"


class SlaEvent(Base):
    """An objective changing status, recorded by the evaluation job once per (objective,
    window, kind): the unique key makes a repeated or concurrent run record nothing new."""

    __tablename__ = "sla_event"
    __table_args__ = (
        UniqueConstraint("objective_id", "window_start", "kind"),
        Index("ix_sla_event_at_id", "at", "id"),
        Index("ix_sla_event_service_id_at", "service_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    objective_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("objective.id", ondelete="CASCADE"))
    sla_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sla.id", ondelete="CASCADE"))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    kind: Mapped[SlaEventKind] = mapped_column(enum_column(SlaEventKind, "sla_event_kind"))
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    window_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    value: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)
    error_budget: Mapped[float | None] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    objective: Mapped[Objective] = relationship(lazy="raise")
    sla: Mapped[Sla] = relationship(lazy="raise")
    service: Mapped[Service] = relationship(lazy="raise")


class ClockSubjectKind(StrEnum):
    REQUEST = "REQUEST"
    INCIDENT = "INCIDENT"


class ClockThreshold(StrEnum):
    WARNING = "WARNING"
    BREACHED = "BREACHED"


class ClockEvent(Base):
    """A request's or incident's clock passing its warning threshold or its target, recorded
    by the `clock-events` job once per (record, clock, threshold)."""

    __tablename__ = "clock_event"
    __table_args__ = (
        UniqueConstraint("subject_kind", "subject_id", "clock", "threshold"),
        Index("ix_clock_event_at_id", "at", "id"),
        Index("ix_clock_event_service_id_at", "service_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    subject_kind: Mapped[ClockSubjectKind] = mapped_column(
        enum_column(ClockSubjectKind, "clock_subject_kind")
    )
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    # RESPONSE or RESOLUTION (service_levels.clock.ClockKind).
    clock: Mapped[str] = mapped_column(String(32))
    threshold: Mapped[ClockThreshold] = mapped_column(
        enum_column(ClockThreshold, "clock_threshold")
    )
    # When the clock crossed the threshold (business time), and when this was recorded.
    crossed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    service: Mapped[Service] = relationship(lazy="raise")


index_search(Sla, "name")
