"""SalesforceOrg's provisioning fields, which it inherits (graphql_schema/catalog/orgs/types.py).

Stored, not live: read from the last reconciliation, so they answer when the org is down.
"""

from __future__ import annotations

from typing import Any

import strawberry

from graphql_schema.access import requires
from graphql_schema.catalog.org_users.types import (
    ProvisioningDrift,
    SalesforceLicence,
    SalesforceOrgUser,
)
from graphql_schema.context import Info
from graphql_schema.prefetch import child_selections
from identity.principal import Role

DRIFT_LISTS = ("deactivatedButActive", "unmatchedActiveUsers")


@strawberry.type
class SalesforceOrgProvisioningFields:
    model: strawberry.Private[Any]

    @strawberry.field(
        description="People deactivated in the catalog but active in the org, and active org"
        " users no person matches, as of the last reconciliation (nightly, and within a"
        " minute of a SCIM deactivation). TEAM_MEMBER or AUDITOR.",
        metadata=requires(Role.TEAM_MEMBER, Role.AUDITOR),
    )
    async def provisioning_drift(self, info: Info) -> ProvisioningDrift:
        selections = info.selected_fields[0].selections
        users = [item for name in DRIFT_LISTS for item in child_selections(selections, name)]
        loaders = info.context.loaders
        found = await loaders.org_user_drift[users].load(self.model.id) or []
        return ProvisioningDrift(
            deactivated_but_active=[
                SalesforceOrgUser.from_model(user) for user in found if user.person_id is not None
            ],
            unmatched_active_users=[
                SalesforceOrgUser.from_model(user) for user in found if user.person_id is None
            ],
            synced_at=await loaders.org_user_synced_at.load(self.model.id),
        )

    @strawberry.field(
        description="Each licence type of the org: Salesforce's counts, and how many of its"
        " active users logged in within 90 days, as of the last reconciliation."
    )
    async def licences(self, info: Info) -> list[SalesforceLicence]:
        found = await info.context.loaders.org_licences.load(self.model.id) or []
        return [SalesforceLicence.from_value(item) for item in found]
