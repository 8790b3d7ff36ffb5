"""Where notifications go (channels) and each one's way there (deliveries: the outbox)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, Timestamps, UUIDPrimaryKey, Versioned
from identity.models import Person, Team, enum_column
from work.incidents.models import Severity


class ChannelKind(StrEnum):
    WEBHOOK = "WEBHOOK"
    EMAIL = "EMAIL"
    SLACK = "SLACK"
    TEAMS = "TEAMS"


class NotificationEvent(StrEnum):
    SLA_AT_RISK = "SLA_AT_RISK"
    SLA_BREACHED = "SLA_BREACHED"
    SLA_RECOVERED = "SLA_RECOVERED"
    CLOCK_WARNING = "CLOCK_WARNING"
    CLOCK_BREACHED = "CLOCK_BREACHED"
    INCIDENT_OPENED = "INCIDENT_OPENED"
    REQUEST_ESCALATED = "REQUEST_ESCALATED"
    RELEASE_SHIPPED = "RELEASE_SHIPPED"
    RELEASE_READINESS_DUE = "RELEASE_READINESS_DUE"
    FEEDBACK_DELIVERED = "FEEDBACK_DELIVERED"
    REVIEW_DUE = "REVIEW_DUE"
    AI_MODEL_ATTENTION = "AI_MODEL_ATTENTION"
    # Sent by testNotificationChannel only; no channel subscribes to it.
    PING = "PING"

    @property
    def type_name(self) -> str:
        """The webhook body's `type`: lower.dotted, e.g. `sla.breached`."""
        if self is NotificationEvent.AI_MODEL_ATTENTION:
            return "ai_model.attention"
        head, _, tail = self.value.lower().partition("_")
        return f"{head}.{tail}" if tail else head


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"  # not tried yet, or being tried
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"  # tried, will be tried again at next_attempt_at
    DEAD = "DEAD"  # given up: a day of failures, a 4xx, a 410 or a disabled channel


class NotificationChannel(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """A destination owned by a team or a person, and which events it wants.

    No history trigger: `secret` signs webhooks and must not be copied into row history.
    """

    __tablename__ = "notification_channel"
    __table_args__ = (
        CheckConstraint("num_nonnulls(owner_team_id, owner_person_id) = 1", name="one_owner"),
        CheckConstraint("char_length(name) BETWEEN 1 AND 200", name="name_length"),
        Index("ix_notification_channel_name_id", "name", "id"),
    )

    kind: Mapped[ChannelKind] = mapped_column(enum_column(ChannelKind, "channel_kind"))
    name: Mapped[str] = mapped_column(String(200))
    # A URL (WEBHOOK, SLACK, TEAMS) or comma-separated email addresses (EMAIL).
    target: Mapped[str] = mapped_column(Text)
    owner_team_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), index=True
    )
    owner_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    events: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    # Empty: every service.
    service_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid), server_default=text("'{}'::uuid[]")
    )
    # Events with a severity (incidents) at least this severe; null: every severity.
    min_severity: Mapped[Severity | None] = mapped_column(enum_column(Severity, "severity"))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    # Why the channel went inactive when the catalog turned it off (a receiver's 410).
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    # `whsec_`-prefixed base64, per the Standard Webhooks spec; shown once.
    secret: Mapped[str] = mapped_column(Text)

    owner_team: Mapped[Team | None] = relationship(lazy="raise")
    owner_person: Mapped[Person | None] = relationship(lazy="raise")


class Delivery(UUIDPrimaryKey, Base):
    """One event on its way to one channel, or to one person by email (`recipient`).

    Written in the transaction of the change that caused it (the transactional outbox);
    the dispatcher sends it. The id is the `webhook-id`: the same on every retry.
    """

    __tablename__ = "notification_delivery"
    __table_args__ = (
        CheckConstraint("num_nonnulls(channel_id, recipient) = 1", name="one_destination"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # Once per (event occurrence, destination): NULLS NOT DISTINCT needs PostgreSQL 15.
        Index(
            "uq_notification_delivery_destination_event_key",
            "event_key",
            "channel_id",
            "recipient",
            unique=True,
            postgresql_nulls_not_distinct=True,
        ),
        Index(
            "ix_notification_delivery_due",
            "next_attempt_at",
            postgresql_where=text("status IN ('PENDING', 'FAILED')"),
        ),
        Index("ix_notification_delivery_channel_id_created_at", "channel_id", "created_at"),
        Index("ix_notification_delivery_created_at", "created_at"),
    )

    channel_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("notification_channel.id", ondelete="CASCADE")
    )
    # An email address, for notices to a person (voters of a delivered idea, review digests).
    recipient: Mapped[str | None] = mapped_column(Text)
    recipient_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    event: Mapped[NotificationEvent] = mapped_column(
        enum_column(NotificationEvent, "notification_event")
    )
    # What happened, once: e.g. `sla-event:42`, `clock:REQUEST:<id>:RESPONSE:BREACHED`.
    event_key: Mapped[str] = mapped_column(Text)
    # The webhook body `{type, timestamp, data}`, fixed when written so retries send the same.
    body: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # For people (chat, email): `{title, lines: [...], link?}`.
    message: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, "delivery_status"),
        server_default=DeliveryStatus.PENDING.value,
    )
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )

    channel: Mapped[NotificationChannel | None] = relationship(lazy="raise")
