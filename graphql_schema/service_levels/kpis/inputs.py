"""Inputs of `kpiSummary`."""

from __future__ import annotations

import strawberry

import graphql_schema.service_levels.enums  # noqa: F401  (registers the enums first)
from service_levels.models import WindowKind


@strawberry.input(description="A window to measure every objective over, instead of its own.")
class KpiWindowInput:
    kind: WindowKind
    days: int | None = strawberry.field(default=None, description="For ROLLING_DAYS, 1 to 366.")
