"""Global ids and moments in notices, as the API and people read them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from core.ids import encode_global_id


def global_id(type_name: str, key: uuid.UUID) -> str:
    """A record's id as graphql_schema/node.py spells it."""
    return encode_global_id(type_name, key)


def integer_global_id(type_name: str, key: int) -> str:
    """Records with integer keys (SLA and clock events) carry them as `UUID(int=key)`."""
    return encode_global_id(type_name, uuid.UUID(int=key))


def when(moment: datetime) -> str:
    """A moment as a person reads it in a notice: UTC, to the minute."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
