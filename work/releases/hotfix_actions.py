"""Hot fixes after the build: deployed org by org, then merged back to the development line."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from core.errors import Invalid, NotFound
from core.records import check_version
from identity.principal import Principal
from work.backlog import actions as work
from work.backlog.models import BacklogItem, BacklogItemStatus
from work.backlog.transitions import SKIPS_SPRINTS
from work.releases import repository
from work.releases.models import HotfixDeployment

# A fix is deployed and merged back once it is built.
BUILT = frozenset({BacklogItemStatus.DONE, BacklogItemStatus.RELEASED})


def _when(at: datetime | None, *, field: str) -> datetime:
    now = utcnow()
    if at is None:
        return now
    if at.tzinfo is None:
        raise Invalid(f"{field} needs a time-zone offset", field=[field])
    if at > now:
        raise Invalid(f"{field} is in the future", field=[field])
    return at


async def _built_hotfix(
    session: AsyncSession, principal: Principal, item_id: uuid.UUID
) -> BacklogItem:
    item = await work.planned_item(session, principal, item_id, field="itemId")
    if item.type not in SKIPS_SPRINTS:
        raise Invalid(f"a {item.type} item is not a hot fix", field=["itemId"])
    if item.status not in BUILT:
        raise Invalid(
            f"a hot fix is deployed once DONE or RELEASED; this one is {item.status}",
            field=["itemId"],
        )
    return item


async def record_deployment(
    session: AsyncSession,
    *,
    principal: Principal,
    item_id: uuid.UUID,
    org_id: uuid.UUID,
    deployed_at: datetime | None,
) -> HotfixDeployment:
    """The hot fix reached one of its affected orgs (recording it again corrects the time)."""
    item = await _built_hotfix(session, principal, item_id)
    affected = await repository.affected_org_ids(session, item)
    if org_id not in affected:
        raise NotFound("the org is not one the hot fix must reach", field=["salesforceOrgId"])
    at = _when(deployed_at, field="deployedAt")
    deployment = await repository.deployment(session, item.id, org_id)
    if deployment is None:
        deployment = HotfixDeployment(
            id=uuid.uuid4(), item_id=item.id, salesforce_org_id=org_id, deployed_at=at
        )
        session.add(deployment)
    else:
        deployment.deployed_at = at
    await session.flush()
    return deployment


async def record_back_merge(
    session: AsyncSession,
    *,
    principal: Principal,
    item_id: uuid.UUID,
    version: int | None,
    merged_at: datetime | None,
) -> BacklogItem:
    """The fix was applied back to the development line."""
    item = await _built_hotfix(session, principal, item_id)
    check_version(item, version)
    item.back_merged_at = _when(merged_at, field="backMergedAt")
    await session.flush()
    return item
