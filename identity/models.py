"""People, business units, teams and memberships."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, Timestamps, UUIDPrimaryKey, Versioned
from core.search import index_search, search_vector_column


class TeamKind(StrEnum):
    PRODUCT = "PRODUCT"
    PLATFORM = "PLATFORM"
    SUPPORT = "SUPPORT"


class MembershipRole(StrEnum):
    PRODUCT_OWNER = "PRODUCT_OWNER"
    ENGINEER = "ENGINEER"
    SUPPORT_L1 = "SUPPORT_L1"
    SUPPORT_L2 = "SUPPORT_L2"
    DESIGN_AUTHORITY = "DESIGN_AUTHORITY"


def enum_column(enum: type[StrEnum], name: str) -> Enum:
    """Enums are stored as text with a CHECK constraint: new values need no type change."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


class Person(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "person"
    __table_args__ = (
        UniqueConstraint("issuer", "subject"),
        Index("ix_person_display_name_id", "display_name", "id"),
        # SCIM userName and externalId are unique per issuer among SCIM-provisioned people.
        Index(
            "uq_person_issuer_scim_user_name",
            "issuer",
            func.lower(text("scim_user_name")),
            unique=True,
            postgresql_where=text("scim_user_name IS NOT NULL"),
        ),
        Index(
            "uq_person_issuer_scim_external_id",
            "issuer",
            "scim_external_id",
            unique=True,
            postgresql_where=text("scim_external_id IS NOT NULL"),
        ),
    )

    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    email_verified: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    display_name: Mapped[str] = mapped_column(String(200))
    search_vector: Mapped[str] = search_vector_column(a="display_name", b="email")
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set while the IdP provisions this person through SCIM (identity/scim/).
    scim_provisioned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    scim_user_name: Mapped[str | None] = mapped_column(String(320))
    scim_external_id: Mapped[str | None] = mapped_column(String(255))
    scim_attributes: Mapped[dict[str, Any] | None] = mapped_column(JSONB)

    # Ordered, so that every read path lists them alike (graphql_schema/compiled).
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="person",
        lazy="raise",
        order_by="[Membership.created_at, Membership.id]",
    )


class BusinessUnit(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "business_unit"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    teams: Mapped[list[Team]] = relationship(
        back_populates="business_unit", lazy="raise", order_by="[Team.name, Team.id]"
    )


class Team(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "team"
    __table_args__ = (
        Index("ix_team_name_id", "name", "id"),
        Index("ix_team_business_unit_id", "business_unit_id"),
    )

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    search_vector: Mapped[str] = search_vector_column(a="name", b="slug")
    kind: Mapped[TeamKind] = mapped_column(enum_column(TeamKind, "team_kind"))
    business_unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("business_unit.id"))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    chat_channel: Mapped[str | None] = mapped_column(String(200))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    business_unit: Mapped[BusinessUnit] = relationship(back_populates="teams", lazy="raise")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="team", lazy="raise", order_by="[Membership.created_at, Membership.id]"
    )


class Membership(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("person_id", "team_id", "role"),
        Index("ix_membership_team_id", "team_id"),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("team.id"))
    role: Mapped[MembershipRole] = mapped_column(enum_column(MembershipRole, "membership_role"))

    person: Mapped[Person] = relationship(back_populates="memberships", lazy="raise")
    team: Mapped[Team] = relationship(back_populates="memberships", lazy="raise")


index_search(Person, "display_name")


index_search(Team, "name")
