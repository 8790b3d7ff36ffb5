"""Measurements as GraphQL sees them, and the connection `Service.measurements` returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

import graphql_schema.service_levels.enums  # registers the shared enums first
import graphql_schema.service_levels.measurements.enums  # noqa: F401  (and this aggregate's)
from graphql_schema.catalog.services.types import Service
from graphql_schema.connection import Edge, PageInfo
from graphql_schema.context import Info
from graphql_schema.history import Versioned
from graphql_schema.node import Node, global_id, register_node
from graphql_schema.prefetch import register_relations
from service_levels import models

# For `Service.measurements(metric:)`, which names it lazily: the enum is made in ../enums.py.
Metric = models.Metric


@strawberry.type(
    description="A value the catalog cannot compute, recorded for a service at a moment:"
    " ADOPTION a fraction from 0 to 1, COST and EFFICIENCY_GAIN amounts in CATALOG_CURRENCY,"
    " CUSTOM any number. One per (metric, service, at)."
)
class Measurement(Node, Versioned):
    id: strawberry.ID
    metric: models.Metric
    at: datetime
    value: float
    source: models.MeasurementSource
    note: str
    recorded_by: str | None = strawberry.field(
        description="Who recorded it: `person:<id>`, `client:<id>@<issuer>` or a job."
    )
    details: JSON = strawberry.field(
        description="What the value is made of, e.g. activeUsers and licensedUsers."
    )
    vendor_attributed: bool = strawberry.field(
        description="Down to Salesforce: left out of the team's figure, counted in the raw one."
    )
    version: int = strawberry.field(
        description="1 when first recorded; each re-recording with another value adds one"
        " (`history` keeps the values it replaced)."
    )
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.Measurement]

    @classmethod
    def from_model(cls, measurement: models.Measurement) -> Measurement:
        return cls(
            id=global_id("Measurement", measurement.id),
            metric=measurement.metric,
            at=measurement.at,
            value=measurement.value,
            source=measurement.source,
            note=measurement.note,
            recorded_by=measurement.recorded_by,
            details=JSON(measurement.details),
            vendor_attributed=measurement.vendor_attributed,
            version=measurement.version,
            created_at=measurement.created_at,
            updated_at=measurement.updated_at,
            model=measurement,
        )

    @strawberry.field
    def service(self) -> Service:
        return Service.from_model(self.model.service)


@strawberry.type(description="A page of a service's measurements, oldest first.")
class MeasurementConnection:
    edges: list[Edge[Measurement]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[Info], Awaitable[int]]]

    @strawberry.field(description="Counted only when selected, for every service at once.")
    async def total_count(self, info: Info) -> int:
        return await self.count(info)

    @strawberry.field(description="The nodes of the edges, for clients that need no cursors.")
    def nodes(self) -> list[Measurement]:
        return [edge.node for edge in self.edges]


register_relations("Measurement", {"service": ([models.Measurement.service], "Service")})
register_node("Measurement", models.Measurement, Measurement.from_model)
