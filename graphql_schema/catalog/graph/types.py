"""GraphQL types of the dependency graph: shared resources, dependencies, and the edges met
walking from a service or a resource."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any

import strawberry

import graphql_schema.catalog.graph.enums  # noqa: F401  (registers the enums first)
from catalog.graph import models
from catalog.graph.repository import Direction, Start
from catalog.services import models as service_models
from graphql_schema.catalog.graph.arguments import (
    DEFAULT_DEPTH,
    DEPTH_HELP,
    KINDS_HELP,
    MAX_CYCLE_LENGTH,
    MAX_DEPTH,
    WALK_HELP,
)
from graphql_schema.catalog.graph.loaders import (
    LoadedStep,
    WalkArgs,
    all_cycles,
    load_cycles,
    load_walk,
)
from graphql_schema.catalog.services.types import Service
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput
from graphql_schema.history import Versioned
from graphql_schema.identity.types import Team
from graphql_schema.node import Node, global_id, register_node
from graphql_schema.prefetch import register_relations, register_union_relation


@strawberry.type(
    description="Something services share that is not a service: middleware, an identity"
    " provider, a data store."
)
class SharedResource(Node, Versioned):
    id: strawberry.ID
    name: str
    kind: models.SharedResourceKind
    description: str
    archived_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.SharedResource]

    @classmethod
    def from_model(cls, resource: models.SharedResource) -> SharedResource:
        return cls(
            id=global_id("SharedResource", resource.id),
            name=resource.name,
            kind=resource.kind,
            description=resource.description,
            archived_at=resource.archived_at,
            version=resource.version,
            created_at=resource.created_at,
            updated_at=resource.updated_at,
            model=resource,
        )

    @strawberry.field
    def owner_team(self) -> Team:
        return Team.from_model(self.model.owner_team)

    @strawberry.field(description="The services that depend on this resource." + WALK_HELP)
    async def dependents(
        self,
        info: Info,
        transitive: bool = False,
        max_depth: Annotated[int, strawberry.argument(description=DEPTH_HELP)] = DEFAULT_DEPTH,
        kinds: Annotated[
            list[models.DependencyKind] | None, strawberry.argument(description=KINDS_HELP)
        ] = None,
    ) -> list[DependencyEdge]:
        return await dependency_edges(
            info,
            root_id=self.model.id,
            direct=lambda: self.model.dependents,
            args=walk_args(Direction.DEPENDENTS, Start.SHARED_RESOURCE, max_depth, kinds),
            transitive=transitive,
        )


ServiceOrResource = Annotated[
    Service | SharedResource,
    strawberry.union("ServiceOrResource", description="What a dependency points at."),
]


@strawberry.type(description="A service needs another service or a shared resource.")
class Dependency(Node, Versioned):
    id: strawberry.ID
    kind: models.DependencyKind
    criticality: models.DependencyCriticality = strawberry.field(
        description="How badly the source suffers when the target fails."
    )
    description: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.Dependency]

    @classmethod
    def from_model(cls, dependency: models.Dependency) -> Dependency:
        return cls(
            id=global_id("Dependency", dependency.id),
            kind=dependency.kind,
            criticality=dependency.criticality,
            description=dependency.description,
            version=dependency.version,
            created_at=dependency.created_at,
            updated_at=dependency.updated_at,
            model=dependency,
        )

    @strawberry.field(description="The service that depends.")
    def source(self) -> Service:
        return Service.from_model(self.model.source)

    @strawberry.field(description="The service or shared resource it depends on.")
    def target(self) -> ServiceOrResource:
        if self.model.target_service_id is not None:
            target_service = self.model.target_service
            assert target_service is not None
            return Service.from_model(target_service)
        target_resource = self.model.target_resource
        assert target_resource is not None
        return SharedResource.from_model(target_resource)


@strawberry.type(
    description="A dependency met from a service or resource: directly (depth 1) or through"
    " other services."
)
class DependencyEdge:
    dependency: Dependency
    depth: int = strawberry.field(description="1 for a direct dependency.")
    path: list[Service] = strawberry.field(
        description="The services passed between the record asked about and this dependency,"
        " nearest first; empty at depth 1."
    )

    @classmethod
    def direct(cls, dependency: models.Dependency) -> DependencyEdge:
        return cls(dependency=Dependency.from_model(dependency), depth=1, path=[])

    @classmethod
    def from_step(cls, step: LoadedStep) -> DependencyEdge:
        return cls(
            dependency=Dependency.from_model(step.dependency),
            depth=step.depth,
            path=[Service.from_model(service) for service in step.path],
        )


def walk_args(
    direction: Direction,
    start: Start,
    max_depth: int,
    kinds: Sequence[models.DependencyKind] | None,
) -> WalkArgs:
    if not 1 <= max_depth <= MAX_DEPTH:
        raise BadUserInput(f"maxDepth must be between 1 and {MAX_DEPTH}")
    return WalkArgs(direction, start, max_depth, tuple(sorted(set(kinds or ()))))


async def dependency_edges(
    info: Info,
    *,
    root_id: uuid.UUID,
    direct: Callable[[], list[models.Dependency]],
    args: WalkArgs,
    transitive: bool,
) -> list[DependencyEdge]:
    """Direct edges from the prefetched relation; transitive ones from the batched walk."""
    if not transitive:
        return [
            DependencyEdge.direct(dependency)
            for dependency in direct()
            if not args.kinds or dependency.kind in args.kinds
        ]
    return [DependencyEdge.from_step(step) for step in await load_walk(info, root_id, args)]


def _check_cycle_length(max_length: int) -> None:
    if not 2 <= max_length <= MAX_CYCLE_LENGTH:
        raise BadUserInput(f"maxLength must be between 2 and {MAX_CYCLE_LENGTH}")


async def service_cycles(info: Info, service_id: uuid.UUID, max_length: int) -> list[list[Service]]:
    _check_cycle_length(max_length)
    cycles = await load_cycles(info, service_id, max_length)
    return [[Service.from_model(service) for service in cycle] for cycle in cycles]


async def catalog_cycles(info: Info, max_length: int) -> list[list[Service]]:
    _check_cycle_length(max_length)
    cycles = await all_cycles(info, max_length)
    return [[Service.from_model(service) for service in cycle] for cycle in cycles]


def _direct(arguments: dict[str, Any]) -> bool:
    """Direct edges read the prefetched relation; transitive ones come from the walk."""
    return not arguments.get("transitive")


register_relations("SharedResource", {"ownerTeam": ([models.SharedResource.owner_team], "Team")})
register_relations(
    "SharedResource",
    {"dependents": ([models.SharedResource.dependents], "DependencyEdge")},
    when=_direct,
)
register_relations(
    "Service",
    {
        "dependencies": ([service_models.Service.dependencies], "DependencyEdge"),
        "dependents": ([service_models.Service.dependents], "DependencyEdge"),
    },
    when=_direct,
)
register_relations("DependencyEdge", {"dependency": ([], "Dependency")})
register_relations("Dependency", {"source": ([models.Dependency.source], "Service")})
register_union_relation(
    "Dependency",
    "target",
    [
        ([models.Dependency.target_service], "Service"),
        ([models.Dependency.target_resource], "SharedResource"),
    ],
)
register_node("SharedResource", models.SharedResource, SharedResource.from_model)
register_node("Dependency", models.Dependency, Dependency.from_model)
