"""The drift guard: sandboxes that miss a hot fix.

A sandbox is copied from its production org. One last refreshed (or, never refreshed,
created) before the fix reached that production org holds the code from before the fix;
unless a deployment of the fix to the sandbox itself is recorded, it still misses it. A
sandbox with neither date known is listed too: nothing shows it has the fix. Which
registered org a sandbox is comes from the last sync (`catalog/sandboxes/`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from catalog.sandboxes.models import SandboxSnapshot
from work.releases.models import HotfixDeployment


async def sandboxes_missing_fix_by_item_ids(
    session: AsyncSession, item_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[SandboxSnapshot]]:
    """Per hot fix: the sandboxes of its production orgs that miss it, by name. One statement."""
    found: dict[uuid.UUID, list[SandboxSnapshot]] = {item_id: [] for item_id in item_ids}
    production = aliased(HotfixDeployment)
    to_sandbox = aliased(HotfixDeployment)
    copied_at = func.coalesce(SandboxSnapshot.last_refreshed_at, SandboxSnapshot.sandbox_created_at)
    rows = await session.execute(
        select(production.item_id, SandboxSnapshot)
        .join(SandboxSnapshot, SandboxSnapshot.production_org_id == production.salesforce_org_id)
        .where(
            production.item_id.in_(item_ids),
            or_(copied_at.is_(None), copied_at < production.deployed_at),
            ~exists().where(
                and_(
                    to_sandbox.item_id == production.item_id,
                    to_sandbox.salesforce_org_id == SandboxSnapshot.registered_org_id,
                )
            ),
        )
        .order_by(production.item_id, func.lower(SandboxSnapshot.name), SandboxSnapshot.id)
    )
    for item_id, sandbox in rows:
        found[item_id].append(sandbox)
    return found
