"""Enums of SLA events, exposed to GraphQL once, before any type uses them."""

import strawberry

from service_levels import models

strawberry.enum(models.SlaEventKind, description="How an objective's status changed.")
