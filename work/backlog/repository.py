"""Every SQL statement about backlogs, backlog items, sprints and design reviews."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, delete, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from work.backlog.models import (
    Backlog,
    BacklogItem,
    BacklogItemStatus,
    BacklogItemType,
    DesignReview,
    DesignReviewOutcome,
    Sprint,
    backlog_item_affected_org,
)
from work.backlog.ranking import STEP


async def backlog_of_team(session: AsyncSession, team_id: uuid.UUID) -> Backlog:
    """The team's backlog, created on first use (one per team, even under concurrency)."""
    await session.execute(
        insert(Backlog).values(id=uuid.uuid4(), team_id=team_id).on_conflict_do_nothing()
    )
    backlog = await session.scalar(select(Backlog).where(Backlog.team_id == team_id))
    assert backlog is not None
    return backlog


async def get_backlog(session: AsyncSession, backlog_id: uuid.UUID) -> Backlog | None:
    return await session.get(Backlog, backlog_id)


async def next_rank(session: AsyncSession, backlog_id: uuid.UUID) -> float:
    """New items go to the bottom of the backlog."""
    highest = await session.scalar(
        select(func.max(BacklogItem.rank)).where(BacklogItem.backlog_id == backlog_id)
    )
    return float(highest or 0) + STEP


async def lock_items(
    session: AsyncSession, item_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, BacklogItem]:
    """The items, locked for this transaction, in one statement."""
    if not item_ids:
        return {}
    rows = await session.scalars(
        select(BacklogItem)
        .where(BacklogItem.id.in_(item_ids))
        .order_by(BacklogItem.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {row.id: row for row in rows}


async def neighbour(
    session: AsyncSession, item: BacklogItem, *, moving_id: uuid.UUID, below: bool
) -> BacklogItem | None:
    """The item right below (or above) `item` in its backlog, ignoring the one being moved."""
    key = tuple_(BacklogItem.rank, BacklogItem.id)
    bound = tuple_(item.rank, item.id)
    statement = select(BacklogItem).where(
        BacklogItem.backlog_id == item.backlog_id,
        BacklogItem.id != moving_id,
        key > bound if below else key < bound,
    )
    if below:
        statement = statement.order_by(BacklogItem.rank, BacklogItem.id)
    else:
        statement = statement.order_by(BacklogItem.rank.desc(), BacklogItem.id.desc())
    return await session.scalar(statement.limit(1))


async def renumber(session: AsyncSession, backlog_id: uuid.UUID) -> None:
    """Give the backlog's items the ranks 1, 2, 3... in their current order (one statement)."""
    ordered = (
        select(
            BacklogItem.id.label("item_id"),
            (func.row_number().over(order_by=(BacklogItem.rank, BacklogItem.id)) * STEP).label(
                "new_rank"
            ),
        )
        .where(BacklogItem.backlog_id == backlog_id)
        .subquery()
    )
    await session.execute(
        update(BacklogItem)
        .where(BacklogItem.id == ordered.c.item_id, BacklogItem.rank != ordered.c.new_rank)
        .values(rank=ordered.c.new_rank, version=BacklogItem.version + 1)
        .execution_options(synchronize_session=False)
    )


async def latest_review(session: AsyncSession, item_id: uuid.UUID) -> DesignReviewOutcome | None:
    outcome: DesignReviewOutcome | None = await session.scalar(
        select(DesignReview.outcome)
        .where(DesignReview.item_id == item_id)
        .order_by(DesignReview.created_at.desc(), DesignReview.id.desc())
        .limit(1)
    )
    return outcome


async def affected_org_ids(session: AsyncSession, item_id: uuid.UUID) -> list[uuid.UUID]:
    """The orgs given explicitly for a hot fix (empty: the orgs of its service)."""
    rows = await session.scalars(
        select(backlog_item_affected_org.c.salesforce_org_id)
        .where(backlog_item_affected_org.c.backlog_item_id == item_id)
        .order_by(backlog_item_affected_org.c.salesforce_org_id)
    )
    return list(rows)


async def replace_affected_orgs(
    session: AsyncSession, item_id: uuid.UUID, org_ids: Sequence[uuid.UUID]
) -> None:
    await session.execute(
        delete(backlog_item_affected_org).where(
            backlog_item_affected_org.c.backlog_item_id == item_id
        )
    )
    if org_ids:
        await session.execute(
            backlog_item_affected_org.insert(),
            [{"backlog_item_id": item_id, "salesforce_org_id": org_id} for org_id in org_ids],
        )


async def set_status(
    session: AsyncSession,
    item_ids: Sequence[uuid.UUID],
    *,
    before: BacklogItemStatus,
    after: BacklogItemStatus,
    values: dict[str, object],
) -> list[uuid.UUID]:
    """Move many items at once (one statement); returns the ids that moved.

    Items already in the session are given their new state, so whoever reads them next
    in this transaction (the release's event handlers) sees it.
    """
    if not item_ids:
        return []
    rows = await session.execute(
        update(BacklogItem)
        .where(BacklogItem.id.in_(item_ids), BacklogItem.status == before)
        .values(status=after, version=BacklogItem.version + 1, **values)
        .returning(BacklogItem.id, BacklogItem.version)
        .execution_options(synchronize_session=False)
    )
    moved = dict(rows.all())
    for key, version in moved.items():
        loaded = session.identity_map.get(session.identity_key(BacklogItem, key))
        if loaded is not None:
            for name, value in {"status": after, "version": version, **values}.items():
                set_committed_value(loaded, name, value)
    return sorted(moved)


@dataclass(frozen=True)
class ItemFilter:
    team_id: uuid.UUID | None = None
    service_id: uuid.UUID | None = None
    sprint_id: uuid.UUID | None = None
    release_id: uuid.UUID | None = None
    statuses: tuple[BacklogItemStatus, ...] = ()
    types: tuple[BacklogItemType, ...] = ()


def items_query(item_filter: ItemFilter) -> Select[BacklogItem]:
    statement = select(BacklogItem)
    if item_filter.team_id is not None:
        statement = statement.where(
            BacklogItem.backlog_id.in_(
                select(Backlog.id).where(Backlog.team_id == item_filter.team_id)
            )
        )
    for column, value in (
        (BacklogItem.service_id, item_filter.service_id),
        (BacklogItem.sprint_id, item_filter.sprint_id),
        (BacklogItem.release_id, item_filter.release_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if item_filter.statuses:
        statement = statement.where(BacklogItem.status.in_(item_filter.statuses))
    if item_filter.types:
        statement = statement.where(BacklogItem.type.in_(item_filter.types))
    return statement


def sprints_query(team_id: uuid.UUID | None) -> Select[Sprint]:
    statement = select(Sprint)
    if team_id is not None:
        statement = statement.where(Sprint.team_id == team_id)
    return statement


async def lock_sprint(session: AsyncSession, sprint_id: uuid.UUID) -> Sprint | None:
    return await session.scalar(
        select(Sprint)
        .where(Sprint.id == sprint_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def backlog_teams(
    session: AsyncSession, backlog_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """The team of each backlog."""
    rows = await session.execute(
        select(Backlog.id, Backlog.team_id).where(Backlog.id.in_(set(backlog_ids)))
    )
    return dict(rows.all())
