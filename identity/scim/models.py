"""SCIM Groups as the IdP pushes them, each mapped to at most one team."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, Timestamps, UUIDPrimaryKey


class ScimGroup(UUIDPrimaryKey, Timestamps, Base):
    """A group of `CATALOG_SCIM_ISSUER`; its members are team members of `team_id`, if set."""

    __tablename__ = "scim_group"
    __table_args__ = (
        Index(
            "uq_scim_group_issuer_display_name",
            "issuer",
            func.lower(text("display_name")),
            unique=True,
        ),
        Index("uq_scim_group_team_id", "team_id", unique=True),
    )

    issuer: Mapped[str] = mapped_column(String(500))
    display_name: Mapped[str] = mapped_column(String(256))
    external_id: Mapped[str | None] = mapped_column(String(255))
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))


class ScimGroupMember(Base):
    """A person the IdP put in a group (by their SCIM user id)."""

    __tablename__ = "scim_group_member"
    __table_args__ = (Index("ix_scim_group_member_person_id", "person_id"),)

    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("scim_group.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    # The member's `display` as the IdP sent it; the person's display name when it sent none.
    display: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
