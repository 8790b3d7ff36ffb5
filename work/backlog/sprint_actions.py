"""Business rules of sprints: plan them, take READY items in, let unfinished ones out."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Invalid
from core.records import check_version, require_found
from core.repository import get_by_id
from core.validation import text_field
from identity.models import Team
from identity.principal import Principal
from work.backlog import repository
from work.backlog.actions import backlog_teams, planned_items, refusal, require_planner
from work.backlog.models import BacklogItemStatus, Sprint
from work.backlog.transitions import SKIPS_SPRINTS

IN_SPRINT = BacklogItemStatus.IN_SPRINT
# Unfinished work may move on to another sprint.
MOVABLE = frozenset({BacklogItemStatus.IN_SPRINT, BacklogItemStatus.IN_DESIGN_REVIEW})


def _fields(fields: dict[str, Any]) -> dict[str, Any]:
    checked = dict(fields)
    if "name" in fields:
        checked["name"] = text_field(fields["name"] or "", field="name", max_length=200)
    if "goal" in fields:
        checked["goal"] = text_field(
            fields["goal"] or "", field="goal", max_length=2_000, required=False
        )
    return checked


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise Invalid("endsOn must not be before startsOn", field=["endsOn"])


async def create_sprint(
    session: AsyncSession, *, principal: Principal, team_id: uuid.UUID, fields: dict[str, Any]
) -> Sprint:
    """A sprint of a team, planned by the team (or its product owner)."""
    require_found(await get_by_id(session, Team, team_id), what="team", field="teamId")
    await require_planner(session, principal, team_id=team_id, action="planning sprints")
    checked = _fields(fields)
    _check_dates(checked["starts_on"], checked["ends_on"])
    sprint = Sprint(id=uuid.uuid4(), team_id=team_id, **checked)
    session.add(sprint)
    await session.flush()
    return sprint


async def _planned_sprint(
    session: AsyncSession, principal: Principal, sprint_id: uuid.UUID, *, field: str = "id"
) -> Sprint:
    sprint = require_found(
        await repository.lock_sprint(session, sprint_id), what="sprint", field=field
    )
    await require_planner(session, principal, team_id=sprint.team_id, action="planning sprints")
    return sprint


async def update_sprint(
    session: AsyncSession,
    *,
    principal: Principal,
    sprint_id: uuid.UUID,
    version: int | None,
    changes: dict[str, Any],
) -> Sprint:
    """Rename, re-date or re-aim a sprint."""
    sprint = await _planned_sprint(session, principal, sprint_id)
    check_version(sprint, version)
    checked = _fields(changes)
    _check_dates(checked.get("starts_on", sprint.starts_on), checked.get("ends_on", sprint.ends_on))
    for name, value in checked.items():
        setattr(sprint, name, value)
    await session.flush()
    return sprint


async def add_to_sprint(
    session: AsyncSession,
    *,
    principal: Principal,
    sprint_id: uuid.UUID,
    item_ids: Sequence[uuid.UUID],
) -> Sprint:
    """READY items of the team's backlog join the sprint; unfinished ones move over from another."""
    sprint = await _planned_sprint(session, principal, sprint_id, field="sprintId")
    items = await planned_items(session, principal, item_ids)
    teams = await backlog_teams(session, items)
    for item in items:
        if teams[item.backlog_id] != sprint.team_id:
            raise Invalid(f"{item.title!r} is on another team's backlog", field=["itemIds"])
        if item.type not in SKIPS_SPRINTS and item.status is BacklogItemStatus.READY:
            item.status = IN_SPRINT
        elif item.type in SKIPS_SPRINTS or item.status not in MOVABLE:
            raise refusal(item, IN_SPRINT, f"{item.title!r} ({item.status} {item.type})")
        item.sprint_id = sprint.id
    await session.flush()
    return sprint


async def remove_from_sprint(
    session: AsyncSession,
    *,
    principal: Principal,
    sprint_id: uuid.UUID,
    item_ids: Sequence[uuid.UUID],
) -> Sprint:
    """Items IN_SPRINT go back to READY, out of the sprint; finished work stays."""
    sprint = await _planned_sprint(session, principal, sprint_id, field="sprintId")
    items = await planned_items(session, principal, item_ids)
    for item in items:
        if item.sprint_id != sprint.id:
            raise Invalid(f"{item.title!r} is not in this sprint", field=["itemIds"])
        if item.status is not IN_SPRINT:
            raise refusal(
                item, BacklogItemStatus.READY, f"{item.title!r} ({item.status} {item.type})"
            )
        item.status, item.sprint_id = BacklogItemStatus.READY, None
    await session.flush()
    return sprint
