"""Mutations of Salesforce orgs: register, change, archive, delete (ADMIN)."""

from __future__ import annotations

from typing import Any

import strawberry

from catalog.orgs import actions as org_actions
from graphql_schema.archive_delete import DELETED, by_id
from graphql_schema.catalog.orgs.inputs import (
    CreateSalesforceOrgInput,
    OrgBackupPolicyInput,
    UpdateSalesforceOrgInput,
)
from graphql_schema.catalog.orgs.payloads import SalesforceOrgPayload
from graphql_schema.catalog.orgs.types import SalesforceOrg
from graphql_schema.input_fields import provided, refuse_nulls
from graphql_schema.inputs import ArchiveInput, DeleteInput
from graphql_schema.mutation_runner import Arguments, ObjectPayload, mutation
from graphql_schema.node import decode_id
from identity.principal import Role

_REQUIRED_ORG_FIELDS = ("org_id", "name", "instance_url", "kind")


ORG = ObjectPayload(SalesforceOrgPayload, "salesforce_org", SalesforceOrg)


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
    @mutation(
        "Register a Salesforce org (ADMIN).",
        permission=Role.ADMIN,
        action=org_actions.create_salesforce_org,
        payload=ORG,
    )
    def create_salesforce_org(self, input: CreateSalesforceOrgInput) -> Arguments:
        return {"fields": org_fields(provided(input, exclude=()))}

    @mutation(
        "Change a Salesforce org (ADMIN).",
        permission=Role.ADMIN,
        action=org_actions.update_salesforce_org,
        payload=ORG,
    )
    def update_salesforce_org(self, input: UpdateSalesforceOrgInput) -> Arguments:
        given = provided(input)
        refuse_nulls(given, *_REQUIRED_ORG_FIELDS)
        return {
            "org_id": decode_id(input.id, "SalesforceOrg", field="id"),
            "version": input.version,
            "changes": org_fields(given),
        }


@strawberry.type
class SalesforceOrgLifecycleMutation:
    @mutation(
        "Archive a Salesforce org (ADMIN).",
        permission=Role.ADMIN,
        action=org_actions.archive_salesforce_org,
        payload=ORG,
    )
    def archive_salesforce_org(self, input: ArchiveInput) -> Arguments:
        return by_id(input, "SalesforceOrg", "org_id")

    @mutation(
        "Delete a Salesforce org nothing refers to (ADMIN).",
        permission=Role.ADMIN,
        action=org_actions.delete_salesforce_org,
        payload=DELETED,
    )
    def delete_salesforce_org(self, input: DeleteInput) -> Arguments:
        return by_id(input, "SalesforceOrg", "org_id")
