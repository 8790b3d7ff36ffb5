"""Mutations of measurements: record one, or import many from CSV or JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.scalars import JSON

from graphql_schema.access import requires
from graphql_schema.context import Info
from graphql_schema.errors import UserError
from graphql_schema.mutation import payload_object, run_mutation
from graphql_schema.node import decode_id
from graphql_schema.service_levels.measurement_types import Measurement
from identity.principal import Principal, Role
from service_levels import measurement_import, measurements, models

strawberry.enum(
    measurement_import.ImportFormat,
    name="MeasurementImportFormat",
    description="CSV with the header metric,service,at,value[,note], or a JSON list of"
    " objects with those keys.",
)


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


@strawberry.input
class ImportMeasurementsInput:
    format: measurement_import.ImportFormat
    content: str = strawberry.field(
        description=f"At most {measurement_import.MAX_ROWS} rows; `service` is a slug or an id."
    )


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


def _reading(input: RecordMeasurementInput) -> measurements.Reading:
    details: Any = input.details
    return measurements.Reading(
        metric=models.Metric(input.metric),
        at=input.at,
        value=input.value,
        note=input.note,
        details=details,
    )


@strawberry.type
class MeasurementMutation:
    @strawberry.mutation(
        description="Record a value the catalog cannot compute (the service's owner team, an"
        " ADMIN or a machine client with TEAM_MEMBER); the same (metric, service, at) again"
        " changes nothing, or replaces the value.",
        metadata=requires(Role.TEAM_MEMBER),
    )
    async def record_measurement(
        self, info: Info, input: RecordMeasurementInput
    ) -> RecordMeasurementPayload:
        outcome: list[measurements.Recorded] = []

        async def action(session: AsyncSession, principal: Principal) -> models.Measurement:
            recorded = await measurements.record_measurement(
                session,
                principal=principal,
                service_id=decode_id(input.service_id, "Service", field="serviceId"),
                given=_reading(input),
            )
            outcome.append(recorded)
            return recorded.measurement

        stored, errors = await run_mutation(info, action)
        measurement = await payload_object(
            info,
            stored,
            field="measurement",
            type_name="Measurement",
            convert=Measurement.from_model,
        )
        return RecordMeasurementPayload(
            measurement=measurement,
            created=outcome[0].created if measurement else None,
            updated=outcome[0].updated if measurement else None,
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Import measurements from CSV or JSON: every row is stored, or none (each"
        " bad row is listed); rows repeating a stored value change nothing.",
        metadata=requires(Role.TEAM_MEMBER),
    )
    async def import_measurements(
        self, info: Info, input: ImportMeasurementsInput
    ) -> ImportMeasurementsPayload:
        async def action(
            session: AsyncSession, principal: Principal
        ) -> measurement_import.ImportSummary:
            return await measurement_import.import_measurements(
                session,
                principal=principal,
                format=measurement_import.ImportFormat(input.format),
                content=input.content,
            )

        summary, errors = await run_mutation(info, action)
        return ImportMeasurementsPayload(
            created=summary.created if summary else None,
            updated=summary.updated if summary else None,
            unchanged=summary.unchanged if summary else None,
            user_errors=errors,
        )
