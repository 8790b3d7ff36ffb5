"""The Salesforce org enums, exposed to GraphQL once, before any type uses them."""

import strawberry

from catalog.orgs.models import OrgKind

strawberry.enum(OrgKind, name="SalesforceOrgKind", description="Production, sandbox or scratch.")
