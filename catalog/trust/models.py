"""Vendor incidents and maintenances as the Trust API last described them, and when each feed
was last read in full.

Salesforce owns these facts: a sync upserts them by their Trust id, nobody edits them, so they
carry no version and no history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Index, String, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, Timestamps, UUIDPrimaryKey

INSTANCE_KEY_LENGTH = 20
# The two feeds a sync reads, as keys of `trust_sync`.
INCIDENTS = "INCIDENTS"
MAINTENANCES = "MAINTENANCES"


class VendorIncident(UUIDPrimaryKey, Timestamps, Base):
    """A Trust incident: from its first impact's start to its last impact's end."""

    __tablename__ = "vendor_incident"
    __table_args__ = (
        Index("ix_vendor_incident_instance_keys", "instance_keys", postgresql_using="gin"),
        Index("ix_vendor_incident_started_at", "started_at"),
    )

    trust_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    instance_keys: Mapped[list[str]] = mapped_column(ARRAY(String(INSTANCE_KEY_LENGTH)))
    service_keys: Mapped[list[str]] = mapped_column(ARRAY(String(100)))
    is_core: Mapped[bool] = mapped_column(Boolean)
    affects_all: Mapped[bool] = mapped_column(Boolean)
    severity: Mapped[str] = mapped_column(String(20))  # major, minor
    impact_type: Mapped[str | None] = mapped_column(String(60))
    message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # None: open
    trust_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class VendorMaintenance(UUIDPrimaryKey, Timestamps, Base):
    """A Trust maintenance; a major release (`release_type` Major) is a seasonal upgrade."""

    __tablename__ = "vendor_maintenance"
    __table_args__ = (
        Index("ix_vendor_maintenance_instance_keys", "instance_keys", postgresql_using="gin"),
        Index("ix_vendor_maintenance_planned_start", "planned_start"),
    )

    trust_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    name: Mapped[str] = mapped_column(String(300))
    instance_keys: Mapped[list[str]] = mapped_column(ARRAY(String(INSTANCE_KEY_LENGTH)))
    planned_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    planned_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_type: Mapped[str | None] = mapped_column(String(40))
    release_type: Mapped[str | None] = mapped_column(String(40))
    availability: Mapped[str | None] = mapped_column(String(40))
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TrustSync(Base):
    """When a feed was last read for every instance (`synced_at`), and the last failure."""

    __tablename__ = "trust_sync"

    feed: Mapped[str] = mapped_column(String(20), primary_key=True)
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)
