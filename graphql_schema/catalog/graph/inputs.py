"""Inputs of the dependency graph's mutations."""

from __future__ import annotations

import strawberry

import graphql_schema.catalog.graph.enums  # noqa: F401  (registers the enums first)
from catalog.graph import models


@strawberry.input
class CreateSharedResourceInput:
    name: str
    kind: models.SharedResourceKind
    owner_team_id: strawberry.ID
    description: str = ""


@strawberry.input
class UpdateSharedResourceInput:
    id: strawberry.ID
    version: int
    name: str | None = strawberry.UNSET
    kind: models.SharedResourceKind | None = strawberry.UNSET
    owner_team_id: strawberry.ID | None = strawberry.UNSET
    description: str | None = strawberry.UNSET


@strawberry.input
class CreateDependencyInput:
    source_id: strawberry.ID = strawberry.field(description="The service that depends.")
    target_id: strawberry.ID = strawberry.field(
        description="The Service or SharedResource it depends on."
    )
    kind: models.DependencyKind
    description: str | None = None
    criticality: models.DependencyCriticality = strawberry.field(
        default=models.DependencyCriticality.MEDIUM,
        description="How badly the source suffers when the target fails.",
    )


@strawberry.input(description="Only the fields given change; the source and target never do.")
class UpdateDependencyInput:
    id: strawberry.ID
    version: int
    kind: models.DependencyKind | None = strawberry.UNSET
    criticality: models.DependencyCriticality | None = strawberry.UNSET
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="Null clears it."
    )
