"""Shared resources and the dependencies of services on services or shared resources."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.services.models import Service
from core.db import Base, Timestamps, UUIDPrimaryKey, Versioned
from identity.models import Team, enum_column


class SharedResourceKind(StrEnum):
    INTEGRATION = "INTEGRATION"
    MIDDLEWARE = "MIDDLEWARE"
    IDENTITY_PROVIDER = "IDENTITY_PROVIDER"
    DATA_STORE = "DATA_STORE"
    OTHER = "OTHER"


class DependencyKind(StrEnum):
    RUNTIME = "RUNTIME"
    DATA = "DATA"
    AUTH = "AUTH"


class DependencyCriticality(StrEnum):
    """How badly the source suffers when the target fails."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


class SharedResource(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """Something services share that is not itself a service: a middleware, an IdP, a store."""

    __tablename__ = "shared_resource"
    __table_args__ = (
        Index("ix_shared_resource_name_id", "name", "id"),
        Index("ix_shared_resource_owner_team_id", "owner_team_id"),
    )

    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[SharedResourceKind] = mapped_column(
        enum_column(SharedResourceKind, "shared_resource_kind")
    )
    owner_team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("team.id"))
    description: Mapped[str] = mapped_column(Text, server_default="")
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    owner_team: Mapped[Team] = relationship(lazy="raise")
    dependents: Mapped[list[Dependency]] = relationship(
        foreign_keys="Dependency.target_resource_id",
        lazy="raise",
        viewonly=True,
        order_by="[Dependency.created_at, Dependency.id]",
    )


class Dependency(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """A service needs another service or a shared resource, at runtime, for data or for auth."""

    __tablename__ = "dependency"
    __table_args__ = (
        CheckConstraint("num_nonnulls(target_service_id, target_resource_id) = 1", "one_target"),
        CheckConstraint("target_service_id <> source_service_id", "not_self"),
        # NULLS NOT DISTINCT: the absent target column must not make two rows distinct.
        UniqueConstraint(
            "source_service_id",
            "target_service_id",
            "target_resource_id",
            "kind",
            name="uq_dependency_source_target_kind",
            postgresql_nulls_not_distinct=True,
        ),
        Index("ix_dependency_target_service_id", "target_service_id"),
        Index("ix_dependency_target_resource_id", "target_resource_id"),
    )

    source_service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service.id"))
    target_service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service.id"))
    target_resource_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("shared_resource.id"))
    kind: Mapped[DependencyKind] = mapped_column(enum_column(DependencyKind, "dependency_kind"))
    criticality: Mapped[DependencyCriticality] = mapped_column(
        enum_column(DependencyCriticality, "dependency_criticality"),
        server_default=DependencyCriticality.MEDIUM.value,
    )
    description: Mapped[str | None] = mapped_column(Text)

    source: Mapped[Service] = relationship(foreign_keys=[source_service_id], lazy="raise")
    target_service: Mapped[Service | None] = relationship(
        foreign_keys=[target_service_id], lazy="raise"
    )
    target_resource: Mapped[SharedResource | None] = relationship(
        foreign_keys=[target_resource_id], lazy="raise"
    )
