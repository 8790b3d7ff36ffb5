"""Mutations of Salesforce orgs: register, change, archive, delete (ADMIN)."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs import actions as org_actions
from catalog.orgs import models as org_models
from graphql_schema.access import requires
from graphql_schema.archive_delete import archive_by_id, delete_by_id
from graphql_schema.catalog.orgs.inputs import (
    CreateSalesforceOrgInput,
    OrgBackupPolicyInput,
    UpdateSalesforceOrgInput,
)
from graphql_schema.catalog.orgs.payloads import SalesforceOrgPayload
from graphql_schema.catalog.orgs.types import SalesforceOrg
from graphql_schema.context import Info
from graphql_schema.errors import UserError
from graphql_schema.input_fields import provided, refuse_nulls
from graphql_schema.inputs import ArchiveInput, DeleteInput
from graphql_schema.mutation_runner import payload_object, run_mutation
from graphql_schema.node import decode_id
from graphql_schema.payloads import DeletePayload
from identity.principal import Principal, Role

_REQUIRED_ORG_FIELDS = ("org_id", "name", "instance_url", "kind")


async def _org_payload(
    info: Info, org: org_models.SalesforceOrg | None, errors: list[UserError]
) -> SalesforceOrgPayload:
    return SalesforceOrgPayload(
        salesforce_org=await payload_object(
            info,
            org,
            field="salesforceOrg",
            type_name="SalesforceOrg",
            convert=SalesforceOrg.from_model,
        ),
        user_errors=errors,
    )


def org_fields(given: dict[str, Any]) -> dict[str, Any]:
    fields = dict(given)
    if fields.get("parent_id") is not None:
        fields["parent_id"] = decode_id(fields["parent_id"], "SalesforceOrg", field="parentId")
    if "backup_policy" in fields:
        backup: OrgBackupPolicyInput = fields.pop("backup_policy") or OrgBackupPolicyInput()
        fields.update(
            backup_provider=backup.provider,
            backup_rpo_seconds=backup.rpo_seconds,
            backup_last_verified_restore_at=backup.last_verified_restore_at,
        )
    return fields


@strawberry.type
class SalesforceOrgMutation:
    @strawberry.mutation(
        description="Register a Salesforce org (ADMIN).", metadata=requires(Role.ADMIN)
    )
    async def create_salesforce_org(
        self, info: Info, input: CreateSalesforceOrgInput
    ) -> SalesforceOrgPayload:
        async def action(session: AsyncSession, principal: Principal) -> org_models.SalesforceOrg:
            fields = org_fields(provided(input, exclude=()))
            return await org_actions.create_salesforce_org(
                session, principal=principal, fields=fields
            )

        org, errors = await run_mutation(info, action)
        return await _org_payload(info, org, errors)

    @strawberry.mutation(
        description="Change a Salesforce org (ADMIN).", metadata=requires(Role.ADMIN)
    )
    async def update_salesforce_org(
        self, info: Info, input: UpdateSalesforceOrgInput
    ) -> SalesforceOrgPayload:
        async def action(session: AsyncSession, principal: Principal) -> org_models.SalesforceOrg:
            given = provided(input)
            refuse_nulls(given, *_REQUIRED_ORG_FIELDS)
            return await org_actions.update_salesforce_org(
                session,
                principal=principal,
                org_id=decode_id(input.id, "SalesforceOrg", field="id"),
                version=input.version,
                changes=org_fields(given),
            )

        org, errors = await run_mutation(info, action)
        return await _org_payload(info, org, errors)


@strawberry.type
class SalesforceOrgLifecycleMutation:
    @strawberry.mutation(
        description="Archive a Salesforce org (ADMIN).", metadata=requires(Role.ADMIN)
    )
    async def archive_salesforce_org(self, info: Info, input: ArchiveInput) -> SalesforceOrgPayload:
        org, errors = await archive_by_id(
            info,
            input,
            type_name="SalesforceOrg",
            archive=org_actions.archive_salesforce_org,
            id_field="org_id",
        )
        return await _org_payload(info, org, errors)

    @strawberry.mutation(
        description="Delete a Salesforce org nothing refers to (ADMIN).",
        metadata=requires(Role.ADMIN),
    )
    async def delete_salesforce_org(self, info: Info, input: DeleteInput) -> DeletePayload:
        return await delete_by_id(
            info,
            input,
            type_name="SalesforceOrg",
            delete=org_actions.delete_salesforce_org,
            id_field="org_id",
        )
