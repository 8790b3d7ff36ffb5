"""Enums of service requests, exposed to GraphQL once, before any type uses them."""

import strawberry

from work.requests.models import Level, Priority, RequestKind, RequestStatus, SupportTier

strawberry.enum(RequestKind, description="What a service request asks for.")
strawberry.enum(Level, name="RequestLevel", description="An impact or an urgency.")
strawberry.enum(Priority, description="P1 (most urgent) to P4, derived from impact and urgency.")
strawberry.enum(SupportTier, description="The support line working a request: L1 or L2.")
strawberry.enum(
    RequestStatus, name="ServiceRequestStatus", description="Where a request is in fulfilment."
)
