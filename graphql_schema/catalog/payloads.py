"""Payloads of the catalog's mutations: the object (null on failure) and `userErrors`."""

from __future__ import annotations

import strawberry

from graphql_schema.catalog.types import OwnershipRole, SalesforceOrg, Service
from graphql_schema.errors import UserError


@strawberry.type
class ServicePayload:
    service: Service | None
    user_errors: list[UserError]


@strawberry.type
class OwnershipRolePayload:
    ownership_role: OwnershipRole | None
    user_errors: list[UserError]


@strawberry.type
class SalesforceOrgPayload:
    salesforce_org: SalesforceOrg | None
    user_errors: list[UserError]
