"""The `clock-events` job: requests' and incidents' clocks that passed their warning threshold
or their target since the last run, recorded once each and notified, in one transaction."""

from __future__ import annotations

from core.clock import utcnow
from notifications.notices.clock_events import clock_event_notices
from notifications.outbox import enqueue
from server.jobs.context import JobContext
from service_levels import clock_events
from service_levels.models import ClockThreshold


async def record_clock_events(context: JobContext) -> str:
    """Record the clock crossings not recorded yet and write their notifications."""
    percent = context.settings.sla_warning_percent
    async with context.sessionmaker() as session, session.begin():
        recorded = await clock_events.record_due(session, utcnow(), warning_percent=percent)
        await enqueue(session, await clock_event_notices(session, recorded))
    breaches = sum(item.crossing.threshold is ClockThreshold.BREACHED for item in recorded)
    return f"recorded {len(recorded) - breaches} warnings, {breaches} breaches"
