"""Row-change history: one `record_version` table filled by a trigger on each versioned table.

The trigger reads who acted from transaction-local settings that the API sets when a
write transaction starts (`catalog.actor`, `catalog.request_id`), and writes nothing
while `catalog.importing` is 'on' (an import restores history rows itself).

The trigger function and the trigger on each versioned table are made by the migrations,
which carry their SQL (0002 made them; later migrations add their tables and amend the
function).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base

ACTOR_SETTING = "catalog.actor"
REQUEST_ID_SETTING = "catalog.request_id"
IMPORTING_SETTING = "catalog.importing"
EXTRA_CHANGES_SETTING = "catalog.extra_changes"

# Bookkeeping columns are never reported as changes (seeing someone changes nothing).
IGNORED_COLUMNS = ("version", "updated_at", "created_at", "last_seen_at", "search_vector")


async def set_transaction_actor(
    session: AsyncSession, *, actor: str, request_id: str | None
) -> None:
    """Name who acts in this transaction, for the history trigger and the audit log."""
    await session.execute(
        text(
            "SELECT set_config(:actor_key, :actor, true), set_config(:request_key, :request, true)"
        ),
        {
            "actor_key": ACTOR_SETTING,
            "actor": actor,
            "request_key": REQUEST_ID_SETTING,
            "request": request_id or "",
        },
    )


async def note_extra_changes(
    session: AsyncSession, *, record_id: Any, changes: list[dict[str, Any]]
) -> None:
    """Changes kept outside the row (e.g. an ordered link table) for the row's next version."""
    payload = json.dumps({"record_id": str(record_id), "changes": changes}, default=str)
    await session.execute(
        text("SELECT set_config(:key, :value, true)"),
        {"key": EXTRA_CHANGES_SETTING, "value": payload},
    )


class RecordVersion(Base):
    """One change to one row of a versioned table; outlives the row."""

    __tablename__ = "record_version"
    __table_args__ = (
        CheckConstraint("action IN ('CREATE', 'UPDATE', 'ARCHIVE', 'DELETE')", name="action_known"),
        Index("ix_record_version_record_id_version", "record_id", "version"),
        # The history purge removes by age (server/jobs/retention/logs.py).
        Index("ix_record_version_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(63))
    record_id: Mapped[uuid.UUID] = mapped_column()
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
