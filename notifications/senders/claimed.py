"""A delivery as a dispatcher claimed it: what its sender needs, read in the claim."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from notifications.models import ChannelKind


@dataclass(frozen=True)
class ChannelTarget:
    id: uuid.UUID
    kind: ChannelKind
    target: str
    secret: str
    active: bool


@dataclass(frozen=True)
class ClaimedDelivery:
    id: uuid.UUID
    body: dict[str, Any]
    message: dict[str, Any]
    attempts: int
    created_at: datetime
    # Until when this dispatcher holds it: its outcome is recorded only while this still holds.
    leased_until: datetime
    recipient: str | None
    channel_id: uuid.UUID | None
    channel: ChannelTarget | None  # None for a person's email, or when the channel is gone
