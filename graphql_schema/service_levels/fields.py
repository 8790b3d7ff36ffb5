"""The service-level fields of `Service`, kept out of catalog/services/types.py: `Service`
inherits them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graphql_schema.context import Info

if TYPE_CHECKING:
    from graphql_schema.service_levels.clocks.types import ClockPolicy, SlaClockSummary
    from graphql_schema.service_levels.measurements.types import MeasurementConnection, Metric
    from graphql_schema.service_levels.slas.types import Sla

_CLOCK_TYPES = "graphql_schema.service_levels.clocks.types"
_SLA_TYPES = "graphql_schema.service_levels.slas.types"
_MEASUREMENTS = "graphql_schema.service_levels.measurements.types"


@strawberry.type
class ServiceLevelFields:
    model: strawberry.Private[Any]

    @strawberry.field(
        description="The SLA clock targets of this service, by priority and severity."
    )
    async def clock_policy(
        self, info: Info
    ) -> Annotated[ClockPolicy, strawberry.lazy(_CLOCK_TYPES)]:
        from graphql_schema.service_levels.clocks.loaders import clock_policy_of

        return await clock_policy_of(info, self.model)

    @strawberry.field(description="The live SLAs agreed on this service, by name.")
    async def slas(self, info: Info) -> list[Annotated[Sla, strawberry.lazy(_SLA_TYPES)]]:
        from graphql_schema.service_levels.slas.loaders import slas_of

        return await slas_of(info, self.model)

    @strawberry.field(
        description="Its requests and incidents by their running SLA clocks, beside"
        " salesforceCaseSummary (the vendor's milestones)."
    )
    async def sla_clock_summary(
        self, info: Info, within_hours: int = 4
    ) -> Annotated[SlaClockSummary, strawberry.lazy(_CLOCK_TYPES)]:
        from graphql_schema.service_levels.clocks.loaders import clock_summary_of

        return await clock_summary_of(info, self.model.id, within_hours)

    @strawberry.field(
        description="Its recorded measurements, oldest first: one metric if given, at from"
        " `from` (inclusive) to `to` (exclusive)."
    )
    async def measurements(
        self,
        info: Info,
        metric: Annotated[Metric, strawberry.lazy(_MEASUREMENTS)] | None = None,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Annotated[MeasurementConnection, strawberry.lazy(_MEASUREMENTS)]:
        from graphql_schema.service_levels.measurements.loaders import measurements_of

        return await measurements_of(
            info, self.model, metric=metric, since=from_, until=to, first=first, after=after
        )
