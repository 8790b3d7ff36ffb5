"""Enums of backlogs and releases, exposed to GraphQL once, before any type uses them."""

import strawberry

import graphql_schema.feedback.enums  # noqa: F401  (BacklogItemType and BacklogItemStatus)
from work.backlog.models import DesignReviewOutcome
from work.releases.models import (
    ReadinessRisk,
    RegressionTestStatus,
    ReleaseKind,
    ReleaseStatus,
    Season,
)

strawberry.enum(DesignReviewOutcome, description="A design authority's verdict.")
strawberry.enum(ReleaseKind, description="A regular release, a hot fix, or Salesforce's season.")
strawberry.enum(ReleaseStatus, description="Where a release is: PLANNED to RELEASED.")
strawberry.enum(Season, description="Salesforce's three releases a year.")
strawberry.enum(ReadinessRisk, description="How risky a seasonal release is for a service.")
strawberry.enum(RegressionTestStatus, description="Where a service's regression tests are.")
