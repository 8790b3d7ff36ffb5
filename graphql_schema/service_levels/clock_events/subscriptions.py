"""`clockEvents`: SLA clocks of requests and incidents passing a threshold, as recorded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from core.notifications import Channel
from graphql_schema.access import requires
from graphql_schema.context import Info
from graphql_schema.live import deliveries, selected_options, service_filter
from graphql_schema.service_levels.clock_events.types import ClockEvent
from identity.principal import Role
from service_levels import clock_events


@strawberry.type
class ClockEventSubscription:
    @strawberry.subscription(
        description="Request and incident SLA clocks passing their warning threshold or their"
        " target, on one service or all, as the clock-events job records them.",
        metadata=requires(Role.VIEWER),
    )
    async def clock_events(
        self, info: Info, service_id: strawberry.ID | None = None
    ) -> AsyncIterator[ClockEvent]:
        wanted = service_filter(service_id)
        options = selected_options(info, "ClockEvent")

        async def load(session: AsyncSession, payload: dict[str, Any]) -> ClockEvent | None:
            key = payload.get("id")
            if not isinstance(key, int):
                return None
            found = await clock_events.events_by_ids(session, [key], options)
            return ClockEvent.from_model(found[key]) if key in found else None

        async for event in deliveries(
            info,
            Channel.CLOCK_EVENTS,
            matches=lambda payload: wanted is None or payload.get("serviceId") == wanted,
            load=load,
        ):
            yield event
