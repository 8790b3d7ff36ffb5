"""Snapshots of each production org's sandboxes and each Dev Hub's scratch orgs.

Salesforce owns these facts: a sync replaces them, nobody edits them, so they carry no
version and no history. `registered_org_id` links a row to the org registered in the
catalog under the same org id (else, for a sandbox, under the same name and production org),
as the last sync found it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.orgs.models import SalesforceOrg
from core.db import Base, Timestamps, UUIDPrimaryKey


class SandboxSnapshot(UUIDPrimaryKey, Timestamps, Base):
    """One sandbox of a production org (SandboxInfo and its latest SandboxProcess)."""

    __tablename__ = "salesforce_sandbox"
    __table_args__ = (
        UniqueConstraint("production_org_id", "salesforce_id"),
        Index("ix_salesforce_sandbox_registered_org_id", "registered_org_id"),
    )

    production_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("salesforce_org.id", ondelete="CASCADE")
    )
    salesforce_id: Mapped[str] = mapped_column(String(18))  # the SandboxInfo id
    name: Mapped[str] = mapped_column(String(80))
    licence_type: Mapped[str | None] = mapped_column(String(40))
    sandbox_org_id: Mapped[str | None] = mapped_column(String(18))
    registered_org_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("salesforce_org.id", ondelete="SET NULL")
    )
    status: Mapped[str | None] = mapped_column(String(40))
    sandbox_created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_refreshed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source_name: Mapped[str | None] = mapped_column(String(80))  # null: copied from production
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    production_org: Mapped[SalesforceOrg] = relationship(
        foreign_keys=[production_org_id], lazy="raise", viewonly=True
    )
    registered_org: Mapped[SalesforceOrg | None] = relationship(
        foreign_keys=[registered_org_id], lazy="raise", viewonly=True
    )


class ScratchOrgSnapshot(UUIDPrimaryKey, Timestamps, Base):
    """One scratch org a Dev Hub org signed up (ScratchOrgInfo), not deleted."""

    __tablename__ = "salesforce_scratch_org"
    __table_args__ = (
        UniqueConstraint("dev_hub_org_id", "salesforce_id"),
        Index("ix_salesforce_scratch_org_expires_on", "expires_on"),
    )

    dev_hub_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("salesforce_org.id", ondelete="CASCADE")
    )
    salesforce_id: Mapped[str] = mapped_column(String(18))  # the ScratchOrgInfo id
    name: Mapped[str | None] = mapped_column(String(80))
    username: Mapped[str | None] = mapped_column(String(255))
    scratch_org_id: Mapped[str | None] = mapped_column(String(18))
    registered_org_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("salesforce_org.id", ondelete="SET NULL")
    )
    status: Mapped[str | None] = mapped_column(String(40))
    expires_on: Mapped[date | None] = mapped_column(Date)
    scratch_created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_username: Mapped[str | None] = mapped_column(String(255))
    created_by_email: Mapped[str | None] = mapped_column(String(320))
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    dev_hub_org: Mapped[SalesforceOrg] = relationship(
        foreign_keys=[dev_hub_org_id], lazy="raise", viewonly=True
    )
    registered_org: Mapped[SalesforceOrg | None] = relationship(
        foreign_keys=[registered_org_id], lazy="raise", viewonly=True
    )
