"""Enums of clock events, exposed to GraphQL once, before any type uses them."""

import strawberry

from service_levels import models
from service_levels.clock import ClockKind

strawberry.enum(ClockKind, description="An SLA clock: RESPONSE (acknowledge) or RESOLUTION.")
strawberry.enum(models.ClockSubjectKind, description="What an SLA clock runs on.")
strawberry.enum(models.ClockThreshold, description="A point an SLA clock passes.")
