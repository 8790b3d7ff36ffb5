"""The `sla-evaluation` job: the SLA events due now, recorded in one transaction."""

from __future__ import annotations

from core.clock import utcnow
from server.jobs.context import JobContext
from service_levels.evaluation import evaluate_objectives
from service_levels.metric_sql import MetricSettings


async def evaluate_slas(context: JobContext) -> str:
    """Record the SLA events due now (service_levels/evaluation.py), in one transaction."""
    settings = MetricSettings.of(context.settings)
    async with context.sessionmaker() as session, session.begin():
        summary = await evaluate_objectives(session, utcnow(), settings=settings)
    return str(summary)
