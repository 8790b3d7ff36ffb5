"""Queries of Salesforce orgs."""

from __future__ import annotations

import strawberry

from catalog.orgs import models as org_models
from catalog.orgs import repository as org_repository
from core.pagination import KeysetOrder, PageRequest
from graphql_schema.catalog.orgs.types import SalesforceOrg
from graphql_schema.connection import Connection, paged, paginate
from graphql_schema.context import Info


@strawberry.type
class SalesforceOrgQuery:
    @strawberry.field(description="Salesforce orgs, by name; archived ones only when asked.")
    @paged
    async def salesforce_orgs(
        self,
        info: Info,
        include_archived: bool = False,
        *,
        page: PageRequest,
    ) -> Connection[SalesforceOrg]:
        return await paginate(
            info,
            org_repository.orgs_query(include_archived=include_archived),
            type_name="SalesforceOrg",
            convert=SalesforceOrg.from_model,
            order=KeysetOrder(
                org_models.SalesforceOrg.name, org_models.SalesforceOrg.id, name="NAME"
            ),
            request=page,
            fingerprint_parts=[include_archived],
        )
