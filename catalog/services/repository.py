"""Every SQL statement about services and ownership roles."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.interfaces import ORMOption

from catalog.orgs.models import OrgKind, SalesforceOrg
from catalog.services.models import (
    DataClassification,
    Lifecycle,
    OwnershipRole,
    OwnershipRoleKind,
    Service,
    Tier,
    service_salesforce_org,
)
from identity.models import Team


@dataclass(frozen=True)
class ServiceFilter:
    owner_team_id: uuid.UUID | None = None
    business_unit_id: uuid.UUID | None = None
    tiers: tuple[Tier, ...] = ()
    lifecycles: tuple[Lifecycle, ...] = ()
    tag: str | None = None
    data_classifications: tuple[DataClassification, ...] = ()
    compliance_regime: str | None = None
    search: str | None = None
    include_archived: bool = False


# The same expression as the trigram index `ix_service_search`, so the index serves it.
SEARCH_TEXT = Service.name.op("||")(literal_column("' '")).op("||")(Service.description)


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def services_query(service_filter: ServiceFilter) -> Select[Service]:
    statement = select(Service)
    if not service_filter.include_archived:
        statement = statement.where(Service.archived_at.is_(None))
    if service_filter.owner_team_id is not None:
        statement = statement.where(Service.owner_team_id == service_filter.owner_team_id)
    if service_filter.business_unit_id is not None:
        statement = statement.where(
            Service.owner_team_id.in_(
                select(Team.id).where(Team.business_unit_id == service_filter.business_unit_id)
            )
        )
    if service_filter.tiers:
        statement = statement.where(Service.tier.in_(service_filter.tiers))
    if service_filter.lifecycles:
        statement = statement.where(Service.lifecycle.in_(service_filter.lifecycles))
    if service_filter.tag is not None:
        statement = statement.where(Service.tags.contains([service_filter.tag]))
    if service_filter.data_classifications:
        statement = statement.where(
            Service.data_classification.in_(service_filter.data_classifications)
        )
    if service_filter.compliance_regime is not None:
        statement = statement.where(
            Service.compliance_regimes.contains([service_filter.compliance_regime.upper()])
        )
    if service_filter.search:
        statement = statement.where(SEARCH_TEXT.ilike(_like_pattern(service_filter.search)))
    return statement


def stale_services_query(now: datetime | ColumnElement[datetime]) -> Select[Service]:
    """Live catalog services whose last owner review is older than their interval."""
    reviewed = func.coalesce(Service.last_reviewed_at, Service.created_at)
    due = reviewed + Service.review_interval_days * text("interval '1 day'")
    return select(Service).where(Service.archived_at.is_(None), due < now)


async def get_by_slug(
    session: AsyncSession, slug: str, options: Sequence[ORMOption] = ()
) -> Service | None:
    """The service with this slug, with the loader `options` given (the API's selection)."""
    return await session.scalar(select(Service).where(Service.slug == slug).options(*options))


async def by_salesforce_keys(session: AsyncSession, keys: Sequence[str]) -> list[Service]:
    """Live services whose salesforce_key is one of `keys`, compared without case."""
    lowered = sorted({key.lower() for key in keys})
    rows = await session.scalars(
        select(Service)
        .where(func.lower(Service.salesforce_key).in_(lowered), Service.archived_at.is_(None))
        .order_by(Service.slug)
    )
    return list(rows)


async def by_slugs(
    session: AsyncSession, slugs: Sequence[str], options: Sequence[ORMOption] = ()
) -> list[Service]:
    """The services with these slugs, with the loader `options` given (the API's selection)."""
    if not slugs:
        return []
    query = select(Service).where(Service.slug.in_(sorted(set(slugs)))).options(*options)
    return list(await session.scalars(query))


async def running_on_production_orgs(
    session: AsyncSession, credentials_refs: Sequence[str], lifecycles: Sequence[Lifecycle]
) -> list[tuple[str, uuid.UUID]]:
    """(credentials reference, service id) of unarchived services in `lifecycles` running on
    an unarchived PRODUCTION org with one of `credentials_refs`."""
    if not credentials_refs:
        return []
    link = service_salesforce_org
    rows = await session.execute(
        select(SalesforceOrg.credentials_ref, Service.id)
        .join(link, link.c.salesforce_org_id == SalesforceOrg.id)
        .join(Service, Service.id == link.c.service_id)
        .where(
            SalesforceOrg.credentials_ref.in_(sorted(set(credentials_refs))),
            SalesforceOrg.kind == OrgKind.PRODUCTION,
            SalesforceOrg.archived_at.is_(None),
            Service.archived_at.is_(None),
            Service.lifecycle.in_(list(lifecycles)),
        )
        .order_by(SalesforceOrg.credentials_ref, Service.slug)
    )
    return [(str(ref), service_id) for ref, service_id in rows]


async def salesforce_org_ids(session: AsyncSession, service_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(service_salesforce_org.c.salesforce_org_id)
        .where(service_salesforce_org.c.service_id == service_id)
        .order_by(service_salesforce_org.c.position)
    )
    return list(rows)


async def replace_salesforce_orgs(
    session: AsyncSession, service_id: uuid.UUID, org_ids: Sequence[uuid.UUID]
) -> None:
    """Store the service's orgs in the order given."""
    await session.execute(
        delete(service_salesforce_org).where(service_salesforce_org.c.service_id == service_id)
    )
    if org_ids:
        await session.execute(
            insert(service_salesforce_org),
            [
                {"service_id": service_id, "salesforce_org_id": org_id, "position": position}
                for position, org_id in enumerate(org_ids)
            ],
        )


async def has_overlapping_role(
    session: AsyncSession,
    *,
    service_id: uuid.UUID,
    person_id: uuid.UUID,
    role: OwnershipRoleKind,
    effective_from: date,
    effective_to: date | None,
    other_than: uuid.UUID | None = None,
) -> bool:
    """Whether the person holds `role` on the service on any day of the given period."""
    conditions = [
        OwnershipRole.service_id == service_id,
        OwnershipRole.person_id == person_id,
        OwnershipRole.role == role,
        or_(OwnershipRole.effective_to.is_(None), OwnershipRole.effective_to >= effective_from),
    ]
    if effective_to is not None:
        conditions.append(OwnershipRole.effective_from <= effective_to)
    if other_than is not None:
        conditions.append(OwnershipRole.id != other_than)
    return bool(await session.scalar(select(exists().where(*conditions))))


def holds_role(
    service_id: Any, person_id: uuid.UUID, role: OwnershipRoleKind, today: Any
) -> ColumnElement[bool]:
    """The person holds `role` on the service (an id, or a column to correlate) on `today`
    (a date, or a SQL date expression)."""
    return and_(
        OwnershipRole.service_id == service_id,
        OwnershipRole.person_id == person_id,
        OwnershipRole.role == role,
        OwnershipRole.effective_from <= today,
        or_(OwnershipRole.effective_to.is_(None), OwnershipRole.effective_to >= today),
    )


async def is_current_holder(
    session: AsyncSession, service_id: uuid.UUID, person_id: uuid.UUID, role: OwnershipRoleKind
) -> bool:
    found = await session.scalar(
        select(OwnershipRole.id)
        .where(holds_role(service_id, person_id, role, func.current_date()))
        .limit(1)
    )
    return found is not None
