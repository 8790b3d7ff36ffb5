"""Row-change history: one `record_version` table filled by a trigger on each versioned table.

The trigger reads who acted from transaction-local settings that the API sets when a
write transaction starts (`catalog.actor`, `catalog.request_id`), and writes nothing
while `catalog.importing` is 'on' (an import restores history rows itself).

Migrations call `enable_history(table)` for every versioned table they create. These
functions are part of the migration history: change them only compatibly.
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
IGNORED_COLUMNS = ("version", "updated_at", "created_at", "last_seen_at")


def enable_history(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_record_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION catalog_record_version()"
    )


def disable_history(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {table}_record_version ON {table}"


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


TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION catalog_record_version() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
    diff jsonb := '[]'::jsonb;
    act text;
    ver integer;
    rid uuid;
    extra jsonb;
    ignored text[] := ARRAY['version', 'updated_at', 'created_at', 'last_seen_at'];
BEGIN
    IF coalesce(current_setting('catalog.importing', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        new_row := to_jsonb(NEW);
        rid := NEW.id;
        ver := (new_row ->> 'version')::integer;
        act := 'CREATE';
        SELECT coalesce(jsonb_agg(jsonb_build_object('field', k, 'from', NULL, 'to', v)
                                  ORDER BY k), '[]'::jsonb)
          INTO diff
          FROM jsonb_each(new_row) AS e(k, v)
         WHERE k <> ALL(ignored) AND k <> 'id' AND v <> 'null'::jsonb;
    ELSIF TG_OP = 'UPDATE' THEN
        old_row := to_jsonb(OLD);
        new_row := to_jsonb(NEW);
        rid := NEW.id;
        ver := (new_row ->> 'version')::integer;
        SELECT coalesce(jsonb_agg(jsonb_build_object('field', k, 'from', old_row -> k, 'to', v)
                                  ORDER BY k), '[]'::jsonb)
          INTO diff
          FROM jsonb_each(new_row) AS e(k, v)
         WHERE k <> ALL(ignored) AND (old_row -> k) IS DISTINCT FROM v;
        IF old_row ? 'archived_at' AND old_row -> 'archived_at' = 'null'::jsonb
           AND new_row -> 'archived_at' <> 'null'::jsonb THEN
            act := 'ARCHIVE';
        ELSE
            act := 'UPDATE';
        END IF;
    ELSE
        old_row := to_jsonb(OLD);
        rid := OLD.id;
        ver := coalesce((old_row ->> 'version')::integer, 0) + 1;
        act := 'DELETE';
        SELECT coalesce(jsonb_agg(jsonb_build_object('field', k, 'from', v, 'to', NULL)
                                  ORDER BY k), '[]'::jsonb)
          INTO diff
          FROM jsonb_each(old_row) AS e(k, v)
         WHERE k <> ALL(ignored) AND k <> 'id' AND v <> 'null'::jsonb;
    END IF;
    extra := nullif(current_setting('catalog.extra_changes', true), '')::jsonb;
    IF extra IS NOT NULL AND extra ->> 'record_id' = rid::text THEN
        diff := diff || (extra -> 'changes');
        PERFORM set_config('catalog.extra_changes', '', true);
    END IF;
    IF TG_OP = 'UPDATE' AND diff = '[]'::jsonb THEN
        RETURN NULL;
    END IF;
    INSERT INTO record_version (table_name, record_id, version, action, actor, request_id, changes)
    VALUES (TG_TABLE_NAME, rid, ver, act,
            nullif(current_setting('catalog.actor', true), ''),
            nullif(current_setting('catalog.request_id', true), ''),
            diff);
    RETURN NULL;
END
$$
"""
