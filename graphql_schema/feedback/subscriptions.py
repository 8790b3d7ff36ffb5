"""`feedbackSubmitted`: new feedback as it is submitted."""

from __future__ import annotations

from collections.abc import AsyncIterator

import strawberry

from core.notifications import Channel
from feedback import models
from graphql_schema.access import requires
from graphql_schema.context import Info
from graphql_schema.feedback.types import Feedback
from graphql_schema.live import deliveries, load_by_id, service_filter
from identity.principal import Role


@strawberry.type
class FeedbackSubscription:
    @strawberry.subscription(
        description="Each feedback item submitted (as committed), on one service or all.",
        metadata=requires(Role.VIEWER),
    )
    async def feedback_submitted(
        self, info: Info, service_id: strawberry.ID | None = None
    ) -> AsyncIterator[Feedback]:
        wanted = service_filter(service_id)
        load = load_by_id(info, models.Feedback, "Feedback", Feedback.from_model)

        async for feedback in deliveries(
            info,
            Channel.FEEDBACK,
            matches=lambda payload: wanted is None or payload.get("serviceId") == wanted,
            load=load,
        ):
            yield feedback
