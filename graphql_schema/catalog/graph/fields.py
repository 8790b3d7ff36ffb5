"""The dependency fields of `Service`, kept out of services/types.py: `Service` inherits them.

services/types.py imports this module and graph/types.py imports services/types.py, so the
types made in graph/types.py are named lazily here, and its functions imported when a field
resolves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

import graphql_schema.catalog.graph.enums  # noqa: F401  (registers the enums first)
from catalog.graph.models import DependencyKind
from catalog.graph.repository import Direction, Start
from graphql_schema.catalog.graph.arguments import (
    CYCLE_HELP,
    DEFAULT_CYCLE_LENGTH,
    DEFAULT_DEPTH,
    DEPTH_HELP,
    KINDS_HELP,
    WALK_HELP,
)
from graphql_schema.context import Info

if TYPE_CHECKING:
    from graphql_schema.catalog.graph.types import DependencyEdge
    from graphql_schema.catalog.services.types import Service


_GRAPH_TYPES = "graphql_schema.catalog.graph.types"
_SERVICE_TYPES = "graphql_schema.catalog.services.types"


@strawberry.type
class ServiceDependencies:
    model: strawberry.Private[Any]

    @strawberry.field(description="What this service depends on." + WALK_HELP)
    async def dependencies(
        self,
        info: Info,
        transitive: bool = False,
        max_depth: Annotated[int, strawberry.argument(description=DEPTH_HELP)] = DEFAULT_DEPTH,
        kinds: Annotated[
            list[DependencyKind] | None, strawberry.argument(description=KINDS_HELP)
        ] = None,
    ) -> list[Annotated[DependencyEdge, strawberry.lazy(_GRAPH_TYPES)]]:
        from graphql_schema.catalog.graph import types as graph_types

        return await graph_types.dependency_edges(
            info,
            root_id=self.model.id,
            direct=lambda: self.model.dependencies,
            args=graph_types.walk_args(Direction.DEPENDENCIES, Start.SERVICE, max_depth, kinds),
            transitive=transitive,
        )

    @strawberry.field(description="The services that depend on this one." + WALK_HELP)
    async def dependents(
        self,
        info: Info,
        transitive: bool = False,
        max_depth: Annotated[int, strawberry.argument(description=DEPTH_HELP)] = DEFAULT_DEPTH,
        kinds: Annotated[
            list[DependencyKind] | None, strawberry.argument(description=KINDS_HELP)
        ] = None,
    ) -> list[Annotated[DependencyEdge, strawberry.lazy(_GRAPH_TYPES)]]:
        from graphql_schema.catalog.graph import types as graph_types

        return await graph_types.dependency_edges(
            info,
            root_id=self.model.id,
            direct=lambda: self.model.dependents,
            args=graph_types.walk_args(Direction.DEPENDENTS, Start.SERVICE, max_depth, kinds),
            transitive=transitive,
        )

    @strawberry.field(
        description="The dependency cycles this service is on, each once, starting at the"
        " service with the smallest id."
    )
    async def dependency_cycles(
        self,
        info: Info,
        max_length: Annotated[
            int, strawberry.argument(description=CYCLE_HELP)
        ] = DEFAULT_CYCLE_LENGTH,
    ) -> list[list[Annotated[Service, strawberry.lazy(_SERVICE_TYPES)]]]:
        from graphql_schema.catalog.graph import types as graph_types

        return await graph_types.service_cycles(info, self.model.id, max_length)
