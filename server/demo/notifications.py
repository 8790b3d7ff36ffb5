"""The demo's notification channel: the platform team's webhook, for a receiver on this
machine (`python examples/webhook_receiver.py --secret …`).

Seeded last, so the quarter of history replayed before it notifies nobody, with its first
deliveries written: the SLAs at risk or breached in their current window. The worker's
`clock-events` job adds the requests and incidents past their warning or target. Its
signing secret is made at seed time and shown once, in the seed's report.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.models import ChannelKind, NotificationChannel, NotificationEvent
from notifications.notices.sla_events import sla_event_notices
from notifications.outbox import enqueue
from notifications.secrets import new_secret
from server.demo.kit import Tally
from service_levels.models import SlaEvent, SlaEventKind
from service_levels.sla_events import RecordedEvent

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
    session: AsyncSession, *, teams: dict[str, uuid.UUID], now: datetime, tally: Tally
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
    channel = NotificationChannel(
        kind=ChannelKind.WEBHOOK,
        name=DEMO_WEBHOOK_NAME,
        target=DEMO_WEBHOOK_URL,
        owner_team_id=team_id,
        events=[event.value for event in DEMO_WEBHOOK_EVENTS],
        service_ids=[],
        secret=secret,
    )
    session.add(channel)
    await session.flush()
    await enqueue(session, await sla_event_notices(session, await _current_trouble(session, now)))
    return secret


async def _current_trouble(session: AsyncSession, now: datetime) -> list[RecordedEvent]:
    """The SLA events at risk or breached of windows still open: what on-call would have been
    told about already."""
    events = await session.scalars(
        select(SlaEvent)
        .where(
            SlaEvent.kind.in_([SlaEventKind.SLA_AT_RISK, SlaEventKind.SLA_BREACHED]),
            SlaEvent.window_end >= now,
        )
        .order_by(SlaEvent.id)
    )
    return [
        RecordedEvent(
            id=event.id,
            kind=event.kind,
            service_id=event.service_id,
            sla_id=event.sla_id,
            objective_id=event.objective_id,
            value=event.value,
            target=event.target,
            at=event.at,
        )
        for event in events
    ]
