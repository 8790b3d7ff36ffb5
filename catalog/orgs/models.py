"""Salesforce orgs."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, Timestamps, UUIDPrimaryKey, Versioned
from core.search import index_search, search_vector_column
from identity.models import enum_column


class OrgKind(StrEnum):
    PRODUCTION = "PRODUCTION"
    SANDBOX = "SANDBOX"
    SCRATCH = "SCRATCH"


class SalesforceOrg(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "salesforce_org"
    __table_args__ = (Index("ix_salesforce_org_name_id", "name", "id"),)

    org_id: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    search_vector: Mapped[str] = search_vector_column(a="name")
    instance_url: Mapped[str] = mapped_column(String(500))
    # The Salesforce instance (NA135): the Trust status API's key (catalog/orgs/instances.py).
    instance_key: Mapped[str | None] = mapped_column(String(20), index=True)
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind, "org_kind"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("salesforce_org.id"), index=True)
    last_refreshed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    credentials_ref: Mapped[str | None] = mapped_column(String(100))
    backup_provider: Mapped[str | None] = mapped_column(String(200))
    backup_rpo_seconds: Mapped[int | None] = mapped_column(Integer)
    backup_last_verified_restore_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True)
    )
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    parent: Mapped[SalesforceOrg | None] = relationship(
        remote_side="SalesforceOrg.id", lazy="raise"
    )


index_search(SalesforceOrg, "name")
