"""Payloads of measurement mutations."""

from __future__ import annotations

import strawberry

from graphql_schema.errors import UserError
from graphql_schema.service_levels.measurements.types import Measurement


@strawberry.type
class RecordMeasurementPayload:
    measurement: Measurement | None
    created: bool | None = strawberry.field(description="True when no value was stored yet.")
    updated: bool | None = strawberry.field(
        description="True when another value was stored and this one replaced it."
    )
    user_errors: list[UserError]


@strawberry.type(description="How many rows were new, changed a stored value, or repeated it.")
class ImportMeasurementsPayload:
    created: int | None
    updated: int | None
    unchanged: int | None
    user_errors: list[UserError]
