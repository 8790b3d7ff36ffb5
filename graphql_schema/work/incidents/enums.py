"""Enums of incidents, exposed to GraphQL once, before any type uses them."""

import strawberry

from work.incidents.models import IncidentSource, IncidentStatus, Severity

strawberry.enum(Severity, description="SEV1 (worst) to SEV4.")
strawberry.enum(IncidentSource, description="Where an incident was detected.")
strawberry.enum(IncidentStatus, description="Where an incident is: DETECTED to CLOSED.")
