"""`feedbackSubmitted`: new feedback as it is submitted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from core.notifications import Channel
from core.repository import get_by_id
from feedback import models
from graphql_schema.access import requires
from graphql_schema.context import Info
from graphql_schema.feedback.types import Feedback
from graphql_schema.live import deliveries, payload_id, selected_options, service_filter
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
        options = selected_options(info, "Feedback")

        async def load(session: AsyncSession, payload: dict[str, Any]) -> Feedback | None:
            key = payload_id(payload)
            found = await get_by_id(session, models.Feedback, key, options) if key else None
            return Feedback.from_model(found) if found is not None else None

        async for feedback in deliveries(
            info,
            Channel.FEEDBACK,
            matches=lambda payload: wanted is None or payload.get("serviceId") == wanted,
            load=load,
        ):
            yield feedback
