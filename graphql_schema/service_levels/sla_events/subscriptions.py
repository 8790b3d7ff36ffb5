"""`slaEvents`: SLA events as the evaluation job records them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from core.notifications import Channel
from graphql_schema.access import requires
from graphql_schema.context import Info
from graphql_schema.live import deliveries, selected_options, service_filter
from graphql_schema.service_levels.sla_events.types import SlaEvent
from identity.principal import Role
from service_levels import sla_events


@strawberry.type
class SlaEventSubscription:
    @strawberry.subscription(
        description="SLA events as the evaluation job records them, on one service or all.",
        metadata=requires(Role.VIEWER),
    )
    async def sla_events(
        self, info: Info, service_id: strawberry.ID | None = None
    ) -> AsyncIterator[SlaEvent]:
        wanted = service_filter(service_id)
        options = selected_options(info, "SlaEvent")

        async def load(session: AsyncSession, payload: dict[str, Any]) -> SlaEvent | None:
            key = payload.get("id")
            if not isinstance(key, int):
                return None
            found = await sla_events.events_by_ids(session, [key], options)
            return SlaEvent.from_model(found[key]) if key in found else None

        async for event in deliveries(
            info,
            Channel.SLA_EVENTS,
            matches=lambda payload: wanted is None or payload.get("serviceId") == wanted,
            load=load,
        ):
            yield event
