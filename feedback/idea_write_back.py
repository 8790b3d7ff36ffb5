"""Ideas written back: when a promoted idea's backlog item ships, its Salesforce Idea gets
a status and a comment naming the release.

The shipping transaction only records an outbox row (`record_write_backs`); the
`salesforce-idea-write-back` job sends it (`send_write_backs`), so a slow or down
Salesforce never holds a release up. Sending is done once: the status update is
idempotent, and the comment carries a marker the job looks for before posting again (a
comment made whose answer was lost is not made twice). A failure is kept for a later try.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from feedback.models import Feedback, IdeaWriteBack, SalesforceIdea
from salesforce.errors import SalesforceError
from work.backlog.models import BacklogItem
from work.releases.models import Release

MAX_BACKOFF = timedelta(hours=6)
BATCH = 500  # a run's share; the rest waits for the next minute


class WriteBackTarget(Protocol):
    """What sending needs of Salesforce (`salesforce.ideas.SalesforceIdeas`)."""

    async def comment_bodies(self, ref: str, idea_ids: Sequence[str]) -> dict[str, list[str]]: ...

    async def set_status(self, ref: str, idea_id: str, status: str) -> None: ...

    async def post_comment(self, ref: str, idea_id: str, body: str) -> str: ...


def marker(write_back_id: uuid.UUID) -> str:
    return f"[service-catalog {write_back_id}]"


def comment_text(release: Release, write_back_id: uuid.UUID) -> str:
    label = f" {release.version_label}" if release.version_label else ""
    shipped = f" on {release.released_at:%Y-%m-%d}" if release.released_at else ""
    return f"Delivered in release {release.name}{label}{shipped}. {marker(write_back_id)}"


async def record_write_backs(session: AsyncSession, feedback_ids: Sequence[uuid.UUID]) -> int:
    """An outbox row for each delivered feedback item that stands for a Salesforce Idea,
    once per release that shipped it (one statement to read, one to write)."""
    if not feedback_ids:
        return 0
    rows = await session.execute(
        select(Feedback.id, SalesforceIdea.org_id, SalesforceIdea.idea_id, Release)
        .join(SalesforceIdea, SalesforceIdea.feedback_id == Feedback.id)
        .join(BacklogItem, BacklogItem.id == Feedback.backlog_item_id)
        .join(Release, Release.id == BacklogItem.release_id)
        .where(Feedback.id.in_(feedback_ids))
    )
    values = []
    for feedback_id, org_id, idea_id, release in rows:
        write_back_id = uuid.uuid4()
        values.append(
            {
                "id": write_back_id,
                "feedback_id": feedback_id,
                "release_id": release.id,
                "org_id": org_id,
                "idea_id": idea_id,
                "comment": comment_text(release, write_back_id),
            }
        )
    if values:
        await session.execute(insert(IdeaWriteBack).values(values).on_conflict_do_nothing())
    return len(values)


@dataclass(frozen=True)
class SendSummary:
    sent: int
    failed: int
    waiting: int  # for an org not configured here

    def __str__(self) -> str:
        return (
            f"{self.sent} Idea write-backs sent, {self.failed} failed (retried later),"
            f" {self.waiting} for orgs not configured"
        )


def backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2**attempts), MAX_BACKOFF)


async def _due(session: AsyncSession, now: datetime) -> list[IdeaWriteBack]:
    rows = await session.scalars(
        select(IdeaWriteBack)
        .where(IdeaWriteBack.sent_at.is_(None), IdeaWriteBack.next_attempt_at <= now)
        .order_by(IdeaWriteBack.created_at, IdeaWriteBack.id)
        .limit(BATCH)
    )
    return list(rows)


async def _send_one(
    target: WriteBackTarget, ref: str, row: IdeaWriteBack, status: str, comments: list[str]
) -> None:
    await target.set_status(ref, row.idea_id, status)
    if not any(marker(row.id) in body for body in comments):
        await target.post_comment(ref, row.idea_id, row.comment)


async def send_write_backs(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    target: WriteBackTarget,
    refs: Mapping[str, str],
    status: str,
    now: datetime,
) -> SendSummary:
    """Send the due write-backs of the orgs in `refs` (org id -> credentials reference),
    each marked sent (or failed) in a transaction of its own."""
    async with sessionmaker() as session:
        due = await _due(session, now)
    sent = failed = waiting = 0
    by_org: dict[str, list[IdeaWriteBack]] = {}
    for row in due:
        by_org.setdefault(row.org_id, []).append(row)
    for org_id, rows in by_org.items():
        ref = refs.get(org_id)
        if ref is None:
            waiting += len(rows)
            continue
        try:
            comments = await target.comment_bodies(ref, [row.idea_id for row in rows])
        except SalesforceError as error:
            await _failed(sessionmaker, rows, str(error), now)
            failed += len(rows)
            continue
        for row in rows:
            try:
                await _send_one(target, ref, row, status, comments.get(row.idea_id, []))
            except SalesforceError as error:
                await _failed(sessionmaker, [row], str(error), now)
                failed += 1
            else:
                await _sent(sessionmaker, row, now)
                sent += 1
    return SendSummary(sent, failed, waiting)


async def _sent(
    sessionmaker: async_sessionmaker[AsyncSession], row: IdeaWriteBack, now: datetime
) -> None:
    async with sessionmaker() as session, session.begin():
        stored = await session.get(IdeaWriteBack, row.id, with_for_update=True)
        if stored is not None:
            stored.sent_at, stored.last_error = now, None
            stored.attempts += 1


async def _failed(
    sessionmaker: async_sessionmaker[AsyncSession],
    rows: Sequence[IdeaWriteBack],
    error: str,
    now: datetime,
) -> None:
    async with sessionmaker() as session, session.begin():
        for row in rows:
            stored = await session.get(IdeaWriteBack, row.id, with_for_update=True)
            if stored is not None:
                stored.attempts += 1
                stored.last_error = error[:2000]
                stored.next_attempt_at = now + backoff(stored.attempts)
