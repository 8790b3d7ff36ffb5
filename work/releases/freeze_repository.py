"""Every SQL statement about freeze windows: the filtered list, and those a release meets."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service
from work.releases.models import FreezeScope, FreezeWindow, Release, release_service


@dataclass(frozen=True)
class FreezeFilter:
    """Windows overlapping [starts, ends) that apply to any of the services or teams given
    (org-wide windows apply to all)."""

    starts: datetime | None = None
    ends: datetime | None = None
    service_ids: tuple[uuid.UUID, ...] = ()
    team_ids: tuple[uuid.UUID, ...] = ()
    scopes: tuple[FreezeScope, ...] = ()


def _applies(
    service_ids: tuple[uuid.UUID, ...], team_ids: tuple[uuid.UUID, ...]
) -> ColumnElement[bool]:
    """Org-wide windows; windows of these services or of their owner teams; windows of these
    teams or of the services they own."""
    conditions: list[ColumnElement[bool]] = [FreezeWindow.scope == FreezeScope.ORGANISATION]
    if service_ids:
        conditions.append(FreezeWindow.service_id.in_(service_ids))
        conditions.append(
            FreezeWindow.team_id.in_(
                select(Service.owner_team_id).where(Service.id.in_(service_ids))
            )
        )
    if team_ids:
        conditions.append(FreezeWindow.team_id.in_(team_ids))
        conditions.append(
            FreezeWindow.service_id.in_(
                select(Service.id).where(Service.owner_team_id.in_(team_ids))
            )
        )
    return or_(*conditions) if conditions else false()


def freeze_windows_query(given: FreezeFilter) -> Select[FreezeWindow]:
    statement = select(FreezeWindow)
    if given.starts is not None:
        statement = statement.where(FreezeWindow.ends_at > given.starts)
    if given.ends is not None:
        statement = statement.where(FreezeWindow.starts_at < given.ends)
    if given.service_ids or given.team_ids:
        statement = statement.where(_applies(given.service_ids, given.team_ids))
    if given.scopes:
        statement = statement.where(FreezeWindow.scope.in_(given.scopes))
    return statement


async def windows_meeting(
    session: AsyncSession, release: Release, at: datetime
) -> list[FreezeWindow]:
    """The windows open at `at` that apply to the release: org-wide, one of its services,
    its owner team, or the owner team of one of its services. Earliest first."""
    services = select(release_service.c.service_id).where(
        release_service.c.release_id == release.id
    )
    owner_teams = select(Service.owner_team_id).where(Service.id.in_(services))
    statement = (
        select(FreezeWindow)
        .where(
            FreezeWindow.starts_at <= at,
            FreezeWindow.ends_at > at,
            or_(
                FreezeWindow.scope == FreezeScope.ORGANISATION,
                FreezeWindow.service_id.in_(services),
                and_(
                    FreezeWindow.team_id.is_not(None),
                    or_(
                        FreezeWindow.team_id == release.owner_team_id,
                        FreezeWindow.team_id.in_(owner_teams),
                    ),
                ),
            ),
        )
        .order_by(FreezeWindow.starts_at, FreezeWindow.id)
    )
    return list(await session.scalars(statement))


async def lock_window(session: AsyncSession, window_id: uuid.UUID) -> FreezeWindow | None:
    return await session.scalar(
        select(FreezeWindow)
        .where(FreezeWindow.id == window_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
