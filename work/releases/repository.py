"""Every SQL statement about releases, readiness assessments and hot-fix deployments."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service, service_salesforce_org
from work.backlog.models import (
    BacklogItem,
    BacklogItemStatus,
    BacklogItemType,
    backlog_item_affected_org,
)
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
