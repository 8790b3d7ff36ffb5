"""The scheduled re-sync of one org's Ideas: only those changed since the last run, with
their totals and Votes, into the feedback score. Idempotent; flushes, never commits.

The org's cursor is the latest `LastModifiedDate` read: the next run asks for Ideas
modified from then on (one Idea query), then for every Vote on them (one Vote query per
200 Ideas). An Idea naming a known service and never imported becomes feedback, as in
`import-ideas`; an Idea's Votes replace the ones read before (a retracted vote goes away).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services import actions as services
from core.clock import utcnow
from feedback import actions, repository
from feedback.idea_votes import people_of_votes
from feedback.ideas_import import ACTOR, idea_feedback
from feedback.models import (
    Feedback,
    FeedbackChannel,
    IdeaSyncCursor,
    SalesforceIdea,
    SalesforceVote,
)
from salesforce.idea_records import SyncedIdea, VoteRecord

SYNC_ACTOR = "salesforce-ideas-sync"


class IdeasSyncSource(Protocol):
    """What the sync needs of Salesforce (`salesforce.ideas.SalesforceIdeas`)."""

    async def changed_ideas(self, ref: str, *, since: datetime | None) -> list[SyncedIdea]: ...

    async def votes(self, ref: str, idea_ids: Sequence[str]) -> list[VoteRecord]: ...


@dataclass(frozen=True)
class SyncSummary:
    changed: int
    imported: int
    rescored: int
    votes: int
    unknown_service: int

    def __str__(self) -> str:
        return (
            f"{self.changed} Ideas changed: {self.imported} imported, {self.rescored} rescored"
            f" from {self.votes} votes, {self.unknown_service} naming no known service"
        )


async def _cursor(session: AsyncSession, org_id: str) -> IdeaSyncCursor:
    found = await session.get(IdeaSyncCursor, org_id, with_for_update=True)
    if found is None:
        found = IdeaSyncCursor(org_id=org_id, modified_since=None)
        session.add(found)
    return found


async def _unseen(
    session: AsyncSession, org_id: str, ideas: Sequence[SyncedIdea]
) -> list[SyncedIdea]:
    """The Ideas not read before as they are now. Salesforce stamps whole seconds, so an
    Idea of the cursor's second is read again; unchanged totals then mean nothing new."""
    rows = await session.execute(
        select(
            SalesforceIdea.idea_id,
            SalesforceIdea.last_modified_at,
            SalesforceIdea.vote_total,
            SalesforceIdea.vote_score,
        ).where(
            SalesforceIdea.org_id == org_id,
            SalesforceIdea.idea_id.in_([synced.idea.id for synced in ideas]),
        )
    )
    seen = {idea_id: (modified, total, score) for idea_id, modified, total, score in rows}
    return [
        synced
        for synced in ideas
        if seen.get(synced.idea.id)
        != (synced.last_modified_at, synced.idea.votes, synced.vote_score)
    ]


async def _feedback_by_idea(session: AsyncSession, idea_ids: Sequence[str]) -> dict[str, Feedback]:
    rows = await session.scalars(
        select(Feedback).where(
            Feedback.channel == FeedbackChannel.SALESFORCE_IDEAS,
            Feedback.external_id.in_(idea_ids),
        )
    )
    return {row.external_id: row for row in rows if row.external_id is not None}


async def _import_new(
    session: AsyncSession, ideas: Sequence[SyncedIdea], known: dict[str, Feedback]
) -> tuple[int, int]:
    """Feedback for the Ideas never imported: (imported, naming no known service)."""
    fresh = [synced.idea for synced in ideas if synced.idea.id not in known]
    keys = [idea.service_key for idea in fresh if idea.service_key]
    by_key = await services.services_by_salesforce_key(session, keys)
    imported = unknown = 0
    for idea in fresh:
        service = by_key.get((idea.service_key or "").lower())
        if service is None:
            unknown += 1
            continue
        feedback = idea_feedback(idea, service)
        session.add(feedback)
        await session.flush()
        await repository.record_status_change(session, feedback, None, actor=ACTOR)
        known[idea.id] = feedback
        imported += 1
    return imported, unknown


async def _link(
    session: AsyncSession, org_id: str, ideas: Sequence[SyncedIdea], known: dict[str, Feedback]
) -> None:
    rows = [
        {
            "feedback_id": known[synced.idea.id].id,
            "org_id": org_id,
            "idea_id": synced.idea.id,
            "vote_total": synced.idea.votes,
            "vote_score": synced.vote_score,
            "last_modified_at": synced.last_modified_at,
            "synced_at": utcnow(),
        }
        for synced in ideas
        if synced.idea.id in known
    ]
    if not rows:
        return
    statement = insert(SalesforceIdea).values(rows)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[SalesforceIdea.feedback_id],
            set_={
                name: statement.excluded[name]
                for name in ("vote_total", "vote_score", "last_modified_at", "synced_at")
            },
        )
    )


async def _replace_votes(
    session: AsyncSession, known: dict[str, Feedback], votes: Sequence[VoteRecord]
) -> None:
    feedback_ids = [feedback.id for feedback in known.values()]
    await session.execute(
        delete(SalesforceVote).where(SalesforceVote.feedback_id.in_(feedback_ids))
    )
    people = await people_of_votes(session, votes)
    rows = [
        {
            "feedback_id": known[vote.idea_id].id,
            "vote_id": vote.id,
            "up": vote.up,
            "user_id": vote.user_id,
            "person_id": people[vote.id],
        }
        for vote in votes
        if vote.idea_id in known
    ]
    if rows:
        await session.execute(insert(SalesforceVote).values(rows).on_conflict_do_nothing())


async def sync_ideas(
    session: AsyncSession, *, source: IdeasSyncSource, ref: str, org_id: str
) -> SyncSummary:
    """Bring the org's Ideas changed since the last sync into feedback and its score."""
    cursor = await _cursor(session, org_id)
    read = await source.changed_ideas(ref, since=cursor.modified_since)
    ideas = await _unseen(session, org_id, read) if read else []
    known = await _feedback_by_idea(session, [synced.idea.id for synced in ideas])
    imported, unknown = await _import_new(session, ideas, known)
    await _link(session, org_id, ideas, known)
    votes = await source.votes(ref, sorted(known)) if known else []
    await _replace_votes(session, known, votes)
    # Items the synced ones were merged into count their votes too.
    merged_into = {f.merged_into_id for f in known.values() if f.merged_into_id is not None}
    locked = await repository.lock(
        session, [*(feedback.id for feedback in known.values()), *merged_into]
    )
    for feedback in locked.values():
        await actions.rescore(session, feedback)
    seen = [synced.last_modified_at for synced in read if synced.last_modified_at is not None]
    if seen:
        cursor.modified_since = max([*seen, *filter(None, [cursor.modified_since])])
    cursor.synced_at = utcnow()
    await session.flush()
    return SyncSummary(len(ideas), imported, len(locked), len(votes), unknown)
