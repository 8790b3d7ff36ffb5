"""Every SQL statement about releases, readiness assessments and hot-fix deployments."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.interfaces import ORMOption

from catalog.services.models import Service, service_salesforce_org
from work.backlog.models import (
    BacklogItem,
    BacklogItemStatus,
    BacklogItemType,
    backlog_item_affected_org,
)
from work.releases.calendar import calendar_day_sql
from work.releases.models import (
    HotfixDeployment,
    ReadinessAssessment,
    Release,
    ReleaseKind,
    ReleaseStatus,
    release_service,
)


@dataclass(frozen=True)
class ReleaseFilter:
    owner_team_id: uuid.UUID | None = None
    service_id: uuid.UUID | None = None
    kinds: tuple[ReleaseKind, ...] = ()
    statuses: tuple[ReleaseStatus, ...] = ()
    # The calendar: the release's day (calendar.calendar_day) from/to, both inclusive.
    from_day: date | None = None
    to_day: date | None = None
    service_ids: tuple[uuid.UUID, ...] = ()
    # Run by one of the teams, or changing a service one of them owns.
    team_ids: tuple[uuid.UUID, ...] = ()


def releases_query(release_filter: ReleaseFilter) -> Select[Release]:
    statement = select(Release)
    if release_filter.owner_team_id is not None:
        statement = statement.where(Release.owner_team_id == release_filter.owner_team_id)
    if release_filter.service_id is not None:
        statement = statement.where(
            Release.id.in_(
                select(release_service.c.release_id).where(
                    release_service.c.service_id == release_filter.service_id
                )
            )
        )
    if release_filter.kinds:
        statement = statement.where(Release.kind.in_(release_filter.kinds))
    if release_filter.statuses:
        statement = statement.where(Release.status.in_(release_filter.statuses))
    return _calendar_conditions(statement, release_filter)


def _calendar_conditions(
    statement: Select[Release], release_filter: ReleaseFilter
) -> Select[Release]:
    day = calendar_day_sql(Release)
    if release_filter.from_day is not None:
        statement = statement.where(day >= release_filter.from_day)
    if release_filter.to_day is not None:
        statement = statement.where(day <= release_filter.to_day)
    if release_filter.service_ids:
        statement = statement.where(
            Release.id.in_(
                select(release_service.c.release_id).where(
                    release_service.c.service_id.in_(release_filter.service_ids)
                )
            )
        )
    if release_filter.team_ids:
        teams_services = select(release_service.c.release_id).join(
            Service, Service.id == release_service.c.service_id
        )
        statement = statement.where(
            or_(
                Release.owner_team_id.in_(release_filter.team_ids),
                Release.id.in_(
                    teams_services.where(Service.owner_team_id.in_(release_filter.team_ids))
                ),
            )
        )
    return statement


async def lock_release(session: AsyncSession, release_id: uuid.UUID) -> Release | None:
    return await session.scalar(
        select(Release)
        .where(Release.id == release_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def service_ids(session: AsyncSession, release_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(release_service.c.service_id)
        .where(release_service.c.release_id == release_id)
        .order_by(release_service.c.service_id)
    )
    return list(rows)


async def replace_services(
    session: AsyncSession, release_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> None:
    await session.execute(delete(release_service).where(release_service.c.release_id == release_id))
    if ids:
        await session.execute(
            release_service.insert(),
            [{"release_id": release_id, "service_id": key} for key in ids],
        )


async def items_of(session: AsyncSession, release_id: uuid.UUID) -> list[BacklogItem]:
    """The release's items, locked: shipping and rolling back move them all."""
    rows = await session.scalars(
        select(BacklogItem)
        .where(BacklogItem.release_id == release_id)
        .order_by(BacklogItem.rank, BacklogItem.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def active_releases(
    session: AsyncSession, release_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Release]:
    """Of these releases, those not yet shipped (an item belongs to one of those at a time)."""
    if not release_ids:
        return {}
    rows = await session.scalars(
        select(Release).where(
            Release.id.in_(set(release_ids)),
            Release.status.in_((ReleaseStatus.PLANNED, ReleaseStatus.IN_PROGRESS)),
        )
    )
    return {row.id: row for row in rows}


async def assessment(
    session: AsyncSession, release_id: uuid.UUID, service_id: uuid.UUID
) -> ReadinessAssessment | None:
    return await session.scalar(
        select(ReadinessAssessment)
        .where(
            ReadinessAssessment.release_id == release_id,
            ReadinessAssessment.service_id == service_id,
        )
        .with_for_update()
    )


def services_not_ready_query(release_id: uuid.UUID) -> Select[Service]:
    """The release's services without an assessment that says ready, by name."""
    ready = exists().where(
        ReadinessAssessment.release_id == release_id,
        ReadinessAssessment.service_id == Service.id,
        ReadinessAssessment.ready.is_(True),
    )
    return (
        select(Service)
        .join(release_service, release_service.c.service_id == Service.id)
        .where(release_service.c.release_id == release_id, ~ready)
        .order_by(Service.name, Service.id)
    )


async def deployment(
    session: AsyncSession, item_id: uuid.UUID, org_id: uuid.UUID
) -> HotfixDeployment | None:
    return await session.scalar(
        select(HotfixDeployment)
        .where(HotfixDeployment.item_id == item_id, HotfixDeployment.salesforce_org_id == org_id)
        .with_for_update()
    )


HOTFIX_TYPES = (BacklogItemType.HOTFIX, BacklogItemType.VULNERABILITY)


def _not_deployed(org_column: ColumnElement[uuid.UUID]) -> ColumnElement[bool]:
    # Two levels below the item's select: tied to it (and to the org's row) explicitly, or
    # SQLAlchemy gives this EXISTS a backlog_item of its own and any hot fix deployed to the
    # org would count.
    return ~(
        exists()
        .where(
            HotfixDeployment.item_id == BacklogItem.id,
            HotfixDeployment.salesforce_org_id == org_column,
        )
        .correlate_except(HotfixDeployment)
    )


def open_hotfixes_query() -> Select[BacklogItem]:
    """Hot fixes not declined that some affected org has not received yet.

    The affected orgs are those given for the item, else the orgs its service runs on.
    """
    explicit = backlog_item_affected_org.c
    has_explicit = exists().where(explicit.backlog_item_id == BacklogItem.id)
    explicit_pending = exists().where(
        explicit.backlog_item_id == BacklogItem.id,
        _not_deployed(explicit.salesforce_org_id),
    )
    service_orgs = service_salesforce_org.c
    service_pending = exists().where(
        service_orgs.service_id == BacklogItem.service_id,
        _not_deployed(service_orgs.salesforce_org_id),
    )
    return select(BacklogItem).where(
        BacklogItem.type.in_(HOTFIX_TYPES),
        BacklogItem.status != BacklogItemStatus.DECLINED,
        or_(explicit_pending, and_(~has_explicit, service_pending)),
    )


async def affected_org_ids(session: AsyncSession, item: BacklogItem) -> list[uuid.UUID]:
    """The orgs a hot fix must reach: those given for it, else its service's orgs."""
    explicit = backlog_item_affected_org.c
    given = list(
        await session.scalars(
            select(explicit.salesforce_org_id).where(explicit.backlog_item_id == item.id)
        )
    )
    if given or item.service_id is None:
        return given
    service_orgs = service_salesforce_org.c
    return list(
        await session.scalars(
            select(service_orgs.salesforce_org_id)
            .where(service_orgs.service_id == item.service_id)
            .order_by(service_orgs.position)
        )
    )


def calendar_order() -> tuple[Any, ...]:
    """The calendar's order: by day (undated last), then creation, then id."""
    return (calendar_day_sql(Release).asc().nulls_last(), Release.created_at, Release.id)


async def releases_by_service_ids(
    session: AsyncSession, service_ids: Sequence[uuid.UUID], options: Sequence[ORMOption] = ()
) -> dict[uuid.UUID, list[Release]]:
    """Each service's releases in calendar order: one statement."""
    rows = await session.execute(
        select(release_service.c.service_id, Release)
        .join(Release, Release.id == release_service.c.release_id)
        .where(release_service.c.service_id.in_(service_ids))
        .order_by(*calendar_order())
        .options(*options)
    )
    found: dict[uuid.UUID, list[Release]] = {key: [] for key in service_ids}
    for service_id, release in rows:
        found[service_id].append(release)
    return found


async def releases_by_team_ids(
    session: AsyncSession, team_ids: Sequence[uuid.UUID], options: Sequence[ORMOption] = ()
) -> dict[uuid.UUID, list[Release]]:
    """Each team's releases (run by it, or changing a service it owns) in calendar order."""
    owned = (
        select(release_service.c.release_id.label("release_id"), Service.owner_team_id)
        .join(Service, Service.id == release_service.c.service_id)
        .union(select(Release.id, Release.owner_team_id))
        .subquery()
    )
    rows = await session.execute(
        select(owned.c.owner_team_id, Release)
        .join(Release, Release.id == owned.c.release_id)
        .where(owned.c.owner_team_id.in_(team_ids))
        .order_by(*calendar_order())
        .options(*options)
    )
    found: dict[uuid.UUID, list[Release]] = {key: [] for key in team_ids}
    for team_id, release in rows:
        found[team_id].append(release)
    return found
