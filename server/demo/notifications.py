"""The demo's notification channel: the platform team's webhook, for a receiver on this
machine (`python examples/webhook_receiver.py --secret …`).

Seeded before the SLAs, so the SLA events the seed records are its first deliveries; the
worker's `clock-events` job adds the requests and incidents past their warning or target.
Its signing secret is made at seed time and shown once, in the seed's report.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.models import ChannelKind, NotificationChannel, NotificationEvent
from notifications.secrets import new_secret
from server.demo.kit import Tally

DEMO_WEBHOOK_NAME = "Platform on-call webhook"
DEMO_WEBHOOK_URL = "http://127.0.0.1:8765/webhooks"
DEMO_WEBHOOK_TEAM = "salesforce-platform"
DEMO_WEBHOOK_EVENTS = (
    NotificationEvent.SLA_AT_RISK,
    NotificationEvent.SLA_BREACHED,
    NotificationEvent.SLA_RECOVERED,
    NotificationEvent.CLOCK_WARNING,
    NotificationEvent.CLOCK_BREACHED,
    NotificationEvent.INCIDENT_OPENED,
    NotificationEvent.RELEASE_SHIPPED,
    NotificationEvent.FEEDBACK_DELIVERED,
)


async def seed_demo_notifications(
    session: AsyncSession, *, teams: dict[str, uuid.UUID], tally: Tally
) -> str | None:
    """The demo webhook channel; its secret when this run made it, else None."""
    team_id = teams[DEMO_WEBHOOK_TEAM]
    found = await session.scalar(
        select(NotificationChannel.id).where(
            NotificationChannel.owner_team_id == team_id,
            NotificationChannel.name == DEMO_WEBHOOK_NAME,
        )
    )
    tally("notification_channel", created=found is None)
    if found is not None:
        return None
    secret = new_secret()
    session.add(
        NotificationChannel(
            kind=ChannelKind.WEBHOOK,
            name=DEMO_WEBHOOK_NAME,
            target=DEMO_WEBHOOK_URL,
            owner_team_id=team_id,
            events=[event.value for event in DEMO_WEBHOOK_EVENTS],
            service_ids=[],
            secret=secret,
        )
    )
    await session.flush()
    return secret
