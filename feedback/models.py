"""Feedback on services, votes, status changes, and idempotency keys for submissions."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.services.models import Service
from core.db import Base, Timestamps, UUIDPrimaryKey, Versioned
from identity.models import Person, enum_column
from work.backlog.models import BacklogItem


class FeedbackKind(StrEnum):
    IDEA = "IDEA"
    BUG = "BUG"
    PRAISE = "PRAISE"
    QUESTION = "QUESTION"


class FeedbackChannel(StrEnum):
    API = "API"
    GRAPHQL = "GRAPHQL"
    SALESFORCE_IDEAS = "SALESFORCE_IDEAS"


class FeedbackStatus(StrEnum):
    NEW = "NEW"
    UNDER_REVIEW = "UNDER_REVIEW"
    PLANNED = "PLANNED"
    DELIVERED = "DELIVERED"
    DECLINED = "DECLINED"
    DUPLICATE = "DUPLICATE"


class Feedback(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint("char_length(title) BETWEEN 1 AND 200", name="title_length"),
        CheckConstraint("char_length(body) BETWEEN 1 AND 10000", name="body_length"),
        CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_self_merged"),
        UniqueConstraint("channel", "external_id"),
        # Rankings read (score DESC NULLS LAST, id DESC): the keyset order, index-only.
        Index(
            "ix_feedback_service_id_score_id",
            "service_id",
            text("score DESC NULLS LAST"),
            text("id DESC"),
        ),
        Index("ix_feedback_score_id", text("score DESC NULLS LAST"), text("id DESC")),
        Index("ix_feedback_service_id_created_at_id", "service_id", "created_at", "id"),
        Index("ix_feedback_created_at_id", "created_at", "id"),
        Index("ix_feedback_author_id", "author_id"),
    )

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service.id"))
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("person.id"))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    kind: Mapped[FeedbackKind] = mapped_column(enum_column(FeedbackKind, "feedback_kind"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    channel: Mapped[FeedbackChannel] = mapped_column(
        enum_column(FeedbackChannel, "feedback_channel")
    )
    status: Mapped[FeedbackStatus] = mapped_column(
        enum_column(FeedbackStatus, "feedback_status"), server_default=FeedbackStatus.NEW.value
    )
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("feedback.id"))
    backlog_item_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("backlog_item.id"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(100))
    vote_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    voter_team_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # Null for PRAISE, which is not ranked.
    score: Mapped[float | None] = mapped_column(Float)

    service: Mapped[Service] = relationship(lazy="raise")
    author: Mapped[Person | None] = relationship(lazy="raise")
    merged_into: Mapped[Feedback | None] = relationship(remote_side="Feedback.id", lazy="raise")
    backlog_item: Mapped[BacklogItem | None] = relationship(lazy="raise")


class Vote(Base):
    """One per person per feedback item; retracting deletes it."""

    __tablename__ = "feedback_vote"
    __table_args__ = (
        PrimaryKeyConstraint("feedback_id", "person_id"),
        Index("ix_feedback_vote_person_id", "person_id"),
    )

    feedback_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feedback.id"))
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class FeedbackStatusChange(Base):
    __tablename__ = "feedback_status_change"
    __table_args__ = (Index("ix_feedback_status_change_feedback_id_at", "feedback_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    feedback_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feedback.id"))
    from_status: Mapped[FeedbackStatus | None] = mapped_column(
        enum_column(FeedbackStatus, "from_status")
    )
    to_status: Mapped[FeedbackStatus] = mapped_column(enum_column(FeedbackStatus, "to_status"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class IdempotencyKey(Base):
    """A submission's key, scoped to its principal (or client IP): replay, never repeat."""

    __tablename__ = "idempotency_key"
    __table_args__ = (
        PrimaryKeyConstraint("scope", "key"),
        Index("ix_idempotency_key_expires_at", "expires_at"),
    )

    scope: Mapped[str] = mapped_column(String(400))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int] = mapped_column(SmallInteger)
    response_body: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
