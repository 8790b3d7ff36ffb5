"""Backlogs: one per team, holding ranked items that answer requests, incidents and feedback."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.services.models import Service
from core.db import Base, Timestamps, UUIDPrimaryKey, Versioned
from identity.models import Team, enum_column


class BacklogItemType(StrEnum):
    FEATURE = "FEATURE"
    DEFECT = "DEFECT"
    HOTFIX = "HOTFIX"
    VULNERABILITY = "VULNERABILITY"
    TECH_DEBT = "TECH_DEBT"
    IDEA = "IDEA"


class BacklogItemStatus(StrEnum):
    NEW = "NEW"
    READY = "READY"
    IN_SPRINT = "IN_SPRINT"
    IN_DESIGN_REVIEW = "IN_DESIGN_REVIEW"
    DONE = "DONE"
    RELEASED = "RELEASED"
    DECLINED = "DECLINED"


class Backlog(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "backlog"

    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("team.id"), unique=True)

    team: Mapped[Team] = relationship(lazy="raise")


class BacklogItem(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "backlog_item"
    __table_args__ = (
        Index("ix_backlog_item_backlog_id_rank", "backlog_id", "rank", "id"),
        Index("ix_backlog_item_service_id", "service_id"),
    )

    backlog_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("backlog.id"))
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service.id"))
    type: Mapped[BacklogItemType] = mapped_column(enum_column(BacklogItemType, "backlog_item_type"))
    status: Mapped[BacklogItemStatus] = mapped_column(
        enum_column(BacklogItemStatus, "backlog_item_status"),
        server_default=BacklogItemStatus.NEW.value,
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, server_default="")
    rank: Mapped[float] = mapped_column(Float, server_default=text("0"))
    estimate: Mapped[int | None] = mapped_column(Integer)
    needs_design_review: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What the item answers: a service request, an incident or feedback (by kind and id).
    source_type: Mapped[str | None] = mapped_column(String(40))
    source_id: Mapped[uuid.UUID | None] = mapped_column(index=True)

    backlog: Mapped[Backlog] = relationship(lazy="raise")
    service: Mapped[Service | None] = relationship(lazy="raise")
