"""A SCIM deactivation makes every connected org due a reconciliation, in the same
transaction, without a call to Salesforce; an org without credentials is not marked."""

# ruff: noqa: F811  (the SCIM fixtures are imported from test_scim_users and used by name)

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.org_users.models import SalesforceUserSync
from tests.builders.catalog import create_org
from tests.identity.test_scim_users import (  # noqa: F401  (fixtures)
    create_user,
    patch,
    scim,
    scim_settings,
)


async def _due(session: AsyncSession) -> dict[str, bool]:
    rows = await session.execute(
        select(SalesforceUserSync.salesforce_org_id, SalesforceUserSync.due_at).execution_options(
            populate_existing=True
        )
    )
    return {str(row.salesforce_org_id): row.due_at is not None for row in rows}


async def test_deactivating_a_person_marks_every_connected_org_due(
    scim: httpx.AsyncClient, session: AsyncSession
) -> None:
    connected = await create_org(session, credentials_ref="crm")
    await create_org(session, credentials_ref=None)
    user = await create_user(scim, "lee@example.com", externalId="00u-lee")
    updated = await patch(scim, user["id"], {"op": "Replace", "value": {"userName": "l@e.com"}})
    assert updated.status_code == 200, updated.text
    assert await _due(session) == {}

    response = await patch(scim, user["id"], {"op": "Replace", "path": "active", "value": False})

    assert response.status_code == 200, response.text
    assert await _due(session) == {str(connected.id): True}


async def test_deleting_a_scim_user_marks_the_orgs_due_too(
    scim: httpx.AsyncClient, session: AsyncSession
) -> None:
    connected = await create_org(session, credentials_ref="crm")
    user = await create_user(scim, "kim@example.com", externalId="00u-kim")

    response = await scim.delete(f"/scim/v2/Users/{user['id']}")

    assert response.status_code == 204, response.text
    assert await _due(session) == {str(connected.id): True}
