"""Mutations of measurements: record one, or import many from CSV or JSON."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.access import requires
from graphql_schema.context import Info
from graphql_schema.mutation_runner import payload_object, run_mutation
from graphql_schema.node import decode_id
from graphql_schema.service_levels.measurements.inputs import (
    ImportMeasurementsInput,
    RecordMeasurementInput,
)
from graphql_schema.service_levels.measurements.payloads import (
    ImportMeasurementsPayload,
    RecordMeasurementPayload,
)
from graphql_schema.service_levels.measurements.types import Measurement
from identity.principal import Principal, Role
from service_levels import measurement_import, measurements, models


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
