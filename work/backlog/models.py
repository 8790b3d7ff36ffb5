"""Backlogs (one per team) of ranked items, the sprints that take them, their design reviews."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.orgs.models import SalesforceOrg
from catalog.services.models import Service
from core.db import Base, Timestamps, UUIDPrimaryKey, Versioned
from core.search import index_search, search_vector_column
from identity.models import Person, Team, enum_column

if TYPE_CHECKING:
    from work.releases.models import HotfixDeployment, Release


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


class DesignReviewOutcome(StrEnum):
    APPROVED = "APPROVED"
    CHANGES_REQUESTED = "CHANGES_REQUESTED"
    REJECTED = "REJECTED"


class Backlog(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "backlog"

    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("team.id"), unique=True)

    team: Mapped[Team] = relationship(lazy="raise")


# The orgs a hot fix must reach, when they are not simply the orgs of its service.
backlog_item_affected_org = Table(
    "backlog_item_affected_org",
    Base.metadata,
    Column("backlog_item_id", ForeignKey("backlog_item.id", ondelete="CASCADE"), primary_key=True),
    Column("salesforce_org_id", ForeignKey("salesforce_org.id"), primary_key=True),
    Index("ix_backlog_item_affected_org_salesforce_org_id", "salesforce_org_id"),
)

# A service is required where the work is about a running service.
_SERVICE_REQUIRED = "type NOT IN ('DEFECT', 'HOTFIX', 'VULNERABILITY') OR service_id IS NOT NULL"


class BacklogItem(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "backlog_item"
    __table_args__ = (
        CheckConstraint(_SERVICE_REQUIRED, name="service_required"),
        CheckConstraint("estimate IS NULL OR estimate >= 0", name="estimate_not_negative"),
        Index("ix_backlog_item_backlog_id_rank", "backlog_id", "rank", "id"),
        Index("ix_backlog_item_rank_id", "rank", "id"),
        Index("ix_backlog_item_created_at_id", "created_at", "id"),
        Index("ix_backlog_item_service_id", "service_id"),
        Index("ix_backlog_item_sprint_id", "sprint_id"),
        Index("ix_backlog_item_release_id", "release_id"),
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
    search_vector: Mapped[str] = search_vector_column(a="title", c="description")
    rank: Mapped[float] = mapped_column(Float, server_default=text("0"))
    estimate: Mapped[int | None] = mapped_column(Integer)
    needs_design_review: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What the item answers: a service request, an incident or feedback (by kind and id).
    source_type: Mapped[str | None] = mapped_column(String(40))
    source_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    sprint_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sprint.id"))
    release_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("release.id"))
    # Hot fixes: when the fix was applied back to the development line.
    back_merged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    backlog: Mapped[Backlog] = relationship(lazy="raise")
    service: Mapped[Service | None] = relationship(lazy="raise")
    sprint: Mapped[Sprint | None] = relationship(lazy="raise", viewonly=True)
    release: Mapped[Release | None] = relationship(lazy="raise", viewonly=True)
    design_reviews: Mapped[list[DesignReview]] = relationship(
        lazy="raise",
        viewonly=True,
        order_by="[DesignReview.created_at, DesignReview.id]",
    )
    explicit_affected_orgs: Mapped[list[SalesforceOrg]] = relationship(
        secondary=backlog_item_affected_org,
        lazy="raise",
        viewonly=True,
        order_by=[SalesforceOrg.name, SalesforceOrg.id],
    )
    deployments: Mapped[list[HotfixDeployment]] = relationship(
        lazy="raise",
        viewonly=True,
        order_by="[HotfixDeployment.deployed_at, HotfixDeployment.id]",
    )
    # The orgs a hot fix reached, without their deployment records (for pending orgs).
    deployed_orgs: Mapped[list[SalesforceOrg]] = relationship(
        secondary="hotfix_deployment", lazy="raise", viewonly=True
    )


class Sprint(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "sprint"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        UniqueConstraint("team_id", "name"),
        Index("ix_sprint_created_at_id", "created_at", "id"),
    )

    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("team.id"))
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    goal: Mapped[str] = mapped_column(Text, server_default="")

    team: Mapped[Team] = relationship(lazy="raise")
    items: Mapped[list[BacklogItem]] = relationship(
        lazy="raise", viewonly=True, order_by="[BacklogItem.rank, BacklogItem.id]"
    )


class DesignReview(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """A design authority's verdict on an item; the latest one counts."""

    __tablename__ = "design_review"
    __table_args__ = (Index("ix_design_review_item_id_created_at", "item_id", "created_at"),)

    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("backlog_item.id"))
    outcome: Mapped[DesignReviewOutcome] = mapped_column(
        enum_column(DesignReviewOutcome, "design_review_outcome")
    )
    reviewer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("person.id"), index=True)
    # Who reviewed, as history names actors (machine clients and the dev identity have no person).
    reviewer_actor: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, server_default="")

    item: Mapped[BacklogItem] = relationship(lazy="raise")
    reviewer: Mapped[Person | None] = relationship(lazy="raise")


index_search(BacklogItem, "title")
