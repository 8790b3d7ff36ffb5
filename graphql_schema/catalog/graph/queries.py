"""Queries of the dependency graph: shared resources and the catalog's cycles."""

from __future__ import annotations

from typing import Annotated

import strawberry

from catalog.graph import models, repository
from core.pagination import KeysetOrder, PageRequest
from graphql_schema.catalog.graph.arguments import CYCLE_HELP, DEFAULT_CYCLE_LENGTH
from graphql_schema.catalog.graph.types import SharedResource, catalog_cycles
from graphql_schema.catalog.services.types import Service
from graphql_schema.connection import Connection, paged, paginate
from graphql_schema.context import Info


@strawberry.type
class GraphQuery:
    @strawberry.field(description="Shared resources, by name; archived ones only when asked.")
    @paged
    async def shared_resources(
        self,
        info: Info,
        include_archived: bool = False,
        *,
        page: PageRequest,
    ) -> Connection[SharedResource]:
        return await paginate(
            info,
            repository.shared_resources_query(include_archived=include_archived),
            type_name="SharedResource",
            convert=SharedResource.from_model,
            order=KeysetOrder(models.SharedResource.name, models.SharedResource.id, name="NAME"),
            request=page,
            fingerprint_parts=[include_archived],
        )

    @strawberry.field(
        description="Every dependency cycle between services, each once, starting at the"
        " service with the smallest id; shortest first."
    )
    async def dependency_cycles(
        self,
        info: Info,
        max_length: Annotated[
            int, strawberry.argument(description=CYCLE_HELP)
        ] = DEFAULT_CYCLE_LENGTH,
    ) -> list[list[Service]]:
        return await catalog_cycles(info, max_length)
