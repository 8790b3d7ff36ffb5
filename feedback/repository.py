"""Every SQL statement about feedback, votes and satisfaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, Uuid, delete, func, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service
from feedback.models import Feedback, FeedbackKind, FeedbackStatus, FeedbackStatusChange, Vote
from identity.models import Membership, Team

OPEN_STATUSES = (FeedbackStatus.NEW, FeedbackStatus.UNDER_REVIEW, FeedbackStatus.PLANNED)


class RankingScope(StrEnum):
    SERVICE = "SERVICE"
    TEAM = "TEAM"
    BUSINESS_UNIT = "BUSINESS_UNIT"
    ORGANISATION = "ORGANISATION"


@dataclass(frozen=True)
class FeedbackFilter:
    service_id: uuid.UUID | None = None
    author_id: uuid.UUID | None = None
    statuses: tuple[FeedbackStatus, ...] = ()
    kinds: tuple[FeedbackKind, ...] = ()


def feedback_query(feedback_filter: FeedbackFilter) -> Select[Feedback]:
    statement = select(Feedback)
    if feedback_filter.service_id is not None:
        statement = statement.where(Feedback.service_id == feedback_filter.service_id)
    if feedback_filter.author_id is not None:
        statement = statement.where(Feedback.author_id == feedback_filter.author_id)
    if feedback_filter.statuses:
        statement = statement.where(Feedback.status.in_(feedback_filter.statuses))
    if feedback_filter.kinds:
        statement = statement.where(Feedback.kind.in_(feedback_filter.kinds))
    return statement


def ranking_query(scope: RankingScope, scope_id: uuid.UUID | None) -> Select[Feedback]:
    """Open, ranked feedback (not PRAISE) within a service, team, business unit or everywhere."""
    statement = select(Feedback).where(
        Feedback.score.is_not(None), Feedback.status.in_(OPEN_STATUSES)
    )
    if scope is RankingScope.SERVICE:
        return statement.where(Feedback.service_id == scope_id)
    if scope is RankingScope.TEAM:
        owned = select(Service.id).where(Service.owner_team_id == scope_id)
        return statement.where(Feedback.service_id.in_(owned))
    if scope is RankingScope.BUSINESS_UNIT:
        owned = (
            select(Service.id)
            .join(Team, Team.id == Service.owner_team_id)
            .where(Team.business_unit_id == scope_id)
        )
        return statement.where(Feedback.service_id.in_(owned))
    return statement


async def lock(
    session: AsyncSession, feedback_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Feedback]:
    """Lock rows in id order (no deadlocks between merges and votes) and return them fresh."""
    rows = await session.scalars(
        select(Feedback)
        .where(Feedback.id.in_(feedback_ids))
        .order_by(Feedback.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {row.id: row for row in rows}


async def add_vote(session: AsyncSession, feedback_id: uuid.UUID, person_id: uuid.UUID) -> bool:
    result = await session.execute(
        insert(Vote)
        .values(feedback_id=feedback_id, person_id=person_id)
        .on_conflict_do_nothing()
        .returning(Vote.person_id)
    )
    return result.first() is not None


async def remove_vote(session: AsyncSession, feedback_id: uuid.UUID, person_id: uuid.UUID) -> bool:
    result = await session.execute(
        delete(Vote)
        .where(Vote.feedback_id == feedback_id, Vote.person_id == person_id)
        .returning(Vote.person_id)
    )
    return result.first() is not None


async def move_votes(session: AsyncSession, source_id: uuid.UUID, target_id: uuid.UUID) -> None:
    """Votes of the source go to the target; a person who voted for both keeps one vote."""
    await session.execute(
        insert(Vote)
        .from_select(
            ["feedback_id", "person_id", "created_at"],
            select(literal(target_id, Uuid), Vote.person_id, Vote.created_at).where(
                Vote.feedback_id == source_id
            ),
        )
        .on_conflict_do_nothing()
    )
    await session.execute(delete(Vote).where(Vote.feedback_id == source_id))


async def vote_counts(session: AsyncSession, feedback_id: uuid.UUID) -> tuple[int, int]:
    """(votes, distinct teams of the voters), counted now, under the row lock."""
    row = (
        await session.execute(
            select(
                func.count(func.distinct(Vote.person_id)),
                func.count(func.distinct(Membership.team_id)),
            )
            .select_from(Vote)
            .outerjoin(Membership, Membership.person_id == Vote.person_id)
            .where(Vote.feedback_id == feedback_id)
        )
    ).one()
    return int(row[0]), int(row[1])


async def voted(
    session: AsyncSession, person_id: uuid.UUID, feedback_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    rows = await session.scalars(
        select(Vote.feedback_id).where(
            Vote.person_id == person_id, Vote.feedback_id.in_(feedback_ids)
        )
    )
    return set(rows)


async def record_status_change(
    session: AsyncSession,
    feedback: Feedback,
    before: FeedbackStatus | None,
    *,
    actor: str | None,
    note: str | None = None,
) -> None:
    session.add(
        FeedbackStatusChange(
            feedback_id=feedback.id,
            from_status=before,
            to_status=feedback.status,
            actor=actor,
            note=note,
        )
    )


@dataclass(frozen=True)
class Satisfaction:
    mean_rating: float | None
    satisfied_share: float | None
    ratings: int


async def satisfaction_by(
    session: AsyncSession,
    group_column: str,
    keys: Sequence[uuid.UUID],
    since: datetime,
    until: datetime,
) -> dict[uuid.UUID, Satisfaction]:
    """Pooled ratings of feedback created in [since, until), grouped by service, team or unit."""
    group = {
        "service": Service.id,
        "team": Service.owner_team_id,
        "business_unit": Team.business_unit_id,
    }[group_column]
    rows = await session.execute(
        select(
            group,
            func.avg(Feedback.rating),
            func.count(Feedback.rating),
            func.count(Feedback.rating).filter(Feedback.rating >= 4),
        )
        .select_from(Feedback)
        .join(Service, Service.id == Feedback.service_id)
        .join(Team, Team.id == Service.owner_team_id)
        .where(
            group.in_(keys),
            Feedback.rating.is_not(None),
            Feedback.created_at >= since,
            Feedback.created_at < until,
        )
        .group_by(group)
    )
    found = {
        key: Satisfaction(float(mean), satisfied / count, count)
        for key, mean, count, satisfied in rows
    }
    empty = Satisfaction(None, None, 0)
    return {key: found.get(key, empty) for key in keys}


async def status_history(
    session: AsyncSession, feedback_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[FeedbackStatusChange]]:
    rows = await session.scalars(
        select(FeedbackStatusChange)
        .where(FeedbackStatusChange.feedback_id.in_(feedback_ids))
        .order_by(FeedbackStatusChange.at, FeedbackStatusChange.id)
    )
    grouped: dict[uuid.UUID, list[FeedbackStatusChange]] = {key: [] for key in feedback_ids}
    for row in rows:
        grouped[row.feedback_id].append(row)
    return grouped


async def linked_to_items(
    session: AsyncSession, item_ids: Sequence[uuid.UUID], status: FeedbackStatus
) -> list[Feedback]:
    rows = await session.scalars(
        select(Feedback)
        .where(Feedback.backlog_item_id.in_(item_ids), Feedback.status == status)
        .order_by(Feedback.id)
        .with_for_update()
    )
    return list(rows)
