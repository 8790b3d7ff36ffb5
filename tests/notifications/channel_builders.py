"""Builders for notification channels and deliveries, written as the actions would."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from notifications.models import (
    ChannelKind,
    Delivery,
    DeliveryStatus,
    NotificationChannel,
    NotificationEvent,
)
from notifications.secrets import new_secret
from tests.builders.identity import create_team
from tests.builders.kit import add, number


async def create_channel(session: AsyncSession, **overrides: Any) -> NotificationChannel:
    """A team's webhook channel wanting SLA breaches, unless told otherwise."""
    if "owner_team_id" not in overrides and "owner_person_id" not in overrides:
        overrides["owner_team_id"] = (await create_team(session)).id
    n = number()
    values = {
        "kind": ChannelKind.WEBHOOK,
        "name": f"Channel {n}",
        "target": f"https://hooks.example.test/{n}",
        "events": [NotificationEvent.SLA_BREACHED.value],
        "secret": new_secret(),
        **overrides,
    }
    return await add(session, NotificationChannel(**values))


async def create_delivery(session: AsyncSession, **overrides: Any) -> Delivery:
    """A delivery of an SLA breach to a new channel, unless told otherwise."""
    if "channel_id" not in overrides and "recipient" not in overrides:
        overrides["channel_id"] = (await create_channel(session)).id
    n = number()
    values = {
        "event": NotificationEvent.SLA_BREACHED,
        "event_key": f"sla-event:{n}",
        "body": {"type": "sla.breached", "timestamp": "2026-12-01T00:00:00+00:00", "data": {}},
        "message": {"title": "SLA breached", "lines": [], "link": None},
        "status": DeliveryStatus.PENDING,
        **overrides,
    }
    return await add(session, Delivery(**values))
