"""`valueStreamMetrics`: flow metrics per value stream for a scope over a window."""

from __future__ import annotations

import strawberry

from core.clock import utcnow
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput
from graphql_schema.service_levels.flow.inputs import FlowWindowInput
from graphql_schema.service_levels.flow.types import StageFlow
from graphql_schema.service_levels.kpis.queries import decode_scope_id
from service_levels import flow, rollups
from service_levels.windows import Window


def _window(window: FlowWindowInput) -> Window:
    now = utcnow()
    end = window.to if window.to is not None else now
    try:
        if end.tzinfo is not None:
            end = min(end, now)
        return flow.check_window(window.from_, end)
    except flow.BadWindow as error:
        raise BadUserInput(f"window: {error}") from None


@strawberry.type
class FlowQuery:
    @strawberry.field(
        description="Flow metrics of each value stream (requests, incidents, backlog items) of"
        " a service, team, business unit or the organisation over a window of at most two"
        " years: throughput, work in progress, lead time (median and 85th percentile), flow"
        " efficiency and aging work. A team's requests and incidents are those of its"
        " services; its backlog items those of its backlog."
    )
    async def value_stream_metrics(
        self,
        info: Info,
        scope: rollups.KpiScope,
        scope_id: strawberry.ID | None = None,
        *,
        window: FlowWindowInput,
    ) -> list[StageFlow]:
        decoded = decode_scope_id(scope, scope_id)
        span = _window(window)
        async with info.context.db() as session:
            try:
                found = await flow.value_stream_metrics(
                    session, flow.FlowScope(scope, decoded), span
                )
            except rollups.UnknownScope as error:
                raise BadUserInput(f"scopeId: {error}") from None
        return [StageFlow.of(stage) for stage in found]
