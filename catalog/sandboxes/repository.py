"""Every SQL statement about sandbox and scratch org snapshots."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs.models import SalesforceOrg
from catalog.sandboxes.models import SandboxSnapshot, ScratchOrgSnapshot
from identity.models import Membership, Person


async def orgs_to_match(
    session: AsyncSession, *, org_ids: Sequence[str], parent_ids: Sequence[uuid.UUID]
) -> list[SalesforceOrg]:
    """Registered orgs a snapshot row may stand for: by org id, or children of its org."""
    found = await session.scalars(
        select(SalesforceOrg).where(
            or_(SalesforceOrg.org_id.in_(org_ids), SalesforceOrg.parent_id.in_(parent_ids))
        )
    )
    return list(found)


async def _replace(
    session: AsyncSession,
    model: type[SandboxSnapshot] | type[ScratchOrgSnapshot],
    owner: Any,
    owner_id: uuid.UUID,
    rows: list[dict[str, Any]],
) -> None:
    """The owner's rows become `rows`: upserted by Salesforce id, the others deleted."""
    kept = [row["salesforce_id"] for row in rows]
    await session.execute(delete(model).where(owner == owner_id, model.salesforce_id.not_in(kept)))
    if not rows:
        return
    statement = insert(model).values([{owner.key: owner_id, **row} for row in rows])
    updated = {name: statement.excluded[name] for name in rows[0] if name != "salesforce_id"}
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[owner.key, "salesforce_id"],
            set_=updated | {"updated_at": func.now()},
        )
    )


async def replace_sandboxes(
    session: AsyncSession, production_org_id: uuid.UUID, rows: list[dict[str, Any]]
) -> None:
    await _replace(
        session, SandboxSnapshot, SandboxSnapshot.production_org_id, production_org_id, rows
    )


async def replace_scratch_orgs(
    session: AsyncSession, dev_hub_org_id: uuid.UUID, rows: list[dict[str, Any]]
) -> None:
    await _replace(
        session, ScratchOrgSnapshot, ScratchOrgSnapshot.dev_hub_org_id, dev_hub_org_id, rows
    )


# -- the read path, batched ----------------------------------------------------------


async def sandboxes_by_production_org_ids(
    session: AsyncSession, org_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[SandboxSnapshot]]:
    found: dict[uuid.UUID, list[SandboxSnapshot]] = {org_id: [] for org_id in org_ids}
    rows = await session.scalars(
        select(SandboxSnapshot)
        .where(SandboxSnapshot.production_org_id.in_(org_ids))
        .order_by(func.lower(SandboxSnapshot.name), SandboxSnapshot.id)
    )
    for row in rows:
        found[row.production_org_id].append(row)
    return found


async def scratch_orgs_by_dev_hub_ids(
    session: AsyncSession, org_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ScratchOrgSnapshot]]:
    found: dict[uuid.UUID, list[ScratchOrgSnapshot]] = {org_id: [] for org_id in org_ids}
    rows = await session.scalars(
        select(ScratchOrgSnapshot)
        .where(ScratchOrgSnapshot.dev_hub_org_id.in_(org_ids))
        .order_by(ScratchOrgSnapshot.expires_on.nulls_last(), ScratchOrgSnapshot.id)
    )
    for row in rows:
        found[row.dev_hub_org_id].append(row)
    return found


async def expiring_scratch_orgs_by_team_ids(
    session: AsyncSession, team_ids: Sequence[uuid.UUID], *, today: date, until: date
) -> dict[uuid.UUID, list[ScratchOrgSnapshot]]:
    """Per team: scratch orgs expiring from today through `until`, made by a member of the
    team (the creator's email is the person's, case aside), soonest first."""
    found: dict[uuid.UUID, list[ScratchOrgSnapshot]] = {team_id: [] for team_id in team_ids}
    rows = await session.execute(
        select(Membership.team_id, ScratchOrgSnapshot)
        .join(Person, Person.id == Membership.person_id)
        .join(
            ScratchOrgSnapshot,
            func.lower(ScratchOrgSnapshot.created_by_email) == func.lower(Person.email),
        )
        .where(
            Membership.team_id.in_(team_ids),
            ScratchOrgSnapshot.expires_on >= today,
            ScratchOrgSnapshot.expires_on <= until,
        )
        .distinct()
        .order_by(Membership.team_id, ScratchOrgSnapshot.expires_on, ScratchOrgSnapshot.id)
    )
    for team_id, scratch_org in rows:
        found[team_id].append(scratch_org)
    return found


async def orgs_by_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, SalesforceOrg]:
    found = await session.scalars(select(SalesforceOrg).where(SalesforceOrg.id.in_(ids)))
    return {org.id: org for org in found}
