"""Enums of freeze windows, exposed to GraphQL once, before any type uses them."""

import strawberry

from work.releases.models import FreezeScope

strawberry.enum(
    FreezeScope, description="What a freeze window holds: everything, a service, a team."
)
