"""Backups of a Salesforce org's data and the restore drills that prove they can be restored.

Both are evidence, recorded once and never changed: no version, no history trigger.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.orgs.models import SalesforceOrg
from core.db import Base, UUIDPrimaryKey
from identity.models import enum_column


class BackupScope(StrEnum):
    FULL = "FULL"
    METADATA = "METADATA"
    DATA = "DATA"
    INCREMENTAL = "INCREMENTAL"


class BackupOutcome(StrEnum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    PARTIAL = "PARTIAL"


class RestoreDrillOutcome(StrEnum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    PARTIAL = "PARTIAL"


class Backup(UUIDPrimaryKey, Base):
    """One run of a backup tool over an org; `external_id` is the tool's own id of the run."""

    __tablename__ = "backup"
    __table_args__ = (
        UniqueConstraint("salesforce_org_id", "external_id"),
        CheckConstraint("finished_at >= started_at", name="finished_after_started"),
        CheckConstraint("records >= 0", name="records_not_negative"),
        Index(
            "ix_backup_salesforce_org_id_finished_at_id", "salesforce_org_id", "finished_at", "id"
        ),
    )

    salesforce_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("salesforce_org.id"))
    scope: Mapped[BackupScope] = mapped_column(enum_column(BackupScope, "backup_scope"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[BackupOutcome] = mapped_column(enum_column(BackupOutcome, "backup_outcome"))
    records: Mapped[int | None] = mapped_column(BigInteger)
    location: Mapped[str | None] = mapped_column(String(2000))
    source: Mapped[str | None] = mapped_column(String(200))
    external_id: Mapped[str | None] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )

    salesforce_org: Mapped[SalesforceOrg] = relationship(lazy="raise")


class RestoreDrill(UUIDPrimaryKey, Base):
    """A rehearsed restore of an org's backed-up data."""

    __tablename__ = "restore_drill"
    __table_args__ = (
        CheckConstraint("records_restored >= 0", name="records_restored_not_negative"),
        CheckConstraint("duration_seconds >= 0", name="duration_not_negative"),
        Index(
            "ix_restore_drill_salesforce_org_id_performed_at_id",
            "salesforce_org_id",
            "performed_at",
            "id",
        ),
    )

    salesforce_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("salesforce_org.id"))
    performed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[RestoreDrillOutcome] = mapped_column(
        enum_column(RestoreDrillOutcome, "restore_drill_outcome")
    )
    records_restored: Mapped[int | None] = mapped_column(BigInteger)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, server_default="")
    recorded_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )

    salesforce_org: Mapped[SalesforceOrg] = relationship(lazy="raise")
