"""Every SQL statement about Salesforce orgs."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs.models import SalesforceOrg


def orgs_query(*, include_archived: bool = False) -> Select[SalesforceOrg]:
    statement = select(SalesforceOrg)
    if not include_archived:
        statement = statement.where(SalesforceOrg.archived_at.is_(None))
    return statement


async def get_by_org_id(session: AsyncSession, org_id: str) -> SalesforceOrg | None:
    return await session.scalar(select(SalesforceOrg).where(SalesforceOrg.org_id == org_id))
