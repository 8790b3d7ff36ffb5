"""Every SQL statement about Salesforce orgs."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs.models import OrgKind, SalesforceOrg


def orgs_query(*, include_archived: bool = False) -> Select[SalesforceOrg]:
    statement = select(SalesforceOrg)
    if not include_archived:
        statement = statement.where(SalesforceOrg.archived_at.is_(None))
    return statement


async def get_by_org_id(session: AsyncSession, org_id: str) -> SalesforceOrg | None:
    return await session.scalar(select(SalesforceOrg).where(SalesforceOrg.org_id == org_id))


async def has_child_orgs(session: AsyncSession, org_id: uuid.UUID) -> bool:
    """Whether a sandbox or scratch org names `org_id` as its production org."""
    found = await session.scalar(select(exists().where(SalesforceOrg.parent_id == org_id)))
    return bool(found)


async def get_by_credentials_ref(session: AsyncSession, reference: str) -> SalesforceOrg | None:
    return await session.scalar(
        select(SalesforceOrg)
        .where(SalesforceOrg.credentials_ref == reference)
        .order_by(SalesforceOrg.created_at, SalesforceOrg.id)
        .limit(1)
    )


async def connected_production_orgs(
    session: AsyncSession, refs: Iterable[str]
) -> list[SalesforceOrg]:
    """Production orgs, not archived, whose credentials reference is one of `refs` (the orgs
    a Salesforce job reads)."""
    found = await session.scalars(
        select(SalesforceOrg)
        .where(
            SalesforceOrg.kind == OrgKind.PRODUCTION,
            SalesforceOrg.archived_at.is_(None),
            SalesforceOrg.credentials_ref.in_(sorted(set(refs))),
        )
        .order_by(SalesforceOrg.name, SalesforceOrg.id)
    )
    return list(found)
