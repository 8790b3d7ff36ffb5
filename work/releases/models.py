"""Releases of backlog items, seasonal readiness per service, hot-fix deployments per org,
freeze windows."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.orgs.models import SalesforceOrg
from catalog.services.models import Service
from core.db import Base, Timestamps, UUIDPrimaryKey, Versioned
from core.search import index_search, search_vector_column
from identity.models import Team, enum_column
from work.backlog.models import BacklogItem


class ReleaseKind(StrEnum):
    REGULAR = "REGULAR"
    HOTFIX = "HOTFIX"
    SALESFORCE_SEASONAL = "SALESFORCE_SEASONAL"


class ReleaseStatus(StrEnum):
    PLANNED = "PLANNED"
    IN_PROGRESS = "IN_PROGRESS"
    RELEASED = "RELEASED"
    ROLLED_BACK = "ROLLED_BACK"


class Season(StrEnum):
    SPRING = "SPRING"
    SUMMER = "SUMMER"
    WINTER = "WINTER"


class ReadinessRisk(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class RegressionTestStatus(StrEnum):
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    PASSED = "PASSED"
    FAILED = "FAILED"


release_service = Table(
    "release_service",
    Base.metadata,
    Column("release_id", ForeignKey("release.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("service.id"), primary_key=True),
    Index("ix_release_service_service_id", "service_id"),
)

_SEASONAL_FIELDS = (
    "(kind = 'SALESFORCE_SEASONAL') = (season IS NOT NULL AND season_year IS NOT NULL)"
)


class Release(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "release"
    __table_args__ = (
        CheckConstraint(_SEASONAL_FIELDS, name="seasonal_fields"),
        CheckConstraint(
            "season_year IS NULL OR season_year BETWEEN 2000 AND 2999", name="season_year_range"
        ),
        Index("ix_release_created_at_id", "created_at", "id"),
        Index("ix_release_owner_team_id", "owner_team_id"),
        # One Spring '26 for the whole catalog; every service assesses its readiness there.
        Index(
            "uq_release_season",
            "season",
            "season_year",
            unique=True,
            postgresql_where=text("kind = 'SALESFORCE_SEASONAL'"),
        ),
    )

    owner_team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("team.id"))
    name: Mapped[str] = mapped_column(String(200))
    version_label: Mapped[str | None] = mapped_column(String(50))
    search_vector: Mapped[str] = search_vector_column(a="name", b="version_label")
    kind: Mapped[ReleaseKind] = mapped_column(enum_column(ReleaseKind, "release_kind"))
    status: Mapped[ReleaseStatus] = mapped_column(
        enum_column(ReleaseStatus, "release_status"),
        server_default=ReleaseStatus.PLANNED.value,
    )
    planned_on: Mapped[date | None] = mapped_column(Date)
    season: Mapped[Season | None] = mapped_column(enum_column(Season, "season"))
    season_year: Mapped[int | None] = mapped_column(Integer)
    sandbox_preview_on: Mapped[date | None] = mapped_column(Date)
    production_on: Mapped[date | None] = mapped_column(Date)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rolled_back_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when an ADMIN shipped it inside a freeze window: why.
    freeze_override_reason: Mapped[str | None] = mapped_column(Text)

    owner_team: Mapped[Team] = relationship(lazy="raise")
    services: Mapped[list[Service]] = relationship(
        secondary=release_service,
        lazy="raise",
        viewonly=True,
        order_by=[Service.name, Service.id],
    )
    items: Mapped[list[BacklogItem]] = relationship(
        lazy="raise", viewonly=True, order_by="[BacklogItem.rank, BacklogItem.id]"
    )
    readiness: Mapped[list[ReadinessAssessment]] = relationship(
        lazy="raise",
        viewonly=True,
        order_by="[ReadinessAssessment.created_at, ReadinessAssessment.id]",
    )


class ReadinessAssessment(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """How ready one service is for a seasonal Salesforce release."""

    __tablename__ = "readiness_assessment"
    __table_args__ = (
        UniqueConstraint("release_id", "service_id"),
        Index("ix_readiness_assessment_service_id", "service_id"),
    )

    release_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("release.id"))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service.id"))
    features_to_adopt: Mapped[list[str]] = mapped_column(ARRAY(String(500)), server_default="{}")
    release_updates_enforced: Mapped[list[str]] = mapped_column(
        ARRAY(String(500)), server_default="{}"
    )
    risk: Mapped[ReadinessRisk] = mapped_column(enum_column(ReadinessRisk, "readiness_risk"))
    regression_test_status: Mapped[RegressionTestStatus] = mapped_column(
        enum_column(RegressionTestStatus, "regression_test_status"),
        server_default=RegressionTestStatus.NOT_STARTED.value,
    )
    actions: Mapped[list[str]] = mapped_column(ARRAY(String(500)), server_default="{}")
    ready: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    notes: Mapped[str] = mapped_column(Text, server_default="")

    release: Mapped[Release] = relationship(lazy="raise", viewonly=True)
    service: Mapped[Service] = relationship(lazy="raise", viewonly=True)


class HotfixDeployment(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """A hot fix reached one Salesforce org."""

    __tablename__ = "hotfix_deployment"
    __table_args__ = (
        UniqueConstraint("item_id", "salesforce_org_id"),
        Index("ix_hotfix_deployment_salesforce_org_id", "salesforce_org_id"),
    )

    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("backlog_item.id"))
    salesforce_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("salesforce_org.id"))
    deployed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    item: Mapped[BacklogItem] = relationship(lazy="raise", viewonly=True)
    salesforce_org: Mapped[SalesforceOrg] = relationship(lazy="raise", viewonly=True)


class FreezeScope(StrEnum):
    ORGANISATION = "ORGANISATION"
    SERVICE = "SERVICE"
    TEAM = "TEAM"


_SCOPE_TARGET = (
    "(scope = 'ORGANISATION' AND service_id IS NULL AND team_id IS NULL)"
    " OR (scope = 'SERVICE' AND service_id IS NOT NULL AND team_id IS NULL)"
    " OR (scope = 'TEAM' AND team_id IS NOT NULL AND service_id IS NULL)"
)


class FreezeWindow(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """[starts_at, ends_at): releases in scope do not ship, unless hot fixes or overridden."""

    __tablename__ = "freeze_window"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(_SCOPE_TARGET, name="scope_target"),
        Index("ix_freeze_window_starts_at_id", "starts_at", "id"),
        Index("ix_freeze_window_ends_at", "ends_at"),
        Index("ix_freeze_window_service_id", "service_id"),
        Index("ix_freeze_window_team_id", "team_id"),
    )

    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(Text)
    scope: Mapped[FreezeScope] = mapped_column(enum_column(FreezeScope, "freeze_scope"))
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service.id"))
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("team.id"))
    created_by: Mapped[str | None] = mapped_column(String(500))

    service: Mapped[Service | None] = relationship(lazy="raise", viewonly=True)
    team: Mapped[Team | None] = relationship(lazy="raise", viewonly=True)


index_search(Release, "name")


class ReleaseOrgSchedule(UUIDPrimaryKey, Timestamps, Base):
    """When one org gets a seasonal release: its sandbox preview and production upgrade, from
    the Trust maintenance calendar (work/releases/seasonal_autopilot.py)."""

    __tablename__ = "release_org_schedule"
    __table_args__ = (
        UniqueConstraint("release_id", "salesforce_org_id"),
        Index("ix_release_org_schedule_salesforce_org_id", "salesforce_org_id"),
        Index("ix_release_org_schedule_production_on", "production_on"),
    )

    release_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("release.id", ondelete="CASCADE"))
    salesforce_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("salesforce_org.id", ondelete="CASCADE")
    )
    sandbox_preview_on: Mapped[date | None] = mapped_column(Date)
    production_on: Mapped[date | None] = mapped_column(Date)

    salesforce_org: Mapped[SalesforceOrg] = relationship(lazy="raise", viewonly=True)
