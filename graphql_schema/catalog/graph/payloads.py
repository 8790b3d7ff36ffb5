"""Payloads of the dependency graph's mutations: the object (null on failure) and `userErrors`."""

from __future__ import annotations

import strawberry

from graphql_schema.catalog.graph.types import Dependency, SharedResource
from graphql_schema.errors import UserError


@strawberry.type
class SharedResourcePayload:
    shared_resource: SharedResource | None
    user_errors: list[UserError]


@strawberry.type
class DependencyPayload:
    dependency: Dependency | None
    user_errors: list[UserError]
