"""Enums of services, exposed to GraphQL once, before any type uses them."""

import strawberry

from catalog.services.calendar import Weekday
from catalog.services.models import DataClassification, Lifecycle, OwnershipRoleKind, Tier

strawberry.enum(Tier, description="How critical a service is: TIER_1 is critical.")
strawberry.enum(Lifecycle, description="Where a service is in its life.")
strawberry.enum(DataClassification, description="How sensitive a service's data is.")
strawberry.enum(OwnershipRoleKind, description="A typed role a person holds on a service.")
strawberry.enum(Weekday)
