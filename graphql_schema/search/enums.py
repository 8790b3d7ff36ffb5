"""Search enums, exposed to GraphQL once, before any type uses them."""

import strawberry

from service_levels.search import SearchKind

strawberry.enum(SearchKind, description="What a search looks through.")
