"""Enums of SLA objectives, exposed to GraphQL once, before any type uses them."""

import strawberry

from service_levels import models

strawberry.enum(
    models.Comparator, description="Whether the value must stay at most or at least the target."
)
