"""The work domain's own enum, exposed to GraphQL once: the value stream."""

import strawberry

from work.value_streams import ValueStream

strawberry.enum(
    ValueStream,
    description="The IT4IT value stream a piece of work belongs to. Requests and incidents are"
    " tagged REQUEST_TO_FULFIL or DETECT_TO_CORRECT; REQUIREMENT_TO_DEPLOY is the backlog's"
    " (items shipped by releases), a stage of valueStreamMetrics.",
)
