"""Payloads of service and ownership role mutations: the object (null on failure) and
`userErrors`."""

from __future__ import annotations

import strawberry

from graphql_schema.catalog.services.types import OwnershipRole, Service
from graphql_schema.errors import UserError


@strawberry.type
class ServicePayload:
    service: Service | None
    user_errors: list[UserError]


@strawberry.type
class OwnershipRolePayload:
    ownership_role: OwnershipRole | None
    user_errors: list[UserError]
