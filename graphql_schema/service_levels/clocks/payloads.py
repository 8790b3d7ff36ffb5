"""Payloads of `updateClockPolicy`: the policy (null on failure) and `userErrors`."""

from __future__ import annotations

import strawberry

from graphql_schema.errors import UserError
from graphql_schema.service_levels.clocks.types import ClockPolicy


@strawberry.type
class ClockPolicyPayload:
    clock_policy: ClockPolicy | None
    user_errors: list[UserError]
