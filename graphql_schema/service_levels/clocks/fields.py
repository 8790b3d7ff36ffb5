"""`responseClock` and `resolutionClock` on requests and incidents: the types inherit them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from graphql_schema.context import Info
from graphql_schema.service_levels.clocks.loaders import sla_clock
from graphql_schema.service_levels.clocks.types import SlaClock
from service_levels.clock import ClockKind

AS_OF_HELP = "The moment to answer for (default now); null before the record existed."


@strawberry.type
class ServiceRequestClockFields:
    model: strawberry.Private[Any]

    @strawberry.field(description="Time to respond: runs from filing until TRIAGED.")
    async def response_clock(
        self,
        info: Info,
        as_of: Annotated[datetime | None, strawberry.argument(description=AS_OF_HELP)] = None,
    ) -> SlaClock | None:
        return await sla_clock(info, self.model.id, ClockKind.RESPONSE, as_of, incident=False)

    @strawberry.field(
        description="Time to resolve: runs until FULFILLED, paused while WAITING_ON_REQUESTER,"
        " running again on a reopen."
    )
    async def resolution_clock(
        self,
        info: Info,
        as_of: Annotated[datetime | None, strawberry.argument(description=AS_OF_HELP)] = None,
    ) -> SlaClock | None:
        return await sla_clock(info, self.model.id, ClockKind.RESOLUTION, as_of, incident=False)


@strawberry.type
class IncidentClockFields:
    model: strawberry.Private[Any]

    @strawberry.field(description="Time to acknowledge: runs from detection until ACKNOWLEDGED.")
    async def response_clock(
        self,
        info: Info,
        as_of: Annotated[datetime | None, strawberry.argument(description=AS_OF_HELP)] = None,
    ) -> SlaClock | None:
        return await sla_clock(info, self.model.id, ClockKind.RESPONSE, as_of, incident=True)

    @strawberry.field(
        description="Time to restore: runs until MITIGATED, never paused, running again when"
        " a RESOLVED incident reopens."
    )
    async def resolution_clock(
        self,
        info: Info,
        as_of: Annotated[datetime | None, strawberry.argument(description=AS_OF_HELP)] = None,
    ) -> SlaClock | None:
        return await sla_clock(info, self.model.id, ClockKind.RESOLUTION, as_of, incident=True)
