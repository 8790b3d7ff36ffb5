"""The reads of an import: records by the keys the files use (slug, name, email, org id)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.graph.models import Dependency, SharedResource
from catalog.orgs.models import SalesforceOrg
from catalog.services.models import service_salesforce_org
from identity.models import BusinessUnit, Membership, Person, Team


async def team_by_slug(session: AsyncSession, slug: str) -> Team | None:
    return await session.scalar(select(Team).where(Team.slug == slug))


async def business_unit_by_name(session: AsyncSession, name: str) -> BusinessUnit | None:
    return await session.scalar(select(BusinessUnit).where(BusinessUnit.name == name))


async def resource_by_name(session: AsyncSession, name: str) -> SharedResource | None:
    return await session.scalar(select(SharedResource).where(SharedResource.name == name))


async def org_keys(session: AsyncSession, org_ids: Sequence[str]) -> dict[str, uuid.UUID]:
    """The catalog ids of the orgs with these (18-character) Salesforce org ids."""
    rows = await session.execute(
        select(SalesforceOrg.org_id, SalesforceOrg.id).where(SalesforceOrg.org_id.in_(org_ids))
    )
    return {row[0]: row[1] for row in rows}


async def service_org_keys(session: AsyncSession, service_id: uuid.UUID) -> list[uuid.UUID]:
    link = service_salesforce_org
    rows = await session.scalars(
        select(link.c.salesforce_org_id)
        .where(link.c.service_id == service_id)
        .order_by(link.c.position, link.c.salesforce_org_id)
    )
    return list(rows)


async def verified_people_by_email(session: AsyncSession, email: str) -> list[Person]:
    rows = await session.scalars(
        select(Person)
        .where(func.lower(Person.email) == email.lower(), Person.email_verified.is_(True))
        .order_by(Person.id)
        .limit(2)
    )
    return list(rows)


async def membership_team_ids(session: AsyncSession, person_id: uuid.UUID) -> set[uuid.UUID]:
    rows = await session.scalars(
        select(Membership.team_id).where(Membership.person_id == person_id)
    )
    return set(rows)


async def dependency_target_ids(session: AsyncSession, service_id: uuid.UUID) -> set[uuid.UUID]:
    """Every service and shared resource the service already depends on, of any kind."""
    rows = await session.execute(
        select(Dependency.target_service_id, Dependency.target_resource_id).where(
            Dependency.source_service_id == service_id
        )
    )
    return {target for pair in rows for target in pair if target is not None}
