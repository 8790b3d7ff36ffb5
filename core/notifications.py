"""Live-update notifications over PostgreSQL NOTIFY, sent inside the writing transaction.

PostgreSQL delivers a notification only when its transaction commits (and never when it
rolls back), to every connection listening on the channel: every API replica hears it.
A payload carries ids and a kind only; whoever listens loads the object it names.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

# PostgreSQL refuses payloads of 8000 bytes or more.
MAX_PAYLOAD_BYTES = 7999


class Channel(StrEnum):
    SLA_EVENTS = "catalog_sla_events"
    INCIDENTS = "catalog_incidents"
    FEEDBACK = "catalog_feedback"
    # Who a person is changed (deactivated, memberships): every replica forgets their
    # cached principal (identity/principal_cache.py).
    IDENTITY = "catalog_identity"
    # New notification deliveries were written: the dispatcher sends them without waiting
    # for its next poll (notifications/dispatcher.py).
    DELIVERIES = "catalog_deliveries"
    # A request's or incident's clock passed its warning threshold or its target.
    CLOCK_EVENTS = "catalog_clock_events"


def encode(payload: Mapping[str, Any]) -> str:
    text = json.dumps(payload, separators=(",", ":"), sort_keys=True, default=str)
    if len(text.encode()) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"a notification payload holds at most {MAX_PAYLOAD_BYTES} bytes")
    return text


async def notify(session: AsyncSession, channel: Channel, payload: Mapping[str, Any]) -> None:
    """Announce `payload` on `channel` when the session's transaction commits."""
    await session.execute(select(func.pg_notify(channel.value, encode(payload))))


def decode(text: str) -> dict[str, Any] | None:
    """A received payload, or None when it is not a JSON object (never ours)."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
