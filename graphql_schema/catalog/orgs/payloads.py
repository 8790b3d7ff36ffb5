"""Payloads of the Salesforce org mutations: the org (null on failure) and `userErrors`."""

from __future__ import annotations

import strawberry

from graphql_schema.catalog.orgs.types import SalesforceOrg
from graphql_schema.errors import UserError


@strawberry.type
class SalesforceOrgPayload:
    salesforce_org: SalesforceOrg | None
    user_errors: list[UserError]
