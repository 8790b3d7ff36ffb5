"""Inputs of measurement mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

import graphql_schema.service_levels.enums  # registers the shared enums first
import graphql_schema.service_levels.measurements.enums  # noqa: F401  (and this aggregate's)
from service_levels import measurement_import, models


@strawberry.input(
    description="One value of ADOPTION (0 to 1), COST or EFFICIENCY_GAIN (amounts, not"
    " negative) or CUSTOM, for a service at a moment (not in the future)."
)
class RecordMeasurementInput:
    metric: models.Metric
    service_id: strawberry.ID
    at: datetime
    value: float
    note: str | None = None
    details: JSON | None = strawberry.field(
        default=None, description="A JSON object: what the value is made of."
    )
    vendor_attributed: bool = strawberry.field(
        default=False,
        description="The value is down to Salesforce (a vendor outage's cost...): objectives"
        " leave it out of the team's figure and count it in the raw one.",
    )


@strawberry.input
class ImportMeasurementsInput:
    format: measurement_import.ImportFormat
    content: str = strawberry.field(
        description=f"At most {measurement_import.MAX_ROWS} rows; `service` is a slug or an id."
    )
