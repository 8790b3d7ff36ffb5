"""Enums of SLA clocks and their policies, exposed to GraphQL once, before any type uses them."""

import strawberry

from service_levels.clock import Phase
from service_levels.policy_defaults import ClockSubject

strawberry.enum(Phase, name="ClockPhase", description="Whether an SLA clock counts.")
strawberry.enum(ClockSubject, description="A request priority (P1..P4) or incident severity.")
