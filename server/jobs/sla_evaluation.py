"""The `sla-evaluation` job: the SLA events due now, recorded and notified in one transaction."""

from __future__ import annotations

from core.clock import utcnow
from notifications.notices.sla_events import sla_event_notices
from notifications.outbox import enqueue
from server.jobs.context import JobContext
from service_levels.evaluation import evaluate_objectives
from service_levels.metric_sql import MetricSettings


async def evaluate_slas(context: JobContext) -> str:
    """Record the SLA events due now (service_levels/evaluation.py) and write their
    notifications to the outbox, in one transaction."""
    settings = MetricSettings.of(context.settings)
    async with context.sessionmaker() as session, session.begin():
        summary = await evaluate_objectives(session, utcnow(), settings=settings)
        await enqueue(session, await sla_event_notices(session, summary.recorded))
    return str(summary)
