"""The Trust fields of `SalesforceOrg`, kept out of catalog/orgs/types.py: it inherits them."""

from __future__ import annotations

from typing import Any

import strawberry

from graphql_schema.catalog.trust.types import VendorIncident
from graphql_schema.context import Info


@strawberry.type
class SalesforceOrgTrustFields:
    model: strawberry.Private[Any]

    @strawberry.field(
        description="The Trust incidents of the org's instance (instanceKey), newest first (at"
        " most 50), as the last `salesforce-trust-incidents` sync read them; empty without an"
        " instance key."
    )
    async def vendor_incidents(self, info: Info) -> list[VendorIncident]:
        rows = await info.context.loaders.vendor_incidents_by_org_id.load(self.model.id)
        return [VendorIncident.from_model(row) for row in rows or []]
