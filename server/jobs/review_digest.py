"""The `review-digest` job: every Monday, the owner reviews due, one digest per owner person
and one per owner team (notifications/notices/reviews.py)."""

from __future__ import annotations

from core.clock import utcnow
from notifications.notices.reviews import review_digest_notices
from notifications.outbox import enqueue
from server.jobs.context import JobContext


async def send_review_digest(context: JobContext) -> str:
    """Write this week's review digests to the outbox (once per person and team a week)."""
    async with context.sessionmaker() as session, session.begin():
        notices = await review_digest_notices(session, utcnow())
        written = await enqueue(session, notices)
    return f"{len(notices)} digests, {written} deliveries written"
