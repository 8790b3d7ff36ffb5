"""Every SQL statement about backlogs and backlog items."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.work.models import Backlog, BacklogItem


async def backlog_of_team(session: AsyncSession, team_id: uuid.UUID) -> Backlog:
    """The team's backlog, created on first use (one per team, even under concurrency)."""
    await session.execute(
        insert(Backlog).values(id=uuid.uuid4(), team_id=team_id).on_conflict_do_nothing()
    )
    backlog = await session.scalar(select(Backlog).where(Backlog.team_id == team_id))
    assert backlog is not None
    return backlog


async def next_rank(session: AsyncSession, backlog_id: uuid.UUID) -> float:
    """New items go to the bottom of the backlog."""
    highest = await session.scalar(
        select(func.max(BacklogItem.rank)).where(BacklogItem.backlog_id == backlog_id)
    )
    return float(highest or 0) + 1.0
