"""Services and the people in typed roles on them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
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
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.orgs.models import SalesforceOrg
from core.db import Base, Timestamps, UUIDPrimaryKey, Versioned
from core.search import index_search, search_vector_column
from identity.models import Person, Team, enum_column

if TYPE_CHECKING:
    from catalog.graph.models import Dependency


class Tier(StrEnum):
    TIER_1 = "TIER_1"
    TIER_2 = "TIER_2"
    TIER_3 = "TIER_3"
    TIER_4 = "TIER_4"


class Lifecycle(StrEnum):
    PLANNED = "PLANNED"
    BUILDING = "BUILDING"
    LIVE = "LIVE"
    DEPRECATED = "DEPRECATED"
    RETIRED = "RETIRED"


class DataClassification(StrEnum):
    PUBLIC = "PUBLIC"
    INTERNAL = "INTERNAL"
    CONFIDENTIAL = "CONFIDENTIAL"
    RESTRICTED = "RESTRICTED"


class OwnershipRoleKind(StrEnum):
    PRODUCT_OWNER = "PRODUCT_OWNER"
    PLATFORM_OWNER = "PLATFORM_OWNER"
    SUPPORT_OWNER = "SUPPORT_OWNER"
    DESIGN_AUTHORITY = "DESIGN_AUTHORITY"
    AI_MODEL_OWNER = "AI_MODEL_OWNER"


SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"

service_salesforce_org = Table(
    "service_salesforce_org",
    Base.metadata,
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
    Column("salesforce_org_id", ForeignKey("salesforce_org.id"), primary_key=True),
    Column("position", Integer, nullable=False, server_default=text("0")),
    Index("ix_service_salesforce_org_salesforce_org_id", "salesforce_org_id"),
)


class Service(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "service"
    __table_args__ = (
        CheckConstraint(f"slug ~ '{SLUG_PATTERN}'", name="slug_format"),
        CheckConstraint("review_interval_days > 0", name="review_interval_positive"),
        Index("ix_service_name_id", "name", "id"),
        Index("ix_service_slug_id", "slug", "id"),
        Index("ix_service_tier_id", "tier", "id"),
        Index("ix_service_updated_at_id", "updated_at", "id"),
        Index("ix_service_owner_team_id", "owner_team_id"),
        Index("ix_service_tags", "tags", postgresql_using="gin"),
        Index("ix_service_compliance_regimes", "compliance_regimes", postgresql_using="gin"),
        Index(
            "ix_service_search",
            text("(name || ' ' || description) gin_trgm_ops"),
            postgresql_using="gin",
        ),
    )

    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, server_default="")
    search_vector: Mapped[str] = search_vector_column(a="name", b="slug", c="description")
    owner_team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("team.id"))
    tier: Mapped[Tier] = mapped_column(enum_column(Tier, "tier"))
    lifecycle: Mapped[Lifecycle] = mapped_column(enum_column(Lifecycle, "lifecycle"))
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(100)), server_default="{}")
    runbook_url: Mapped[str | None] = mapped_column(String(2000))
    repo_url: Mapped[str | None] = mapped_column(String(2000))
    dashboard_url: Mapped[str | None] = mapped_column(String(2000))
    salesforce_key: Mapped[str] = mapped_column(String(200))
    data_classification: Mapped[DataClassification] = mapped_column(
        enum_column(DataClassification, "data_classification")
    )
    compliance_regimes: Mapped[list[str]] = mapped_column(ARRAY(String(50)), server_default="{}")
    business_calendar: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    backup_rpo_seconds: Mapped[int | None] = mapped_column(Integer)
    backup_rto_seconds: Mapped[int | None] = mapped_column(Integer)
    backup_last_verified_restore_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True)
    )
    # Its Salesforce footprint: the apps, objects and permission sets it declares (API names).
    # Event Monitoring counts its adoption by them; its objects are sensitive data when its
    # classification is CONFIDENTIAL or RESTRICTED (catalog/event_monitoring/).
    salesforce_apps: Mapped[list[str]] = mapped_column(ARRAY(String(255)), server_default="{}")
    salesforce_objects: Mapped[list[str]] = mapped_column(ARRAY(String(255)), server_default="{}")
    salesforce_permission_sets: Mapped[list[str]] = mapped_column(
        ARRAY(String(255)), server_default="{}"
    )
    review_interval_days: Mapped[int] = mapped_column(Integer, server_default=text("90"))
    last_reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    owner_team: Mapped[Team] = relationship(lazy="raise")
    ownership_roles: Mapped[list[OwnershipRole]] = relationship(
        back_populates="service",
        lazy="raise",
        order_by="[OwnershipRole.created_at, OwnershipRole.id]",
    )
    salesforce_orgs: Mapped[list[SalesforceOrg]] = relationship(
        secondary=service_salesforce_org,
        lazy="raise",
        order_by=[service_salesforce_org.c.position, SalesforceOrg.id],
        viewonly=True,
    )
    # Read-only views of the dependency graph (catalog.graph), for prefetching.
    dependencies: Mapped[list[Dependency]] = relationship(
        foreign_keys="Dependency.source_service_id",
        lazy="raise",
        viewonly=True,
        order_by="[Dependency.created_at, Dependency.id]",
    )
    dependents: Mapped[list[Dependency]] = relationship(
        foreign_keys="Dependency.target_service_id",
        lazy="raise",
        viewonly=True,
        order_by="[Dependency.created_at, Dependency.id]",
    )


class OwnershipRole(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "ownership_role"
    __table_args__ = (
        CheckConstraint(
            "effective_to IS NULL OR effective_to >= effective_from", name="effective_dates"
        ),
        Index("ix_ownership_role_service_id", "service_id"),
        Index("ix_ownership_role_person_id", "person_id"),
    )

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service.id"))
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    role: Mapped[OwnershipRoleKind] = mapped_column(
        enum_column(OwnershipRoleKind, "ownership_role_kind")
    )
    effective_from: Mapped[date] = mapped_column(Date, server_default=text("CURRENT_DATE"))
    effective_to: Mapped[date | None] = mapped_column(Date)

    service: Mapped[Service] = relationship(back_populates="ownership_roles", lazy="raise")
    person: Mapped[Person] = relationship(lazy="raise")


index_search(Service, "name")
