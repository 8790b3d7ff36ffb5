"""Releasing items moves them all in one statement; the session sees the new state."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tests.builders.identity import create_team
from tests.builders.work import create_item
from tests.conftest import StatementCounter
from work.backlog import actions
from work.backlog.models import BacklogItemStatus

AT = datetime(2026, 3, 1, tzinfo=UTC)


async def test_released_items_are_seen_released_by_the_session(
    session: AsyncSession, count_statements: StatementCounter
) -> None:
    team = await create_team(session)
    done = [
        await create_item(session, team_id=team.id, status=BacklogItemStatus.DONE) for _ in range(3)
    ]
    unfinished = await create_item(session, team_id=team.id)

    count_statements.reset()
    moved = await actions.release_items(session, [item.id for item in [*done, unfinished]], at=AT)

    assert moved == sorted(item.id for item in done)
    assert len([s for s in count_statements.statements if s.startswith("UPDATE")]) == 1
    assert [(item.status, item.released_at, item.version) for item in done] == [
        (BacklogItemStatus.RELEASED, AT, 2)
    ] * 3
    assert unfinished.status is BacklogItemStatus.NEW


async def test_unreleased_items_return_to_done_without_their_release_time(
    session: AsyncSession,
) -> None:
    team = await create_team(session)
    item = await create_item(
        session, team_id=team.id, status=BacklogItemStatus.RELEASED, released_at=AT
    )

    moved = await actions.unrelease_items(session, [item.id])

    assert moved == [item.id]
    assert (item.status, item.released_at) == (BacklogItemStatus.DONE, None)
