"""Inputs of `updateClockPolicy`."""

from __future__ import annotations

import strawberry

import graphql_schema.service_levels.clocks.enums  # noqa: F401  (registers the enums first)
from service_levels.policy_defaults import ClockSubject


@strawberry.input(description="New targets for one subject; both null returns it to default.")
class ClockTargetInput:
    subject: ClockSubject
    response_seconds: int | None = None
    resolution_seconds: int | None = None


@strawberry.input
class UpdateClockPolicyInput:
    service_id: strawberry.ID
    version: int | None = strawberry.field(
        default=None, description="The policy's version read (0 when it had none of its own)."
    )
    targets: list[ClockTargetInput]
