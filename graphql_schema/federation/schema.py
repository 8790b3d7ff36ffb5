"""The Apollo Federation v2 subgraph: the public schema's queries and mutations, the
entities' `@key`s, `_service { sdl }` and `_entities(representations:)`.

Built from the same root types and extensions as the public schema (graphql_schema/
schema.py), under the same access rules; only the compiled fast path is left out.
Subscriptions are left out too: the subgraph is served over HTTP POST only (/subgraph).
"""

from __future__ import annotations

from typing import Any

from strawberry.federation import Schema as FederationSchema
from strawberry.federation.schema import FederationAny
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info as StrawberryInfo

from core.settings import Introspection
from graphql_schema.cost_budget import CostBudget
from graphql_schema.federation.entities import entity_types
from graphql_schema.federation.representations import resolve_entities
from graphql_schema.limits import Limits
from graphql_schema.observability import CatalogSchema
from graphql_schema.schema import TYPES, Mutation, Query, schema_extensions


class CatalogSubgraph(CatalogSchema, FederationSchema):
    """The catalog's schema as Strawberry's federation schema, resolving entities in
    batches rather than one `resolve_reference` call each."""

    async def entities_resolver(  # type: ignore[override]
        self, info: StrawberryInfo[Any, Any], representations: list[FederationAny]
    ) -> list[FederationAny]:
        # Strawberry annotates the field `[_Entity]!` itself; each item is a type of it,
        # null, or the error of a malformed representation.
        return await resolve_entities(info, representations)  # type: ignore[return-value]


def build_subgraph_schema(
    *,
    mask_errors: bool = False,
    limits: Limits | None = None,
    budget: CostBudget | None = None,
    tracing: bool = False,
    introspection: Introspection = Introspection.PUBLIC,
) -> CatalogSubgraph:
    """The subgraph, with the arguments of `build_schema` (graphql_schema/schema.py)."""
    limits = limits or Limits()
    return CatalogSubgraph(
        query=Query,
        mutation=Mutation,
        # The entities' stand-ins first: converted before the originals are reached.
        types=[*entity_types(), *TYPES],
        extensions=schema_extensions(
            mask_errors=mask_errors,
            limits=limits,
            budget=budget,
            tracing=tracing,
            introspection=introspection,
            compiled=False,
        ),
        config=StrawberryConfig(disable_field_suggestions=mask_errors),
        fast_path=False,
        limits=limits,
        budget=budget,
    )


def subgraph_sdl() -> str:
    """What `service-catalog schema --federation` prints, and `_service { sdl }` answers."""
    return build_subgraph_schema().as_str() + "\n"


__all__ = ["CatalogSubgraph", "build_subgraph_schema", "subgraph_sdl"]
