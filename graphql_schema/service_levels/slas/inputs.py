"""Inputs of SLA queries and mutations."""

from __future__ import annotations

from datetime import date

import strawberry

import graphql_schema.service_levels.enums  # registers the shared enums first
import graphql_schema.service_levels.slas.enums  # noqa: F401  (and this aggregate's)
from service_levels import models


@strawberry.input(description="A metric held to a target; ratios are fractions from 0 to 1.")
class ObjectiveInput:
    metric: models.Metric
    comparator: models.Comparator
    target: float
    window_kind: models.WindowKind
    window_days: int | None = None
    benchmark_value: float | None = None
    benchmark_date: date | None = None
    scope_severity: str | None = strawberry.field(default=None, description="SEV1..SEV4.")
    scope_priority: str | None = strawberry.field(default=None, description="P1..P4.")
    scope_request_kind: str | None = strawberry.field(default=None, description="ACCESS...")


@strawberry.input
class CreateSlaInput:
    service_id: strawberry.ID
    name: str
    description: str | None = None
    review_interval_days: int | None = None
    objectives: list[ObjectiveInput]


@strawberry.input
class UpdateSlaInput:
    id: strawberry.ID
    version: int
    name: str | None = None
    description: str | None = None
    review_interval_days: int | None = None
    objectives: list[ObjectiveInput] | None = strawberry.field(
        default=None, description="Replaces every objective when given."
    )


@strawberry.input
class SlaFilter:
    service_id: strawberry.ID | None = None
    include_archived: bool = False
