"""Payloads of the provisioning mutations: the user (null on failure) and `userErrors`."""

from __future__ import annotations

import strawberry

from graphql_schema.catalog.org_users.types import SalesforceOrgUser
from graphql_schema.errors import UserError


@strawberry.type
class FreezeSalesforceUserPayload:
    salesforce_user: SalesforceOrgUser | None
    user_errors: list[UserError]
