"""The dependency graph's enums, exposed to GraphQL once, before any type uses them."""

import strawberry

from catalog.graph.models import DependencyCriticality, DependencyKind, SharedResourceKind

strawberry.enum(SharedResourceKind, description="What a shared resource is.")
strawberry.enum(
    DependencyKind,
    description="What a service needs a dependency for: to run, for data, to sign in.",
)
strawberry.enum(
    DependencyCriticality,
    description="How badly the source suffers when the target fails: LOW to CRITICAL.",
)
