"""What Event Monitoring logs taught us about each connected production org.

Salesforce owns these facts: the `salesforce-event-logs` job writes them from the org's
EventLogFile logs, nobody edits them, so they carry no version and no history. Every row has
a natural key and is inserted with ON CONFLICT DO NOTHING, so a log read twice (again, or as
both its hourly and its daily file) counts once.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    and_,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from catalog.org_users.models import SalesforceOrgUser
from catalog.orgs.models import SalesforceOrg
from core.db import Base, UUIDPrimaryKey


class ActivityKind(StrEnum):
    APP = "APP"
    OBJECT = "OBJECT"
    PERMISSION_SET = "PERMISSION_SET"


class DataAction(StrEnum):
    READ = "READ"  # API queries and retrieves
    EXPORT = "EXPORT"  # report exports, Bulk API queries


class Anomaly(StrEnum):
    LARGE_EXPORT = "LARGE_EXPORT"
    NEW_COUNTRY = "NEW_COUNTRY"
    NEW_IP_RANGE = "NEW_IP_RANGE"
    UNUSUAL_HOUR = "UNUSUAL_HOUR"


class EventMonitoringOrg(Base):
    """An org's Event Monitoring as the last run found it: licensed or not, and when."""

    __tablename__ = "salesforce_event_monitoring"

    salesforce_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("salesforce_org.id", ondelete="CASCADE"), primary_key=True
    )
    licensed: Mapped[bool] = mapped_column(Boolean)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_report: Mapped[str | None] = mapped_column(String(1000))


class EventLogCursor(Base):
    """How far an org's logs of one event type were read: the last file taken, in
    (LogDate, Id) order. The next run asks from its LogDate on and skips up to it."""

    __tablename__ = "salesforce_event_log_cursor"

    salesforce_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("salesforce_org.id", ondelete="CASCADE"), primary_key=True
    )
    event_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    log_date: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    log_file_id: Mapped[str] = mapped_column(String(18))
    files: Mapped[int] = mapped_column(Integer, server_default="0")
    rows: Mapped[int] = mapped_column(Integer, server_default="0")
    skipped_rows: Mapped[int] = mapped_column(Integer, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SalesforceActivity(Base):
    """A user was active in a session on a day with an app, an object or (holding it) a
    permission set: what adoption counts. `name` is casefolded."""

    __tablename__ = "salesforce_activity"
    __table_args__ = (
        Index(
            "ix_salesforce_activity_org_kind_name_day", "salesforce_org_id", "kind", "name", "day"
        ),
    )

    salesforce_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("salesforce_org.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(18), primary_key=True)
    session_key: Mapped[str] = mapped_column(String(64), primary_key=True)


class DataAccess(UUIDPrimaryKey, Base):
    """A read or export of an object some service on the org classifies as CONFIDENTIAL or
    RESTRICTED: who, when, from where (the country as Salesforce placed the login), how many
    rows, and the anomaly rules it broke."""

    __tablename__ = "salesforce_data_access"
    __table_args__ = (
        UniqueConstraint("salesforce_org_id", "event_key"),
        Index("ix_salesforce_data_access_org_object_at", "salesforce_org_id", "object_name", "at"),
    )

    salesforce_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("salesforce_org.id", ondelete="CASCADE")
    )
    event_key: Mapped[str] = mapped_column(String(64))  # REQUEST_ID, else a hash of the row
    event_type: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(20))
    object_name: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(String(18))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rows: Mapped[int | None] = mapped_column(Integer)
    source_ip: Mapped[str | None] = mapped_column(String(45))
    country: Mapped[str | None] = mapped_column(String(100))
    country_iso: Mapped[str | None] = mapped_column(String(3))
    anomalies: Mapped[list[str]] = mapped_column(ARRAY(String(20)), server_default="{}")
    log_file_id: Mapped[str] = mapped_column(String(18))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    org: Mapped[SalesforceOrg] = relationship(lazy="raise", viewonly=True)
    org_user: Mapped[SalesforceOrgUser | None] = relationship(
        primaryjoin=lambda: and_(
            foreign(DataAccess.salesforce_org_id) == SalesforceOrgUser.salesforce_org_id,
            foreign(DataAccess.user_id) == SalesforceOrgUser.salesforce_user_id,
        ),
        lazy="raise",
        viewonly=True,
        uselist=False,
    )


class UserBaseline(Base):
    """What is usual for a user of an org, from every event the logs showed: the countries
    and IP ranges seen (and since when), and on how many distinct days each UTC hour saw
    activity."""

    __tablename__ = "salesforce_user_baseline"

    salesforce_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("salesforce_org.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(18), primary_key=True)
    # Each country and IP range seen, with the day (ordinal) it was first seen, side by side.
    countries: Mapped[list[str]] = mapped_column(ARRAY(String(100)), server_default="{}")
    country_days: Mapped[list[int]] = mapped_column(ARRAY(Integer), server_default="{}")
    ip_ranges: Mapped[list[str]] = mapped_column(ARRAY(String(50)), server_default="{}")
    ip_range_days: Mapped[list[int]] = mapped_column(ARRAY(Integer), server_default="{}")
    # days[h]: distinct days with activity in UTC hour h; last_day[h]: the latest such day
    # (its ordinal), so a second look at one day's events counts nothing.
    hour_days: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    hour_last_day: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    active_days: Mapped[int] = mapped_column(Integer, server_default="0")
    last_active_day: Mapped[int] = mapped_column(Integer, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
