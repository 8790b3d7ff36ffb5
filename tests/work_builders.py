"""Builders for backlog work: items, sprints and releases with sensible defaults."""

from __future__ import annotations

import itertools
import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from work.backlog import repository
from work.backlog.models import BacklogItem, BacklogItemStatus, BacklogItemType, Sprint
from work.releases.models import Release, ReleaseKind, release_service

_numbers = itertools.count(1)


async def create_item(
    session: AsyncSession, *, team_id: uuid.UUID, **overrides: Any
) -> BacklogItem:
    """An item at the bottom of the team's backlog."""
    backlog = await repository.backlog_of_team(session, team_id)
    values = {
        "backlog_id": backlog.id,
        "type": BacklogItemType.FEATURE,
        "status": BacklogItemStatus.NEW,
        "title": f"Item {next(_numbers)}",
        "rank": await repository.next_rank(session, backlog.id),
        **overrides,
    }
    item = BacklogItem(**values)
    session.add(item)
    await session.flush()
    return item


async def create_sprint(session: AsyncSession, *, team_id: uuid.UUID, **overrides: Any) -> Sprint:
    values = {
        "name": f"Sprint {next(_numbers)}",
        "starts_on": date(2026, 3, 2),
        "ends_on": date(2026, 3, 13),
        **overrides,
    }
    sprint = Sprint(team_id=team_id, **values)
    session.add(sprint)
    await session.flush()
    return sprint


async def create_release(
    session: AsyncSession,
    *,
    owner_team_id: uuid.UUID,
    service_ids: tuple[uuid.UUID, ...] = (),
    **overrides: Any,
) -> Release:
    values = {"name": f"Release {next(_numbers)}", "kind": ReleaseKind.REGULAR, **overrides}
    release = Release(owner_team_id=owner_team_id, **values)
    session.add(release)
    await session.flush()
    if service_ids:
        await session.execute(
            release_service.insert(),
            [{"release_id": release.id, "service_id": key} for key in service_ids],
        )
    return release
