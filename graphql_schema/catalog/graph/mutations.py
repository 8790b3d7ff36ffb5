"""Mutations of the dependency graph: shared resources and dependencies."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.graph import actions, models
from core.errors import DomainError, Duplicate, NotFound
from core.ids import GlobalId, MalformedGlobalId
from graphql_schema.access import requires
from graphql_schema.archive_delete import archive_by_id, delete_by_id
from graphql_schema.catalog.graph.inputs import (
    CreateDependencyInput,
    CreateSharedResourceInput,
    UpdateSharedResourceInput,
)
from graphql_schema.catalog.graph.payloads import DependencyPayload, SharedResourcePayload
from graphql_schema.catalog.graph.types import Dependency, SharedResource
from graphql_schema.context import Info
from graphql_schema.errors import UserError
from graphql_schema.input_fields import provided, refuse_nulls
from graphql_schema.inputs import ArchiveInput, DeleteInput
from graphql_schema.mutation_runner import payload_object, run_mutation
from graphql_schema.node import decode_id
from graphql_schema.payloads import DeletePayload
from identity.principal import Principal, Role

_CONSTRAINTS: dict[str, DomainError] = {
    "uq_shared_resource_name": Duplicate(
        "a shared resource with this name already exists", field=["name"]
    ),
    "uq_dependency_source_target_kind": Duplicate(
        "this dependency is already recorded", field=["targetId"]
    ),
}


async def _resource_payload(
    info: Info, resource: models.SharedResource | None, errors: list[UserError]
) -> SharedResourcePayload:
    return SharedResourcePayload(
        shared_resource=await payload_object(
            info,
            resource,
            field="sharedResource",
            type_name="SharedResource",
            convert=SharedResource.from_model,
        ),
        user_errors=errors,
    )


def _resource_fields(
    input: CreateSharedResourceInput | UpdateSharedResourceInput,
) -> dict[str, Any]:
    fields = provided(input)
    if fields.get("owner_team_id") is not None:
        fields["owner_team_id"] = decode_id(fields["owner_team_id"], "Team", field="ownerTeamId")
    return fields


def _target_ids(target_id: str) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """A dependency's target: (service id, None) or (None, shared resource id)."""
    try:
        decoded = GlobalId.decode(target_id)
    except MalformedGlobalId:
        raise NotFound("targetId is not a valid id", field=["targetId"]) from None
    if decoded.type_name == "Service":
        return decoded.id, None
    if decoded.type_name == "SharedResource":
        return None, decoded.id
    raise NotFound("targetId names neither a Service nor a SharedResource", field=["targetId"])


@strawberry.type
class GraphMutation:
    @strawberry.mutation(
        description="Register a shared resource (its owner team, or ADMIN).",
        metadata=requires(Role.TEAM_MEMBER),
    )
    async def create_shared_resource(
        self, info: Info, input: CreateSharedResourceInput
    ) -> SharedResourcePayload:
        async def action(session: AsyncSession, principal: Principal) -> models.SharedResource:
            return await actions.create_shared_resource(
                session, principal=principal, fields=_resource_fields(input)
            )

        resource, errors = await run_mutation(info, action, constraints=_CONSTRAINTS)
        return await _resource_payload(info, resource, errors)

    @strawberry.mutation(
        description="Change a shared resource (its owner team, or ADMIN).",
        metadata=requires(Role.TEAM_MEMBER),
    )
    async def update_shared_resource(
        self, info: Info, input: UpdateSharedResourceInput
    ) -> SharedResourcePayload:
        async def action(session: AsyncSession, principal: Principal) -> models.SharedResource:
            changes = _resource_fields(input)
            refuse_nulls(changes, "name", "kind", "owner_team_id")
            return await actions.update_shared_resource(
                session,
                principal=principal,
                resource_id=decode_id(input.id, "SharedResource", field="id"),
                version=input.version,
                changes=changes,
            )

        resource, errors = await run_mutation(info, action, constraints=_CONSTRAINTS)
        return await _resource_payload(info, resource, errors)

    @strawberry.mutation(
        description="Archive a shared resource (its owner team, or ADMIN).",
        metadata=requires(Role.TEAM_MEMBER),
    )
    async def archive_shared_resource(
        self, info: Info, input: ArchiveInput
    ) -> SharedResourcePayload:
        resource, errors = await archive_by_id(
            info,
            input,
            type_name="SharedResource",
            archive=actions.archive_shared_resource,
            id_field="resource_id",
        )
        return await _resource_payload(info, resource, errors)

    @strawberry.mutation(
        description="Delete a shared resource no service depends on (HAS_DEPENDENTS).",
        metadata=requires(Role.TEAM_MEMBER),
    )
    async def delete_shared_resource(self, info: Info, input: DeleteInput) -> DeletePayload:
        return await delete_by_id(
            info,
            input,
            type_name="SharedResource",
            delete=actions.delete_shared_resource,
            id_field="resource_id",
        )

    @strawberry.mutation(
        description="Record that a service depends on a service or a shared resource (the"
        " source's owner team, or ADMIN).",
        metadata=requires(Role.TEAM_MEMBER),
    )
    async def create_dependency(
        self, info: Info, input: CreateDependencyInput
    ) -> DependencyPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.Dependency:
            target_service_id, target_resource_id = _target_ids(input.target_id)
            return await actions.create_dependency(
                session,
                principal=principal,
                source_service_id=decode_id(input.source_id, "Service", field="sourceId"),
                target_service_id=target_service_id,
                target_resource_id=target_resource_id,
                kind=input.kind,
                description=input.description,
            )

        dependency, errors = await run_mutation(info, action, constraints=_CONSTRAINTS)
        return DependencyPayload(
            dependency=await payload_object(
                info,
                dependency,
                field="dependency",
                type_name="Dependency",
                convert=Dependency.from_model,
            ),
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Remove a dependency (the source's owner team, or ADMIN).",
        metadata=requires(Role.TEAM_MEMBER),
    )
    async def delete_dependency(self, info: Info, input: DeleteInput) -> DeletePayload:
        return await delete_by_id(
            info,
            input,
            type_name="Dependency",
            delete=actions.delete_dependency,
            id_field="dependency_id",
        )
