"""Provisioning drift: the freeze of an org user, and reconciliations made due.

Drift is read from the last reconciliation (reconciliation.py), joined to people as they
are now: a person deactivated since shows as drift at once, before the org is read again.
"""

from __future__ import annotations

import re
import uuid
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.org_users import repository
from catalog.org_users.models import SalesforceOrgUser
from catalog.org_users.reconciliation import matched_rows
from catalog.orgs.models import SalesforceOrg
from catalog.permissions import require_org_user_admin
from core.clock import utcnow
from core.errors import Invalid, NotFound
from core.records import require_found
from core.repository import get_by_id
from identity.principal import Principal
from salesforce.deadline import Deadline
from salesforce.users import OrgUserRecord

# A User id: the key prefix 005, 15 characters, or 18 with the case-safe suffix.
USER_ID = re.compile(r"005[0-9A-Za-z]{12}(?:[0-9A-Za-z]{3})?")


class UserFreezer(Protocol):
    """What a freeze needs of the Salesforce gateway (`SalesforceGateway` is one)."""

    def connected(self, ref: str | None) -> bool: ...

    async def freeze_user(
        self, ref: str, user_id: str, *, deadline: Deadline | None = None
    ) -> OrgUserRecord | None: ...


def _user_id(value: str) -> str:
    if USER_ID.fullmatch(value.strip()) is None:
        raise NotFound(f"{value!r} is not a Salesforce user id", field=["salesforceUserId"])
    return value.strip()


async def freeze_salesforce_user(
    session: AsyncSession,
    *,
    principal: Principal,
    freezer: UserFreezer | None,
    org_id: uuid.UUID,
    salesforce_user_id: str,
) -> SalesforceOrgUser:
    """Freeze an org user's login (`UserLogin.IsFrozen`); ADMIN or the org's owner teams."""
    org = require_found(
        await get_by_id(session, SalesforceOrg, org_id), what="Salesforce org", field="orgId"
    )
    require_org_user_admin(principal, await repository.owner_team_ids(session, org.id))
    user_id = _user_id(salesforce_user_id)
    ref = org.credentials_ref
    if freezer is None or ref is None or not freezer.connected(ref):
        raise Invalid("the org is not connected (CATALOG_SALESFORCE_ORGS)", field=["orgId"])
    frozen = await freezer.freeze_user(ref, user_id)
    if frozen is None:
        raise NotFound(f"the org has no active user {user_id}", field=["salesforceUserId"])
    return await _stored_frozen(session, org, frozen)


async def _stored_frozen(
    session: AsyncSession, org: SalesforceOrg, frozen: OrgUserRecord
) -> SalesforceOrgUser:
    """The snapshot row of the user, now frozen; added when the last run did not see them."""
    stored = await repository.get_user(session, org.id, frozen.id)
    if stored is None:
        await repository.upsert_users(
            session, org.id, await matched_rows(session, [frozen]), utcnow()
        )
        stored = await repository.get_user(session, org.id, frozen.id)
    else:
        await repository.mark_frozen(session, stored.id)
        await session.refresh(stored)
    assert stored is not None
    return stored


async def mark_reconciliation_due(session: AsyncSession) -> None:
    """People were deactivated: every connected org is read again within a minute."""
    await repository.mark_due(session, utcnow())
