"""Inputs of the provisioning mutations."""

from __future__ import annotations

import strawberry


@strawberry.input
class FreezeSalesforceUserInput:
    org_id: strawberry.ID = strawberry.field(description="The SalesforceOrg's global id.")
    salesforce_user_id: str = strawberry.field(description="The User's 15 or 18-character id.")
