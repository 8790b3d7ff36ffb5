"""KPI roll-ups as GraphQL sees them: objectives by status, pooled metrics, worst offenders."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

import graphql_schema.service_levels.enums  # registers the shared enums first
import graphql_schema.service_levels.kpis.enums  # noqa: F401  (and this aggregate's)
from catalog.ai_models import actions as ai_models
from catalog.backups import actions as backups
from graphql_schema.catalog.services.types import Service
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput
from graphql_schema.service_levels.flow.types import StageTimeToMarket
from graphql_schema.service_levels.slas.types import (
    MAX_SERIES_POINTS,
    Objective,
    Sla,
    TimeRange,
    VendorAttributedFigures,
    check_series,
)
from service_levels import flow, rollups
from service_levels.metric_sql import MetricSettings
from service_levels.models import Metric
from service_levels.objectives import Status
from service_levels.windows import Bucket

MAX_OFFENDERS = rollups.MAX_OFFENDERS


@strawberry.type(description="How many objectives stand in each status.")
class StatusCounts:
    met: int
    at_risk: int
    breached: int
    no_data: int

    @classmethod
    def of(cls, counts: dict[Status, int]) -> StatusCounts:
        return cls(
            met=counts[Status.MET],
            at_risk=counts[Status.AT_RISK],
            breached=counts[Status.BREACHED],
            no_data=counts[Status.NO_DATA],
        )


@strawberry.type(description="A pooled metric over one bucket of a series.")
class PooledPoint:
    start: datetime
    end: datetime
    value: float | None
    samples: int


@strawberry.type(
    description="A metric pooled over every service of the scope: ratios from 0 to 1,"
    " durations in seconds, amounts in CATALOG_CURRENCY, ratings from 1 to 5."
)
class PooledMetric:
    metric: Metric
    value: float | None
    samples: int = strawberry.field(description="The records the value is made of.")
    share: float | None = strawberry.field(
        description="SATISFACTION only: the share of ratings of 4 or 5."
    )
    status_counts: StatusCounts = strawberry.field(
        description="The scope's objectives on this metric, by status."
    )
    vendor_attributed: VendorAttributedFigures | None = strawberry.field(
        description="AVAILABILITY, MTTR, COST, EFFICIENCY_GAIN and CUSTOM: the team's figure"
        " (value, when split) and the raw one; null for the other metrics."
    )
    summary: strawberry.Private[rollups.KpiSummary]

    async def _before(self, info: Info) -> float | None:
        """Batched: every metric asked about in this summary, once, in one statement."""
        found = await info.context.loaders.pooled_before[self.summary].load(self.metric)
        return found.value if found is not None else None

    @strawberry.field(description="The same pooled over the whole window before.")
    async def previous_value(self, info: Info) -> float | None:
        return await self._before(info)

    @strawberry.field(description="value against previousValue, signed so positive is better.")
    async def trend(self, info: Info) -> float | None:
        return self.summary.trend(self.metric, await self._before(info))

    @classmethod
    def of(cls, summary: rollups.KpiSummary, metric: Metric) -> PooledMetric:
        value = summary.metrics[metric]
        return cls(
            metric=metric,
            value=value.value,
            samples=value.samples,
            share=value.share,
            status_counts=StatusCounts.of(summary.counts_of(metric)),
            vendor_attributed=VendorAttributedFigures.of(
                value.value, value.raw_value, value.vendor_split
            ),
            summary=summary,
        )


@strawberry.type(description="An objective in trouble, with what it answered in the summary.")
class KpiOffender:
    status: Status
    current_value: float | None
    error_budget: float | None
    vendor_attributed: VendorAttributedFigures | None = strawberry.field(
        description="The team's figure and the raw one, as on Objective.vendorAttributed."
    )
    model: strawberry.Private[rollups.Offender]

    @strawberry.field
    def objective(self) -> Objective:
        return Objective.from_model(self.model.objective)

    @strawberry.field
    def sla(self) -> Sla:
        return Sla.from_model(self.model.sla)

    @strawberry.field
    def service(self) -> Service:
        return Service.from_model(self.model.sla.service)


@strawberry.type(description="Objectives by status, pooled metrics and the worst objectives.")
class KpiSummary:
    scope: rollups.KpiScope
    scope_name: str
    window: TimeRange = strawberry.field(description="The window the metrics are pooled over.")
    service_count: int
    objective_count: int
    status_counts: StatusCounts
    metrics: list[PooledMetric]
    model: strawberry.Private[rollups.KpiSummary]

    @strawberry.field(
        description="How many AI models of the scope's services are overdue for evaluation or"
        " failing (RETIRED ones aside)."
    )
    async def ai_models_attention(self, info: Info) -> int:
        async with info.context.db() as session:
            return await ai_models.models_needing_attention(
                session, service_ids=self.model.service_ids
            )

    @strawberry.field(
        description="How many of the scope's CONFIDENTIAL and RESTRICTED services are not ready"
        " for data loss (Service.dataLossReadiness)."
    )
    async def data_loss_at_risk(self, info: Info) -> int:
        async with info.context.db() as session:
            return await backups.services_at_data_loss_risk(
                session, service_ids=self.model.service_ids
            )

    @strawberry.field(
        description="Time to market per value stream over the summary's window: the median lead"
        " time of the requests fulfilled, incidents resolved and backlog items released"
        " (valueStreamMetrics has the rest of the flow)."
    )
    async def time_to_market_by_stage(self, info: Info) -> list[StageTimeToMarket]:
        summary = self.model
        narrowed = summary.service_ids if summary.product_owner_id is not None else None
        chosen = flow.FlowScope(summary.scope, summary.scope_id, narrowed)
        async with info.context.db() as session:  # one statement per stage
            found = await flow.value_stream_metrics(session, chosen, summary.window)
        return [StageTimeToMarket.of(stage) for stage in found]

    @strawberry.field(description="Breached objectives, then at-risk ones with the least budget.")
    async def worst_offenders(self, info: Info, first: int = 10) -> list[KpiOffender]:
        if not 0 <= first <= MAX_OFFENDERS:
            raise BadUserInput(f"worstOffenders: first must be between 0 and {MAX_OFFENDERS}")
        worst = self.model.worst(first)
        if not worst:
            return []
        async with info.context.db() as session:  # the listed ones only: one statement
            found = await rollups.offenders(session, worst)
        return [
            KpiOffender(
                status=item.answer.status,
                current_value=item.answer.current_value,
                error_budget=item.answer.error_budget,
                vendor_attributed=VendorAttributedFigures.of(
                    item.answer.current_value, item.answer.raw_value, item.answer.vendor_split
                ),
                model=item,
            )
            for item in found
        ]

    @strawberry.field(
        description="A metric pooled over the scope's services per day, week or month of"
        f" [from, to) in CATALOG_ORG_TIMEZONE, for charts; at most {MAX_SERIES_POINTS} points"
        " (null, with an error, beyond)."
    )
    async def series(
        self,
        info: Info,
        metric: Metric,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
        bucket: Bucket = Bucket.MONTH,
    ) -> list[PooledPoint] | None:
        check_series(from_, to, bucket)
        if metric not in rollups.POOLED_METRICS:
            raise BadUserInput(f"series: {metric.value} is not pooled across services")
        settings = MetricSettings.of(info.context.settings)
        async with info.context.db() as session:
            points = await rollups.pooled_series(
                session, self.model, metric, from_, to, bucket, settings
            )
        return [
            PooledPoint(
                start=window.start, end=window.end, value=value.value, samples=value.samples
            )
            for window, value in points
        ]

    @classmethod
    def of(cls, summary: rollups.KpiSummary) -> KpiSummary:
        counts = summary.status_counts
        return cls(
            scope=summary.scope,
            scope_name=summary.scope_name,
            window=TimeRange(start=summary.window.start, end=summary.window.end),
            service_count=summary.service_count,
            objective_count=summary.objective_count,
            status_counts=StatusCounts.of(counts),
            metrics=[PooledMetric.of(summary, metric) for metric in summary.metrics],
            model=summary,
        )
