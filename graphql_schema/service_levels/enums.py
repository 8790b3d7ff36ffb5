"""The service-level enums every aggregate reads (SLAs, KPIs, measurements), exposed once."""

import strawberry

from service_levels import models
from service_levels.objectives import Status
from service_levels.windows import Bucket

strawberry.enum(models.Metric, description="What an objective measures.")
strawberry.enum(models.WindowKind, description="The window an objective is measured over.")
strawberry.enum(Status, name="ObjectiveStatus", description="How an objective stands now.")
strawberry.enum(Bucket, name="SeriesBucket", description="Local days, ISO weeks or months.")
