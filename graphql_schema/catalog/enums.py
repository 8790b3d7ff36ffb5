"""The catalog's domain enums, exposed to GraphQL once, before any type uses them."""

import strawberry

from catalog.graph.models import DependencyKind, SharedResourceKind
from catalog.orgs.models import OrgKind
from catalog.services.calendar import Weekday
from catalog.services.models import DataClassification, Lifecycle, OwnershipRoleKind, Tier

strawberry.enum(Tier, description="How critical a service is: TIER_1 is critical.")
strawberry.enum(Lifecycle, description="Where a service is in its life.")
strawberry.enum(DataClassification, description="How sensitive a service's data is.")
strawberry.enum(OwnershipRoleKind, description="A typed role a person holds on a service.")
strawberry.enum(OrgKind, name="SalesforceOrgKind", description="Production, sandbox or scratch.")
strawberry.enum(Weekday)
strawberry.enum(SharedResourceKind, description="What a shared resource is.")
strawberry.enum(
    DependencyKind,
    description="What a service needs a dependency for: to run, for data, to sign in.",
)
