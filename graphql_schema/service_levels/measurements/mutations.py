"""Mutations of measurements: record one, or import many from CSV or JSON."""

from __future__ import annotations

from typing import Any

import strawberry

from graphql_schema.context import Info
from graphql_schema.errors import UserError
from graphql_schema.mutation_runner import Arguments, CustomPayload, ObjectPayload, mutation
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
from identity.principal import Role
from service_levels import measurement_import, measurements, models


def _reading(input: RecordMeasurementInput) -> measurements.Reading:
    details: Any = input.details
    return measurements.Reading(
        metric=models.Metric(input.metric),
        at=input.at,
        value=input.value,
        note=input.note,
        details=details,
        vendor_attributed=input.vendor_attributed,
    )


# The recorded measurement as the payload's object; `_recorded` adds what the result says.
MEASUREMENT = ObjectPayload(RecordMeasurementPayload, "measurement", Measurement)


async def _recorded(
    info: Info,
    input: RecordMeasurementInput,
    result: measurements.Recorded | None,
    errors: list[UserError],
) -> RecordMeasurementPayload:
    measurement = await MEASUREMENT.node(info, result.measurement if result else None)
    return RecordMeasurementPayload(
        measurement=measurement,
        created=result.created if result and measurement else None,
        updated=result.updated if result and measurement else None,
        user_errors=errors,
    )


async def _imported(
    info: Info,
    input: ImportMeasurementsInput,
    summary: measurement_import.ImportSummary | None,
    errors: list[UserError],
) -> ImportMeasurementsPayload:
    return ImportMeasurementsPayload(
        created=summary.created if summary else None,
        updated=summary.updated if summary else None,
        unchanged=summary.unchanged if summary else None,
        user_errors=errors,
    )


@strawberry.type
class MeasurementMutation:
    @mutation(
        "Record a value the catalog cannot compute (the service's owner team, an"
        " ADMIN or a machine client with TEAM_MEMBER); the same (metric, service, at) again"
        " changes nothing, or replaces the value.",
        permission=Role.TEAM_MEMBER,
        action=measurements.record_measurement,
        payload=CustomPayload(RecordMeasurementPayload, _recorded),
        audited=lambda recorded: recorded.measurement,
    )
    def record_measurement(self, input: RecordMeasurementInput) -> Arguments:
        return {
            "service_id": decode_id(input.service_id, "Service", field="serviceId"),
            "given": _reading(input),
        }

    @mutation(
        "Import measurements from CSV or JSON: every row is stored, or none (each"
        " bad row is listed); rows repeating a stored value change nothing.",
        permission=Role.TEAM_MEMBER,
        action=measurement_import.import_measurements,
        payload=CustomPayload(ImportMeasurementsPayload, _imported),
    )
    def import_measurements(self, input: ImportMeasurementsInput) -> Arguments:
        return {
            "format": measurement_import.ImportFormat(input.format),
            "content": input.content,
        }
