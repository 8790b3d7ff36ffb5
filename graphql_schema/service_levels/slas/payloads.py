"""Payloads of SLA mutations: the SLA (null on failure) and `userErrors`."""

from __future__ import annotations

import strawberry

from graphql_schema.errors import UserError
from graphql_schema.service_levels.slas.types import Sla


@strawberry.type
class SlaPayload:
    sla: Sla | None
    user_errors: list[UserError]
