"""Feedback on services, votes, status changes, and idempotency keys for submissions."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
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
from core.search import index_search, search_vector_column
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
    search_vector: Mapped[str] = search_vector_column(a="title", c="body")
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
    # Salesforce Idea promotes by users who are no person here (see feedback/score.py).
    external_vote_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
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


class SalesforceIdea(Base):
    """The Salesforce Idea a SALESFORCE_IDEAS feedback item stands for: its org, its totals."""

    __tablename__ = "feedback_salesforce_idea"
    __table_args__ = (UniqueConstraint("org_id", "idea_id"),)

    feedback_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feedback.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(18))
    idea_id: Mapped[str] = mapped_column(String(18))
    vote_total: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    vote_score: Mapped[float] = mapped_column(Float, server_default=text("0"))
    last_modified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SalesforceVote(Base):
    """A Vote on an imported Idea. Promotes by a user matching a person count as that
    person's vote; the other promotes as external votes; demotes count for nothing."""

    __tablename__ = "feedback_salesforce_vote"
    __table_args__ = (
        PrimaryKeyConstraint("feedback_id", "vote_id"),
        Index("ix_feedback_salesforce_vote_person_id", "person_id"),
    )

    feedback_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feedback.id"))
    vote_id: Mapped[str] = mapped_column(String(18))
    up: Mapped[bool] = mapped_column(Boolean)
    user_id: Mapped[str | None] = mapped_column(String(18))
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("person.id"))


class IdeaSyncCursor(Base):
    """Per org: Ideas modified from this moment on are read again by the next sync."""

    __tablename__ = "salesforce_idea_cursor"

    org_id: Mapped[str] = mapped_column(String(18), primary_key=True)
    modified_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class IdeaWriteBack(UUIDPrimaryKey, Base):
    """An outbox row: the Idea's status (CATALOG_SALESFORCE_IDEA_DELIVERED_STATUS) and a
    comment naming the release, to write once its feedback shipped. Written in the shipping
    transaction; sent later, once, by the `salesforce-idea-write-back` job."""

    __tablename__ = "salesforce_idea_write_back"
    __table_args__ = (
        UniqueConstraint("feedback_id", "release_id"),
        Index(
            "ix_salesforce_idea_write_back_pending",
            "next_attempt_at",
            postgresql_where=text("sent_at IS NULL"),
        ),
    )

    feedback_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feedback.id"))
    release_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("release.id"))
    org_id: Mapped[str] = mapped_column(String(18))
    idea_id: Mapped[str] = mapped_column(String(18))
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


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


index_search(Feedback, "title")
