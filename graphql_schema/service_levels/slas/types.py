"""SLAs and objectives as GraphQL sees them; objectives answer from the catalog's data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from sqlalchemy import ColumnElement, FromClause, func, literal, or_

import graphql_schema.service_levels.enums  # registers the shared enums first
import graphql_schema.service_levels.slas.enums  # noqa: F401  (and this aggregate's)
from catalog.services.models import Service as ServiceModel
from graphql_schema.catalog.reviews.types import REVIEW_SQL, Reviewable, review_fields
from graphql_schema.catalog.services.types import Service
from graphql_schema.compiled.declarations import (
    Column,
    Embedded,
    GlobalId,
    Parameters,
    Relation,
    Rows,
    declare_sql,
)
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput
from graphql_schema.history import Versioned
from graphql_schema.node import Node, global_id, register_node
from graphql_schema.prefetch import register_relations
from service_levels import models
from service_levels.objective_answers import SeriesPoint
from service_levels.objectives import Answer, Status
from service_levels.windows import Bucket, buckets

MAX_SERIES_POINTS = 400


@strawberry.type(description="A span of time, start included, end excluded.")
class TimeRange:
    start: datetime
    end: datetime


@strawberry.type(description="An objective's metric over one bucket of a series.")
class ObjectiveSeriesPoint:
    start: datetime
    end: datetime
    value: float | None
    status: Status

    @classmethod
    def of(cls, point: SeriesPoint) -> ObjectiveSeriesPoint:
        return cls(
            start=point.window.start, end=point.window.end, value=point.value, status=point.status
        )


@strawberry.type(description="A reference value and when it was measured.")
class Benchmark:
    value: float
    date: date | None


@strawberry.type(description="The window an objective is measured over, in the service's zone.")
class ObjectiveWindow:
    kind: models.WindowKind
    days: int | None = strawberry.field(description="For ROLLING_DAYS.")


@strawberry.type(description="The records an objective counts: one severity, priority or kind.")
class ObjectiveScope:
    severity: str | None
    priority: str | None
    request_kind: str | None


@strawberry.type(
    description="A metric with and without what is down to Salesforce: for AVAILABILITY and"
    " MTTR the part of our incidents inside Salesforce Trust incidents, for COST,"
    " EFFICIENCY_GAIN and CUSTOM the measurements recorded as vendor-attributed."
)
class VendorAttributedFigures:
    vendor_split: bool = strawberry.field(
        description="True: the Trust data covers the window, and the value (currentValue,"
        " status, budget) is the team's figure. False: the Trust data is stale or unavailable"
        " (CATALOG_SALESFORCE_TRUST_URL unset, the Trust API down): the value is the raw"
        " figure and teamValue is null, rather than a guess."
    )
    team_value: float | None = strawberry.field(
        description="The metric leaving the vendor's part out; null without the split."
    )
    raw_value: float | None = strawberry.field(
        description="The metric counting everything, the vendor's part included."
    )

    @classmethod
    def of(
        cls, value: float | None, raw_value: float | None, vendor_split: bool | None
    ) -> VendorAttributedFigures | None:
        if vendor_split is None:
            return None
        return cls(
            vendor_split=vendor_split,
            team_value=value if vendor_split else None,
            raw_value=raw_value,
        )


def check_series(start: datetime, end: datetime, bucket: Bucket) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise BadUserInput("series: from and to need a UTC offset")
    if end <= start:
        raise BadUserInput("series: to must be after from")
    if sum(1 for _ in buckets(start, end, bucket, "UTC")) > MAX_SERIES_POINTS:
        raise BadUserInput(
            f"series: at most {MAX_SERIES_POINTS} points; use a wider bucket or a shorter span"
        )


@strawberry.type(
    description="A metric held to a target. Ratios are fractions from 0 to 1; durations seconds."
)
class Objective(Node, Versioned):
    id: strawberry.ID
    metric: models.Metric
    comparator: models.Comparator
    target: float
    benchmark: Benchmark | None
    window: ObjectiveWindow
    scope: ObjectiveScope | None
    version: int
    model: strawberry.Private[models.Objective]

    @classmethod
    def from_model(cls, objective: models.Objective) -> Objective:
        has_scope = any(
            (objective.scope_severity, objective.scope_priority, objective.scope_request_kind)
        )
        return cls(
            id=global_id("Objective", objective.id),
            metric=objective.metric,
            comparator=objective.comparator,
            target=objective.target,
            benchmark=(
                Benchmark(value=objective.benchmark_value, date=objective.benchmark_date)
                if objective.benchmark_value is not None
                else None
            ),
            window=ObjectiveWindow(kind=objective.window_kind, days=objective.window_days),
            scope=(
                ObjectiveScope(
                    severity=objective.scope_severity,
                    priority=objective.scope_priority,
                    request_kind=objective.scope_request_kind,
                )
                if has_scope
                else None
            ),
            version=objective.version,
            model=objective,
        )

    async def _answer(self, info: Info) -> Answer | None:
        return await info.context.loaders.objective_answers.load(self.model.id)

    @strawberry.field(description="The value over the current window; null without data.")
    async def current_value(self, info: Info) -> float | None:
        found = await self._answer(info)
        return found.current_value if found else None

    @strawberry.field(
        description="MET, AT_RISK (met, but under 25 % of the error budget left, or within 10 %"
        " of a non-ratio target), BREACHED or NO_DATA."
    )
    async def status(self, info: Info) -> Status:
        found = await self._answer(info)
        return found.status if found else Status.NO_DATA

    @strawberry.field(description="The unused share of the error budget (ratio metrics only).")
    async def error_budget(self, info: Info) -> float | None:
        found = await self._answer(info)
        return found.error_budget if found else None

    @strawberry.field(
        description="The current value against the whole window before it, in the metric's"
        " unit, signed so that positive is better; null when either has no data."
    )
    async def trend(self, info: Info) -> float | None:
        found = await self._answer(info)
        return found.trend if found else None

    @strawberry.field(
        description="The current value against the benchmark, in the metric's unit, signed so"
        " that positive is better; null without a benchmark or data."
    )
    async def improvement_over_benchmark(self, info: Info) -> float | None:
        found = await self._answer(info)
        return found.improvement_over_benchmark if found else None

    @strawberry.field(
        description="The current window: from its start in the service's zone to now."
    )
    async def current_window(self, info: Info) -> TimeRange | None:
        found = await self._answer(info)
        if found is None or found.window is None:
            return None
        return TimeRange(start=found.window.start, end=found.window.end)

    @strawberry.field(
        description="AVAILABILITY, MTTR, COST, EFFICIENCY_GAIN and CUSTOM: the team's figure and"
        " the raw one, and whether the value leaves the vendor's part out; null for the others."
    )
    async def vendor_attributed(self, info: Info) -> VendorAttributedFigures | None:
        found = await self._answer(info)
        if found is None:
            return None
        return VendorAttributedFigures.of(found.current_value, found.raw_value, found.vendor_split)

    @strawberry.field(
        description="How many records (incidents, clocks, ratings, measurements...) the"
        " current value is made of."
    )
    async def samples(self, info: Info) -> int:
        found = await self._answer(info)
        return found.samples if found else 0

    @strawberry.field(
        description="The metric per local day, week or month of [from, to), for charts; at most"
        f" {MAX_SERIES_POINTS} points (null, with an error, beyond)."
    )
    async def series(
        self,
        info: Info,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
        bucket: Bucket = Bucket.DAY,
    ) -> list[ObjectiveSeriesPoint] | None:
        # Nullable: a refused span nulls this field only, not the objective and its siblings.
        check_series(from_, to, bucket)
        found = await info.context.loaders.objective_series[from_, to, bucket].load(self.model.id)
        return [ObjectiveSeriesPoint.of(point) for point in found or []]


@strawberry.type(description="An agreement on a service, made of objectives.")
class Sla(Node, Versioned, Reviewable):
    id: strawberry.ID
    name: str
    description: str
    archived_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.Sla]

    @classmethod
    def from_model(cls, sla: models.Sla) -> Sla:
        return cls(
            id=global_id("Sla", sla.id),
            name=sla.name,
            description=sla.description,
            archived_at=sla.archived_at,
            version=sla.version,
            created_at=sla.created_at,
            updated_at=sla.updated_at,
            model=sla,
            **review_fields(
                last_reviewed_at=sla.last_reviewed_at,
                created_at=sla.created_at,
                interval_days=sla.review_interval_days,
            ),
        )

    @strawberry.field
    def service(self) -> Service:
        return Service.from_model(self.model.service)

    @strawberry.field(description="Its objectives, in the order given.")
    def objectives(self) -> list[Objective]:
        return [Objective.from_model(objective) for objective in self.model.objectives]


register_relations(
    "Sla",
    {
        "service": ([models.Sla.service], "Service"),
        "objectives": ([models.Sla.objectives], "Objective"),
    },
)


# The compiled read path (graphql_schema/compiled): the stored parts, built in SQL. What an
# objective answers (its value, status, budget, trend, window, samples, series) is computed
# by the metric code and stays with the resolvers.


def _service_of(sla: FromClause, _: Parameters) -> Rows:
    service = ServiceModel.__table__.alias()
    return Rows(service, service.c.id == sla.c.service_id)


def _objectives(sla: FromClause, _: Parameters) -> Rows:
    """`Sla.objectives`, the relationship's order: as given."""
    objective = models.Objective.__table__.alias()
    return Rows(
        objective,
        objective.c.sla_id == sla.c.id,
        order_by=(objective.c.position, objective.c.id),
    )


def _live_slas(service: FromClause, _: Parameters) -> Rows:
    """`Service.slas` (repository.slas_by_service_ids): live ones, by name."""
    sla = models.Sla.__table__.alias()
    return Rows(
        sla,
        (sla.c.service_id == service.c.id) & sla.c.archived_at.is_(None),
        order_by=(sla.c.name, sla.c.id),
    )


def _has_scope(objective: FromClause, _: Parameters) -> ColumnElement[bool]:
    """`from_model`'s `any(...)` of the scope columns: set and not empty."""
    columns = ("scope_severity", "scope_priority", "scope_request_kind")
    return or_(*(func.coalesce(objective.c[name], literal("")) != "" for name in columns))


declare_sql(
    "Sla",
    {
        "id": GlobalId("Sla"),
        "name": Column("name"),
        "description": Column("description"),
        "archivedAt": Column("archived_at"),
        "version": Column("version"),
        "createdAt": Column("created_at"),
        "updatedAt": Column("updated_at"),
        **REVIEW_SQL,
        "service": Relation("Service", _service_of),
        "objectives": Relation("Objective", _objectives, many=True),
    },
)
declare_sql(
    "Objective",
    {
        "id": GlobalId("Objective"),
        "metric": Column("metric"),
        "comparator": Column("comparator"),
        "target": Column("target"),
        "benchmark": Embedded(present=lambda row, _: row.c.benchmark_value.is_not(None)),
        "window": Embedded(),
        "scope": Embedded(present=_has_scope),
        "version": Column("version"),
    },
)
declare_sql("Benchmark", {"value": Column("benchmark_value"), "date": Column("benchmark_date")})
declare_sql("ObjectiveWindow", {"kind": Column("window_kind"), "days": Column("window_days")})
declare_sql(
    "ObjectiveScope",
    {
        "severity": Column("scope_severity"),
        "priority": Column("scope_priority"),
        "requestKind": Column("scope_request_kind"),
    },
)
# A field of `Service` (service_levels/fields.py), declared here beside the type it lists.
declare_sql("Service", {"slas": Relation("Sla", _live_slas, many=True)})
register_node("Sla", models.Sla, Sla.from_model)
register_node("Objective", models.Objective, Objective.from_model)
