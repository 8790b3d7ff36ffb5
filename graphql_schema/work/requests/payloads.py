"""Payloads of service request mutations."""

from __future__ import annotations

import strawberry

from graphql_schema.errors import UserError
from graphql_schema.work.requests.types import ServiceRequest


@strawberry.type
class ServiceRequestPayload:
    service_request: ServiceRequest | None
    user_errors: list[UserError]
