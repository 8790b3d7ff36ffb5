"""Enums of releases and seasonal readiness, exposed to GraphQL once, before any type uses them."""

import strawberry

from work.releases.models import (
    ReadinessRisk,
    RegressionTestStatus,
    ReleaseKind,
    ReleaseStatus,
    Season,
)

strawberry.enum(ReleaseKind, description="A regular release, a hot fix, or Salesforce's season.")
strawberry.enum(ReleaseStatus, description="Where a release is: PLANNED to RELEASED.")
strawberry.enum(Season, description="Salesforce's three releases a year.")
strawberry.enum(ReadinessRisk, description="How risky a seasonal release is for a service.")
strawberry.enum(RegressionTestStatus, description="Where a service's regression tests are.")
