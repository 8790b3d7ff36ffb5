"""The daily notice jobs: `ai-model-attention` (models whose required evaluation fell overdue)
and `release-readiness` (releases shipping within a week that a service is not ready for).
Each occurrence is keyed by its due date: a repeated run notifies nobody twice."""

from __future__ import annotations

from core.clock import utcnow
from notifications.notices.ai_models import overdue_notices
from notifications.notices.release_readiness import readiness_due_notices
from notifications.outbox import enqueue
from server.jobs.context import JobContext


async def notify_overdue_models(context: JobContext) -> str:
    """Write the notices of AI models overdue for an evaluation to the outbox."""
    async with context.sessionmaker() as session, session.begin():
        notices = await overdue_notices(session, utcnow())
        written = await enqueue(session, notices)
    return f"{len(notices)} overdue evaluations, {written} deliveries written"


async def notify_release_readiness(context: JobContext) -> str:
    """Write the notices of releases due soon without their services' readiness."""
    async with context.sessionmaker() as session, session.begin():
        notices = await readiness_due_notices(session, utcnow())
        written = await enqueue(session, notices)
    return f"{len(notices)} releases due, {written} deliveries written"
