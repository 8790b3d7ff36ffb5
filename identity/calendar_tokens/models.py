"""A person's calendar feed tokens: only a hash is stored; the token is shown once."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, Timestamps, UUIDPrimaryKey


class CalendarToken(UUIDPrimaryKey, Timestamps, Base):
    """A per-person secret for `/calendar/releases.ics?token=…`, revocable."""

    __tablename__ = "calendar_token"
    __table_args__ = (Index("ix_calendar_token_person_id_created_at", "person_id", "created_at"),)

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    # SHA-256 hex of the token: a leaked table gives no usable token.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
