"""Salesforce Ideas imported as feedback (channel SALESFORCE_IDEAS), idempotently.

Each Idea naming a service (the org's `idea_service_field`, matched against
`Service.salesforceKey`) becomes one feedback item whose `external_id` is the Idea's id;
an Idea imported before is skipped, so the import can run as often as wanted.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services import actions as services
from catalog.services.models import Service
from core.clock import utcnow
from feedback import repository
from feedback.models import Feedback, FeedbackChannel, FeedbackKind, FeedbackStatus
from feedback.score import priority_score
from salesforce.records import IdeaRecord

ACTOR = "salesforce-ideas-import"
MAX_TITLE = 200
MAX_BODY = 10_000


class IdeasSource(Protocol):
    """What the import needs of the Salesforce gateway."""

    async def linked_ideas(self, ref: str) -> list[IdeaRecord]: ...


@dataclass(frozen=True)
class ImportSummary:
    read: int
    imported: int
    already_imported: int
    unknown_service: int

    def __str__(self) -> str:
        return (
            f"{self.read} Ideas read: {self.imported} imported, {self.already_imported} already"
            f" imported, {self.unknown_service} naming no known service"
        )


async def _imported_ids(session: AsyncSession, ids: Sequence[str]) -> set[str]:
    rows = await session.scalars(
        select(Feedback.external_id).where(
            Feedback.channel == FeedbackChannel.SALESFORCE_IDEAS, Feedback.external_id.in_(ids)
        )
    )
    return {row for row in rows if row is not None}


def idea_feedback(idea: IdeaRecord, service: Service) -> Feedback:
    body = (idea.body or idea.title).strip() or idea.title
    footer = f"\n\n(Salesforce Idea {idea.url}, {idea.votes} votes there)"
    feedback = Feedback(
        id=uuid.uuid4(),
        service_id=service.id,
        kind=FeedbackKind.IDEA,
        title=(idea.title.strip() or "Untitled Idea")[:MAX_TITLE],
        body=body[: MAX_BODY - len(footer)] + footer,
        channel=FeedbackChannel.SALESFORCE_IDEAS,
        status=FeedbackStatus.NEW,
        external_id=idea.id,
        created_at=idea.created_at or utcnow(),
    )
    feedback.score = priority_score(
        kind=FeedbackKind.IDEA.value,
        votes=0,
        voter_teams=0,
        rating=None,
        tier=service.tier.value,
        created_at=feedback.created_at,
    )
    return feedback


async def import_ideas(session: AsyncSession, *, source: IdeasSource, ref: str) -> ImportSummary:
    """Import the org's Ideas that name a service; flushes, never commits."""
    ideas = await source.linked_ideas(ref)
    keys = [idea.service_key for idea in ideas if idea.service_key]
    by_key = await services.services_by_salesforce_key(session, keys)
    done = await _imported_ids(session, [idea.id for idea in ideas])
    imported = unknown = 0
    for idea in ideas:
        service = by_key.get((idea.service_key or "").lower())
        if idea.id in done:
            continue
        if service is None:
            unknown += 1
            continue
        feedback = idea_feedback(idea, service)
        session.add(feedback)
        await session.flush()
        await repository.record_status_change(session, feedback, None, actor=ACTOR)
        done.add(idea.id)
        imported += 1
    await session.flush()
    already = len(ideas) - imported - unknown
    return ImportSummary(len(ideas), imported, already, unknown)
