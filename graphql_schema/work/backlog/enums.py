"""Enums of backlogs, exposed to GraphQL once, before any type uses them."""

import strawberry

from work.backlog.models import BacklogItemStatus, BacklogItemType, DesignReviewOutcome

strawberry.enum(BacklogItemType)
strawberry.enum(BacklogItemStatus)
strawberry.enum(DesignReviewOutcome, description="A design authority's verdict.")
