"""Inputs of the SLA event query."""

from __future__ import annotations

from datetime import datetime

import strawberry

import graphql_schema.service_levels.sla_events.enums  # noqa: F401  (registers the enums first)
from service_levels import models


@strawberry.input(description="Every given condition must hold.")
class SlaEventFilter:
    service_id: strawberry.ID | None = None
    sla_id: strawberry.ID | None = None
    objective_id: strawberry.ID | None = None
    kinds: list[models.SlaEventKind] | None = strawberry.field(
        default=None, description="Any of these kinds."
    )
    since: datetime | None = strawberry.field(default=None, description="Recorded at or after.")
    until: datetime | None = strawberry.field(default=None, description="Recorded before.")
