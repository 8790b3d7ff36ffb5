"""Provisioning mutations: freeze an org user's login."""

from __future__ import annotations

import strawberry

from catalog.org_users import actions
from graphql_schema.access import requires
from graphql_schema.catalog.org_users.inputs import FreezeSalesforceUserInput
from graphql_schema.catalog.org_users.payloads import FreezeSalesforceUserPayload
from graphql_schema.catalog.org_users.types import SalesforceOrgUser
from graphql_schema.catalog.orgs.loaders import SalesforceFieldError
from graphql_schema.context import Info
from graphql_schema.mutation_runner import ObjectPayload, mutate
from graphql_schema.node import decode_id
from identity.principal import Role
from salesforce.errors import SalesforceError

FROZEN_USER = ObjectPayload(FreezeSalesforceUserPayload, "salesforce_user", SalesforceOrgUser)


@strawberry.type
class OrgUserMutation:
    @strawberry.mutation(
        description="Freeze a user's login in the org (UserLogin.IsFrozen), as drift found it"
        " (ADMIN, or a TEAM_MEMBER of a team owning a service on the org). A user the org no"
        " longer has active is NOT_FOUND, and nothing changes.",
        metadata=requires(Role.TEAM_MEMBER),
    )
    async def freeze_salesforce_user(
        self, info: Info, input: FreezeSalesforceUserInput
    ) -> FreezeSalesforceUserPayload:
        # Declared by hand for one thing: a Salesforce failure is the field's error.
        try:
            return await mutate(
                info,
                input,
                action=actions.freeze_salesforce_user,
                arguments=lambda: {
                    "freezer": info.context.salesforce,
                    "org_id": decode_id(input.org_id, "SalesforceOrg", field="orgId"),
                    "salesforce_user_id": input.salesforce_user_id,
                },
                payload=FROZEN_USER,
            )
        except SalesforceError as error:
            raise SalesforceFieldError(error) from None
