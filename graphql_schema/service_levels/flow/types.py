"""Flow metrics per value stream as GraphQL sees them."""

from __future__ import annotations

from datetime import datetime

import strawberry

import graphql_schema.work.enums  # noqa: F401  (registers ValueStream first)
from graphql_schema.errors import BadUserInput
from graphql_schema.node import global_id
from graphql_schema.service_levels.slas.types import TimeRange
from service_levels import flow
from work.value_streams import ValueStream

# The GraphQL type of each stage's work, for global ids.
_WORK_TYPES = {
    ValueStream.REQUEST_TO_FULFIL: "ServiceRequest",
    ValueStream.DETECT_TO_CORRECT: "Incident",
    ValueStream.REQUIREMENT_TO_DEPLOY: "BacklogItem",
}


@strawberry.type(
    description="Work still in the flow at the window's end, older than the stage's 85th"
    " percentile lead time."
)
class AgingWork:
    id: strawberry.ID = strawberry.field(
        description="The global id of the ServiceRequest, Incident or BacklogItem (see node)."
    )
    title: str
    status: str
    started_at: datetime = strawberry.field(description="Filed, detected or created.")
    age_seconds: float = strawberry.field(description="From startedAt to the window's end.")

    @classmethod
    def of(cls, work: flow.AgingWork) -> AgingWork:
        return cls(
            id=global_id(_WORK_TYPES[work.stream], work.id),
            title=work.title,
            status=work.status,
            started_at=work.started_at,
            age_seconds=work.age_seconds,
        )


@strawberry.type(
    description="The flow of one value stream over a window: requests (REQUEST_TO_FULFIL),"
    " incidents (DETECT_TO_CORRECT) or backlog items (REQUIREMENT_TO_DEPLOY)."
)
class StageFlow:
    stream: ValueStream
    window: TimeRange
    throughput: int = strawberry.field(
        description="Work delivered in the window (fulfilled, resolved, released) and not"
        " reopened since."
    )
    wip: int = strawberry.field(description="Work in the flow at the window's end.")
    lead_time_p50_seconds: float | None = strawberry.field(
        description="Median lead time, start to delivery, of the work delivered in the window."
    )
    lead_time_p85_seconds: float | None = strawberry.field(
        description="85th percentile of the same."
    )
    flow_efficiency: float | None = strawberry.field(
        description="Time in active states over all recorded time before delivery, 0 to 1, of"
        " the work delivered in the window (waiting states are not active)."
    )
    aging_count: int = strawberry.field(description="How much work `aging` lists in all.")
    model: strawberry.Private[flow.StageFlow]

    @strawberry.field(
        description=f"Work in the flow older than leadTimeP85Seconds, oldest first; first is 0"
        f" to {flow.MAX_AGING}."
    )
    def aging(self, first: int = 10) -> list[AgingWork]:
        if not 0 <= first <= flow.MAX_AGING:
            raise BadUserInput(f"aging: first must be between 0 and {flow.MAX_AGING}")
        return [AgingWork.of(work) for work in self.model.aging[:first]]

    @classmethod
    def of(cls, found: flow.StageFlow) -> StageFlow:
        return cls(
            stream=found.stream,
            window=TimeRange(start=found.window.start, end=found.window.end),
            throughput=found.throughput,
            wip=found.wip,
            lead_time_p50_seconds=found.lead_time_p50_seconds,
            lead_time_p85_seconds=found.lead_time_p85_seconds,
            flow_efficiency=found.flow_efficiency,
            aging_count=found.aging_count,
            model=found,
        )


@strawberry.type(
    description="Time to market of one value stream: the median lead time of the work it"
    " delivered in the window."
)
class StageTimeToMarket:
    stream: ValueStream
    seconds: float | None
    delivered: int = strawberry.field(description="The work the median is taken over.")

    @classmethod
    def of(cls, found: flow.StageFlow) -> StageTimeToMarket:
        return cls(
            stream=found.stream, seconds=found.lead_time_p50_seconds, delivered=found.throughput
        )
