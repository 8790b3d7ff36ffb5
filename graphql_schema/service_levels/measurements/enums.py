"""Enums of measurements, exposed to GraphQL once, before any type uses them."""

import strawberry

from service_levels import measurement_import, models

strawberry.enum(models.MeasurementSource, description="Where a measurement came from.")
strawberry.enum(
    measurement_import.ImportFormat,
    name="MeasurementImportFormat",
    description="CSV with the header metric,service,at,value[,note], or a JSON list of"
    " objects with those keys.",
)
