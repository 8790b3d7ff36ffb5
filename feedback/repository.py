"""Every SQL statement about feedback, votes and satisfaction."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CTE,
    Float,
    Select,
    Table,
    Text,
    Uuid,
    bindparam,
    case,
    cast,
    delete,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from catalog.services.models import Service
from core.statement_alone import first_row
from feedback import idempotency
from feedback.models import (
    Feedback,
    FeedbackKind,
    FeedbackStatus,
    FeedbackStatusChange,
    SalesforceVote,
    Vote,
)
from identity.audit import AuditEvent
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


@dataclass(frozen=True)
class VoteCounts:
    votes: int  # people: here, or by a Salesforce promote matched to them
    teams: int  # distinct teams of those people
    external: int  # Salesforce promotes by users matching nobody


async def vote_counts(session: AsyncSession, feedback_id: uuid.UUID) -> VoteCounts:
    """The item's votes counted now, under the row lock (one statement). Salesforce votes
    on items merged into this one count here too (they stay with their Idea's item, which
    the sync keeps up to date), each person and each Salesforce user once."""
    merged = select(Feedback.id).where(Feedback.merged_into_id == feedback_id)
    salesforce = select(SalesforceVote).where(
        or_(SalesforceVote.feedback_id == feedback_id, SalesforceVote.feedback_id.in_(merged)),
        SalesforceVote.up,
    )
    promotes = salesforce.subquery()
    voters = union(
        select(Vote.person_id.label("person_id")).where(Vote.feedback_id == feedback_id),
        select(promotes.c.person_id).where(promotes.c.person_id.is_not(None)),
    ).subquery()
    external = (
        select(func.count(func.distinct(func.coalesce(promotes.c.user_id, promotes.c.vote_id))))
        .where(promotes.c.person_id.is_(None))
        .scalar_subquery()
    )
    row = (
        await session.execute(
            select(
                func.count(func.distinct(voters.c.person_id)),
                func.count(func.distinct(Membership.team_id)),
                external,
            )
            .select_from(voters)
            .outerjoin(Membership, Membership.person_id == voters.c.person_id)
        )
    ).one()
    return VoteCounts(int(row[0]), int(row[1]), int(row[2]))


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


@dataclass(frozen=True)
class NewFeedback:
    """A submission that passed every check but its service's: the row to insert (the
    columns of `NEW_FEEDBACK_COLUMNS`), and its score for each tier its service may have
    (the score weighs the service's tier)."""

    values: Mapping[str, Any]
    score_by_tier: Mapping[str, float | None]


NEW_FEEDBACK_COLUMNS = (
    "id",
    "author_id",
    "contact_email",
    "kind",
    "title",
    "body",
    "rating",
    "channel",
    "status",
    "created_at",
    "version",
)
AUDIT_COLUMNS = (
    "actor",
    "action",
    "target_type",
    "target_id",
    "outcome",
    "client_ip",
    "user_agent",
    "request_id",
    "details",
)


@dataclass(frozen=True)
class Notification:
    """`pg_notify(channel, head || service id || tail)`: a payload naming the service the
    statement found."""

    channel: str
    head: str
    tail: str


@dataclass(frozen=True)
class Keyed:
    claim: idempotency.KeyClaim
    response: idempotency.StoredResponse
    now: datetime


@dataclass(frozen=True)
class Inserted:
    """What the submission's statement did: the feedback row it stored (None when the
    service is unknown or archived, or the key is another request's; `as_loaded` makes it
    the session's object), whether it took the key, and the key's row as the statement's
    snapshot saw it."""

    row: Mapping[str, Any] | None
    claimed: bool
    stored: idempotency.Stored | None


async def insert_submission(
    session: AsyncSession | AsyncEngine,
    *,
    new: NewFeedback,
    service: str | uuid.UUID,
    history_actor: str | None,
    notification: Notification,
    settings: Mapping[str, str] | None = None,
    keyed: Keyed | None = None,
    audit: Mapping[str, Any] | None = None,
) -> Inserted:
    """One statement: the transaction `settings` (set_config; the feedback's insert reads
    them, so any trigger it fires sees them), the idempotency key claimed, the service found
    (live, by slug or id), the feedback inserted, its first status change, the audit event
    (the columns of `AUDIT_COLUMNS`), and the notification sent when the transaction
    commits. Data-modifying CTEs, each reading the one before it: all or nothing, and in
    that order."""
    settings = settings or {}
    statement = _submission(
        by_id=isinstance(service, uuid.UUID),
        settings=len(settings),
        tiers=tuple(new.score_by_tier),
        keyed=keyed is not None,
        audited=audit is not None,
    )
    params: dict[str, Any] = {
        **{f"new_{name}": new.values[name] for name in NEW_FEEDBACK_COLUMNS},
        **{f"score_{tier}": score for tier, score in new.score_by_tier.items()},
        "service": service,
        "history_actor": history_actor,
        "channel": notification.channel,
        "head": notification.head,
        "tail": notification.tail,
    }
    for index, (name, value) in enumerate(settings.items()):
        params[f"setting_name_{index}"], params[f"setting_{index}"] = name, value
    if audit is not None:
        params.update({f"audit_{name}": audit[name] for name in AUDIT_COLUMNS})
    if keyed is not None:
        params.update(idempotency.claim_parameters(keyed.claim, keyed.response, now=keyed.now))
    with idempotency.in_flight_refused():
        result = await first_row(session, statement, params)
    if result is None:  # no key, and no service: nothing was written
        return Inserted(None, claimed=False, stored=None)
    row = result if result["id"] is not None else None
    if keyed is None:
        return Inserted(row, claimed=False, stored=None)
    stored_hash = result["request_hash"]
    return Inserted(
        row,
        claimed=bool(result["claimed"]),
        stored=idempotency.Stored(
            stored_hash,
            idempotency.StoredResponse(result["response_status"], result["response_body"]),
        )
        if stored_hash is not None
        else None,
    )


@functools.cache
def _submission(
    *, by_id: bool, settings: int, tiers: tuple[str, ...], keyed: bool, audited: bool
) -> Select[Any]:
    """The submission's statement, built once per shape: every value a bound parameter."""
    feedback, service = _table(Feedback).c, _table(Service).c
    after: list[CTE] = []
    if settings:
        named = (
            func.set_config(bindparam(f"setting_name_{index}", type_=Text),
                            bindparam(f"setting_{index}", type_=Text), True)
            .label(f"setting_{index}")
            for index in range(settings)
        )  # fmt: skip
        after.append(select(*named).cte("transaction_settings"))
    claimed = None
    if keyed:
        claimed = idempotency.claim()
        after.append(claimed)
    target = (
        select(service.id, service.tier)
        .where(
            (service.id if by_id else service.slug) == bindparam("service"),
            service.archived_at.is_(None),
        )
        .cte("target_service")
    )
    score = case(
        *((target.c.tier == tier, bindparam(f"score_{tier}", type_=Float)) for tier in tiers),
        else_=null(),
    )
    source = select(
        *(bindparam(f"new_{name}", type_=feedback[name].type) for name in NEW_FEEDBACK_COLUMNS),
        target.c.id,
        score,
    ).select_from(target)
    for cte in after:
        source = source.join(cte, true())
    if claimed is not None:
        source = source.where(claimed.c.claimed == 1)
    row = (
        insert(_table(Feedback))
        .from_select([*NEW_FEEDBACK_COLUMNS, "service_id", "score"], source)
        .returning(*feedback)
        .cte("new_feedback")
    )
    changes = _table(FeedbackStatusChange)
    status_change = insert(changes).from_select(
        ["feedback_id", "from_status", "to_status", "actor"],
        select(
            row.c.id,
            null(),
            row.c.status,
            bindparam("history_actor", type_=changes.c.actor.type),
        ).select_from(row),
    )
    payload = (
        bindparam("head", type_=Text) + cast(row.c.service_id, Text) + bindparam("tail", type_=Text)
    )
    notified = (
        select(func.pg_notify(bindparam("channel", type_=Text), payload).label("sent"))
        .select_from(row)
        .cte("notified")
    )
    statement = select(
        *row.c, select(func.count()).select_from(notified).scalar_subquery().label("notified")
    ).add_cte(status_change.cte("status_change"))
    if audited:
        events = _table(AuditEvent)
        event = insert(events).from_select(
            list(AUDIT_COLUMNS),
            select(
                *(bindparam(f"audit_{name}", type_=events.c[name].type) for name in AUDIT_COLUMNS)
            ).select_from(row),
        )
        statement = statement.add_cte(event.cte("audit"))
    if claimed is None:
        return statement.select_from(row)
    stored = idempotency.stored_row().subquery("stored")
    return statement.add_columns(claimed.c.claimed, *stored.c).select_from(
        claimed.outerjoin(row, true()).outerjoin(stored, true())
    )


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def as_loaded(session: AsyncSession, row: Mapping[str, Any]) -> Feedback:
    """A feedback row a statement returned, as the session's object, as if loaded: no
    statement."""
    feedback = Feedback(**{column.key: row[column.name] for column in Feedback.__table__.c})
    make_transient_to_detached(feedback)
    session.add(feedback)
    return feedback
