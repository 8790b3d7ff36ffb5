"""Mutations of the catalog: services, ownership roles, Salesforce orgs."""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs import actions as org_actions
from catalog.orgs import models as org_models
from catalog.services import actions, models
from graphql_schema.access import requires
from graphql_schema.catalog.converters import org_fields, service_fields
from graphql_schema.catalog.inputs import (
    CreateOwnershipRoleInput,
    CreateSalesforceOrgInput,
    CreateServiceInput,
    UpdateOwnershipRoleInput,
    UpdateSalesforceOrgInput,
    UpdateServiceInput,
)
from graphql_schema.catalog.payloads import (
    OwnershipRolePayload,
    SalesforceOrgPayload,
    ServicePayload,
)
from graphql_schema.catalog.types import OwnershipRole, SalesforceOrg, Service
from graphql_schema.context import Info
from graphql_schema.errors import UserError
from graphql_schema.inputs import provided, refuse_nulls
from graphql_schema.lifecycle import ArchiveInput, DeleteInput, DeletePayload
from graphql_schema.lifecycle_actions import archive_by_id, delete_by_id
from graphql_schema.mutation import payload_object, run_mutation
from graphql_schema.node import decode_id
from graphql_schema.review import register_reviewable
from identity.principal import Principal, Role

_REQUIRED_SERVICE_FIELDS = (
    "slug", "name", "owner_team_id", "tier", "lifecycle", "data_classification",
    "review_interval_days", "tags", "compliance_regimes", "salesforce_org_ids",
)  # fmt: skip
_REQUIRED_ORG_FIELDS = ("org_id", "name", "instance_url", "kind")


async def _service_payload(
    info: Info, service: models.Service | None, errors: list[UserError]
) -> ServicePayload:
    return ServicePayload(
        service=await payload_object(
            info, service, field="service", type_name="Service", convert=Service.from_model
        ),
        user_errors=errors,
    )


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


@strawberry.type
class CatalogMutation:
    @strawberry.mutation(
        description="Create a service (its owner team, or ADMIN).",
        metadata=requires(Role.TEAM_MEMBER),
    )
    async def create_service(self, info: Info, input: CreateServiceInput) -> ServicePayload:
        async def action(session: AsyncSession, principal: Principal) -> models.Service:
            fields = service_fields(provided(input, exclude=()))
            return await actions.create_service(session, principal=principal, fields=fields)

        service, errors = await run_mutation(info, action)
        return await _service_payload(info, service, errors)

    @strawberry.mutation(
        description="Change a service (its owner team, or ADMIN).",
        metadata=requires(Role.TEAM_MEMBER),
    )
    async def update_service(self, info: Info, input: UpdateServiceInput) -> ServicePayload:
        async def action(session: AsyncSession, principal: Principal) -> models.Service:
            given = provided(input)
            refuse_nulls(given, *_REQUIRED_SERVICE_FIELDS)
            return await actions.update_service(
                session,
                principal=principal,
                service_id=decode_id(input.id, "Service", field="id"),
                version=input.version,
                changes=service_fields(given),
            )

        service, errors = await run_mutation(info, action)
        return await _service_payload(info, service, errors)

    @strawberry.mutation(
        description="Give a person a typed role on a service.", metadata=requires(Role.TEAM_MEMBER)
    )
    async def create_ownership_role(
        self, info: Info, input: CreateOwnershipRoleInput
    ) -> OwnershipRolePayload:
        async def action(session: AsyncSession, principal: Principal) -> models.OwnershipRole:
            return await actions.create_ownership_role(
                session,
                principal=principal,
                service_id=decode_id(input.service_id, "Service", field="serviceId"),
                person_id=decode_id(input.person_id, "Person", field="personId"),
                role=input.role,
                effective_from=input.effective_from,
                effective_to=input.effective_to,
            )

        ownership, errors = await run_mutation(info, action)
        return OwnershipRolePayload(
            ownership_role=await payload_object(
                info,
                ownership,
                field="ownershipRole",
                type_name="OwnershipRole",
                convert=OwnershipRole.from_model,
            ),
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Change a role's kind or dates; end it with effectiveTo.",
        metadata=requires(Role.TEAM_MEMBER),
    )
    async def update_ownership_role(
        self, info: Info, input: UpdateOwnershipRoleInput
    ) -> OwnershipRolePayload:
        async def action(session: AsyncSession, principal: Principal) -> models.OwnershipRole:
            changes = provided(input)
            refuse_nulls(changes, "role", "effective_from")
            return await actions.update_ownership_role(
                session,
                principal=principal,
                ownership_role_id=decode_id(input.id, "OwnershipRole", field="id"),
                version=input.version,
                changes=changes,
            )

        ownership, errors = await run_mutation(info, action)
        return OwnershipRolePayload(
            ownership_role=await payload_object(
                info,
                ownership,
                field="ownershipRole",
                type_name="OwnershipRole",
                convert=OwnershipRole.from_model,
            ),
            user_errors=errors,
        )

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
class CatalogLifecycleMutation:
    @strawberry.mutation(
        description="Archive a service (its owner team, or ADMIN).",
        metadata=requires(Role.TEAM_MEMBER),
    )
    async def archive_service(self, info: Info, input: ArchiveInput) -> ServicePayload:
        service, errors = await archive_by_id(
            info, input, type_name="Service", archive=actions.archive_service, id_field="service_id"
        )
        return await _service_payload(info, service, errors)

    @strawberry.mutation(
        description="Delete a service nothing refers to (HAS_DEPENDENTS).",
        metadata=requires(Role.TEAM_MEMBER),
    )
    async def delete_service(self, info: Info, input: DeleteInput) -> DeletePayload:
        return await delete_by_id(
            info, input, type_name="Service", delete=actions.delete_service, id_field="service_id"
        )

    @strawberry.mutation(
        description="Delete an ownership role given by mistake.",
        metadata=requires(Role.TEAM_MEMBER),
    )
    async def delete_ownership_role(self, info: Info, input: DeleteInput) -> DeletePayload:
        return await delete_by_id(
            info,
            input,
            type_name="OwnershipRole",
            delete=actions.delete_ownership_role,
            id_field="ownership_role_id",
        )

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


async def _confirm_service_review(
    session: AsyncSession, principal: Principal, service_id: uuid.UUID
) -> models.Service:
    return await actions.confirm_service_review(session, principal=principal, service_id=service_id)


register_reviewable("Service", confirm=_confirm_service_review, convert=Service.from_model)
