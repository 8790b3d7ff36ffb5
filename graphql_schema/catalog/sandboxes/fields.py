"""The fields other types gain, as mixins they inherit: `SalesforceOrg.sandboxes` and
`.scratchOrgs`, `Team.expiringScratchOrgs`, `BacklogItem.sandboxesMissingFix`. Each is one
loader batch for every object of a response."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import strawberry

from core.clock import utcnow
from graphql_schema.catalog.sandboxes.types import Sandbox, ScratchOrg
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput

MAX_WITHIN_DAYS = 90


@strawberry.type
class SalesforceOrgSandboxFields:
    model: strawberry.Private[Any]

    @strawberry.field(
        description="A production org's sandboxes, by name, as the last `salesforce-sandboxes`"
        " sync read them (hourly); empty for other orgs and before the first sync."
    )
    async def sandboxes(self, info: Info) -> list[Sandbox]:
        rows = await info.context.loaders.sandboxes_by_production_org_id.load(self.model.id)
        return [Sandbox.from_model(row) for row in rows or []]

    @strawberry.field(
        description="A Dev Hub org's scratch orgs not deleted, soonest to expire first, as the"
        " last sync read them; empty for other orgs."
    )
    async def scratch_orgs(self, info: Info) -> list[ScratchOrg]:
        rows = await info.context.loaders.scratch_orgs_by_dev_hub_id.load(self.model.id)
        return [ScratchOrg.from_model(row) for row in rows or []]


@strawberry.type
class TeamScratchOrgFields:
    model: strawberry.Private[Any]

    @strawberry.field(
        description="Scratch orgs expiring from today through `withinDays` days from now"
        f" (0 to {MAX_WITHIN_DAYS}) made by a member of the team: the Dev Hub user who made"
        " one has a member's email. Soonest first."
    )
    async def expiring_scratch_orgs(self, info: Info, within_days: int = 7) -> list[ScratchOrg]:
        if not 0 <= within_days <= MAX_WITHIN_DAYS:
            raise BadUserInput(f"withinDays must be between 0 and {MAX_WITHIN_DAYS}")
        today = utcnow().date()
        window = (today, today + timedelta(days=within_days))
        rows = await info.context.loaders.expiring_scratch_orgs[window].load(self.model.id)
        return [ScratchOrg.from_model(row) for row in rows or []]


@strawberry.type
class HotfixSandboxFields:
    model: strawberry.Private[Any]

    @strawberry.field(
        description="Hot fixes: sandboxes of the production orgs the fix was deployed to that"
        " were refreshed (or, never refreshed, created) before that deployment and have no"
        " deployment of the fix recorded for them, so they still miss it. By name."
    )
    async def sandboxes_missing_fix(self, info: Info) -> list[Sandbox]:
        rows = await info.context.loaders.sandboxes_missing_fix.load(self.model.id)
        return [Sandbox.from_model(row) for row in rows or []]
