"""Enums of service requests (and the value stream), exposed to GraphQL once."""

import strawberry

from work.requests.models import Level, Priority, RequestKind, RequestStatus, SupportTier
from work.value_streams import ValueStream

strawberry.enum(RequestKind, description="What a service request asks for.")
strawberry.enum(Level, name="RequestLevel", description="An impact or an urgency.")
strawberry.enum(Priority, description="P1 (most urgent) to P4, derived from impact and urgency.")
strawberry.enum(SupportTier, description="The support line working a request: L1 or L2.")
strawberry.enum(
    RequestStatus, name="ServiceRequestStatus", description="Where a request is in fulfilment."
)
strawberry.enum(ValueStream, description="The IT4IT value stream a piece of work belongs to.")
