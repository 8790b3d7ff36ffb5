"""Inputs of the clock event query."""

from __future__ import annotations

from datetime import datetime

import strawberry

import graphql_schema.service_levels.clock_events.enums  # noqa: F401  (registers the enums first)
from service_levels import models


@strawberry.input(description="Every given condition must hold.")
class ClockEventFilter:
    service_id: strawberry.ID | None = None
    subject_kind: models.ClockSubjectKind | None = None
    thresholds: list[models.ClockThreshold] | None = strawberry.field(
        default=None, description="Any of these thresholds."
    )
    since: datetime | None = strawberry.field(default=None, description="Recorded at or after.")
    until: datetime | None = strawberry.field(default=None, description="Recorded before.")
