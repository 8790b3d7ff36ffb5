"""Ranking backlog items: a move writes one row; a worn-out gap renumbers the backlog once."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Invalid, Required
from core.records import require_found
from core.repository import get_by_ids
from identity.principal import Principal
from work.backlog import repository
from work.backlog.actions import planned_item
from work.backlog.models import BacklogItem
from work.backlog.ranking import rank_between


async def rank_item(
    session: AsyncSession,
    *,
    principal: Principal,
    item_id: uuid.UUID,
    after_id: uuid.UUID | None,
    before_id: uuid.UUID | None,
) -> BacklogItem:
    """Put an item right after one neighbour and/or right before another: one row written."""
    if after_id is None and before_id is None:
        raise Required("give afterId, beforeId or both", field=["afterId"])
    if item_id in (after_id, before_id):
        raise Invalid("an item is not its own neighbour", field=["afterId"])
    item = await planned_item(session, principal, item_id)
    given = [key for key in (after_id, before_id) if key is not None]
    found = await get_by_ids(session, BacklogItem, given)
    above = _neighbour(found, after_id, item, "afterId")
    below = _neighbour(found, before_id, item, "beforeId")
    above, below = await _adjacent(session, item, above, below)
    rank = rank_between(_rank(above), _rank(below))
    if rank is None:
        await repository.renumber(session, item.backlog_id)
        for renumbered in (item, above, below):
            if renumbered is not None:
                await session.refresh(renumbered)
        rank = rank_between(_rank(above), _rank(below))
        assert rank is not None
    item.rank = rank
    await session.flush()
    return item


def _rank(item: BacklogItem | None) -> float | None:
    return item.rank if item is not None else None


def _neighbour(
    found: dict[uuid.UUID, BacklogItem],
    key: uuid.UUID | None,
    item: BacklogItem,
    field: str,
) -> BacklogItem | None:
    if key is None:
        return None
    other = require_found(found.get(key), what="backlog item", field=field)
    if other.backlog_id != item.backlog_id:
        raise Invalid(f"{field} is on another backlog", field=[field])
    return other


async def _adjacent(
    session: AsyncSession,
    item: BacklogItem,
    above: BacklogItem | None,
    below: BacklogItem | None,
) -> tuple[BacklogItem | None, BacklogItem | None]:
    """Complete the pair of neighbours, checking that two given ones are adjacent."""
    if above is not None:
        next_one = await repository.neighbour(session, above, moving_id=item.id, below=True)
        if below is not None and (next_one is None or next_one.id != below.id):
            raise Invalid("afterId and beforeId are not next to each other", field=["beforeId"])
        return above, next_one
    assert below is not None
    return await repository.neighbour(session, below, moving_id=item.id, below=False), below
