"""Batches of the provisioning fields: each a fixed number of statements for any number of orgs."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types.nodes import Selection

from catalog.org_users import repository
from catalog.org_users.models import SalesforceOrgUser
from core.clock import utcnow
from graphql_schema.catalog.org_users.types import LicenceUse
from graphql_schema.prefetch import loader_options


async def drift(
    selections: Sequence[Selection], session: AsyncSession, org_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[SalesforceOrgUser]]:
    """Each org's drifting users, with the relations the selection reads."""
    options = loader_options(selections, "SalesforceOrgUser")
    return await repository.drift_by_org_ids(session, org_ids, options)


async def synced_at(
    session: AsyncSession, org_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, datetime | None]:
    return await repository.synced_at_by_org_ids(session, org_ids)


async def licences(
    session: AsyncSession, org_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[LicenceUse]]:
    """Salesforce's counts beside the use of the stored users: two statements."""
    reported = await repository.licences_by_org_ids(session, org_ids)
    use = await repository.licence_use_by_org_ids(session, org_ids, utcnow())
    found: dict[uuid.UUID, list[LicenceUse]] = {}
    for org_id in org_ids:
        counts = {item.name: item for item in reported.get(org_id, [])}
        names = set(counts) | {name for (org, name) in use if org == org_id}
        found[org_id] = [
            LicenceUse(
                name=name,
                total=counts[name].total if name in counts else None,
                assigned=counts[name].assigned if name in counts else None,
                used=use.get((org_id, name), (0, 0))[0],
                unused=use.get((org_id, name), (0, 0))[1],
            )
            for name in sorted(names)
        ]
    return found
