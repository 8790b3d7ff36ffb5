"""Enums of KPI roll-ups, exposed to GraphQL once, before any type uses them."""

import strawberry

from service_levels import rollups

strawberry.enum(rollups.KpiScope, description="What a KPI summary rolls up.")
