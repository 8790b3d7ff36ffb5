"""Mutations of the dependency graph: shared resources and dependencies."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry

from catalog.graph import actions
from core.errors import DomainError, Duplicate, NotFound
from core.ids import GlobalId, MalformedGlobalId
from graphql_schema.archive_delete import DELETED, by_id
from graphql_schema.catalog.graph.inputs import (
    CreateDependencyInput,
    CreateSharedResourceInput,
    UpdateDependencyInput,
    UpdateSharedResourceInput,
)
from graphql_schema.catalog.graph.payloads import DependencyPayload, SharedResourcePayload
from graphql_schema.catalog.graph.types import Dependency, SharedResource
from graphql_schema.input_fields import provided, refuse_nulls
from graphql_schema.inputs import ArchiveInput, DeleteInput
from graphql_schema.mutation_runner import Arguments, ObjectPayload, mutation
from graphql_schema.node import decode_id
from identity.principal import Role

_CONSTRAINTS: dict[str, DomainError] = {
    "uq_shared_resource_name": Duplicate(
        "a shared resource with this name already exists", field=["name"]
    ),
    "uq_dependency_source_target_kind": Duplicate(
        "this dependency is already recorded", field=["targetId"]
    ),
}


RESOURCE = ObjectPayload(SharedResourcePayload, "shared_resource", SharedResource)


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
    @mutation(
        "Register a shared resource (its owner team, or ADMIN).",
        permission=Role.TEAM_MEMBER,
        action=actions.create_shared_resource,
        payload=RESOURCE,
        constraints=_CONSTRAINTS,
    )
    def create_shared_resource(self, input: CreateSharedResourceInput) -> Arguments:
        return {"fields": _resource_fields(input)}

    @mutation(
        "Change a shared resource (its owner team, or ADMIN).",
        permission=Role.TEAM_MEMBER,
        action=actions.update_shared_resource,
        payload=RESOURCE,
        constraints=_CONSTRAINTS,
    )
    def update_shared_resource(self, input: UpdateSharedResourceInput) -> Arguments:
        changes = _resource_fields(input)
        refuse_nulls(changes, "name", "kind", "owner_team_id")
        return {
            "resource_id": decode_id(input.id, "SharedResource", field="id"),
            "version": input.version,
            "changes": changes,
        }

    @mutation(
        "Archive a shared resource (its owner team, or ADMIN).",
        permission=Role.TEAM_MEMBER,
        action=actions.archive_shared_resource,
        payload=RESOURCE,
    )
    def archive_shared_resource(self, input: ArchiveInput) -> Arguments:
        return by_id(input, "SharedResource", "resource_id")

    @mutation(
        "Delete a shared resource no service depends on (HAS_DEPENDENTS).",
        permission=Role.TEAM_MEMBER,
        action=actions.delete_shared_resource,
        payload=DELETED,
    )
    def delete_shared_resource(self, input: DeleteInput) -> Arguments:
        return by_id(input, "SharedResource", "resource_id")

    @mutation(
        "Record that a service depends on a service or a shared resource (the"
        " source's owner team, or ADMIN).",
        permission=Role.TEAM_MEMBER,
        action=actions.create_dependency,
        payload=ObjectPayload(DependencyPayload, "dependency", Dependency),
        constraints=_CONSTRAINTS,
    )
    def create_dependency(self, input: CreateDependencyInput) -> Arguments:
        target_service_id, target_resource_id = _target_ids(input.target_id)
        return {
            "source_service_id": decode_id(input.source_id, "Service", field="sourceId"),
            "target_service_id": target_service_id,
            "target_resource_id": target_resource_id,
            "kind": input.kind,
            "description": input.description,
            "criticality": input.criticality,
        }

    @mutation(
        "Change a dependency's kind, criticality or description (the source's owner team, or"
        " ADMIN); its source and target stay.",
        permission=Role.TEAM_MEMBER,
        action=actions.update_dependency,
        payload=ObjectPayload(DependencyPayload, "dependency", Dependency),
        constraints=_CONSTRAINTS,
    )
    def update_dependency(self, input: UpdateDependencyInput) -> Arguments:
        changes = provided(input)
        refuse_nulls(changes, "kind", "criticality")
        return {
            "dependency_id": decode_id(input.id, "Dependency", field="id"),
            "version": input.version,
            "changes": changes,
        }

    @mutation(
        "Remove a dependency (the source's owner team, or ADMIN).",
        permission=Role.TEAM_MEMBER,
        action=actions.delete_dependency,
        payload=DELETED,
    )
    def delete_dependency(self, input: DeleteInput) -> Arguments:
        return by_id(input, "Dependency", "dependency_id")
