"""What each connected org's users were at the last reconciliation, and when one is due.

A snapshot, not a record of ours: the `salesforce-users` job replaces an org's rows with
what the org answered (server/jobs/salesforce_users.py); nothing else writes them but a
freeze, which marks its user frozen.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UUIDPrimaryKey
from identity.models import Person


class SalesforceOrgUser(UUIDPrimaryKey, Base):
    """An active standard user of an org, and the person it was matched to."""

    __tablename__ = "salesforce_org_user"
    __table_args__ = (UniqueConstraint("salesforce_org_id", "salesforce_user_id"),)

    salesforce_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("salesforce_org.id", ondelete="CASCADE")
    )
    salesforce_user_id: Mapped[str] = mapped_column(String(18))
    username: Mapped[str] = mapped_column(String(80))
    federation_id: Mapped[str | None] = mapped_column(String(512))
    email: Mapped[str | None] = mapped_column(String(320))
    is_active: Mapped[bool] = mapped_column(Boolean)
    is_frozen: Mapped[bool] = mapped_column(Boolean)
    profile_name: Mapped[str | None] = mapped_column(String(255))
    licence_name: Mapped[str | None] = mapped_column(String(100))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    person: Mapped[Person | None] = relationship(lazy="raise")


class SalesforceOrgLicence(UUIDPrimaryKey, Base):
    """A licence type of an org, with the counts Salesforce reports for it (UserLicense)."""

    __tablename__ = "salesforce_org_licence"
    __table_args__ = (UniqueConstraint("salesforce_org_id", "name"),)

    salesforce_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("salesforce_org.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(100))
    total: Mapped[int] = mapped_column(Integer)  # TotalLicenses
    assigned: Mapped[int] = mapped_column(Integer)  # UsedLicenses: held by active users
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SalesforceUserSync(Base):
    """An org's reconciliation: when it last succeeded, and whether one is due sooner."""

    __tablename__ = "salesforce_user_sync"

    salesforce_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("salesforce_org.id", ondelete="CASCADE"), primary_key=True
    )
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when a person is deactivated; the per-minute run takes the org and clears it.
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
