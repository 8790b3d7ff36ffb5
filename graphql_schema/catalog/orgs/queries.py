"""Queries of Salesforce orgs."""

from __future__ import annotations

import strawberry

from catalog.orgs import models as org_models
from catalog.orgs import repository as org_repository
from core.pagination import KeysetOrder, PageRequest
from graphql_schema.catalog.orgs.types import SalesforceOrg
from graphql_schema.compiled.declarations import PageSource, RootPage, declare_root
from graphql_schema.connection import Connection, paged, paginate_source
from graphql_schema.context import Info


def salesforce_orgs_page(include_archived: bool = False) -> PageSource:
    return PageSource(
        org_repository.orgs_query(include_archived=include_archived),
        KeysetOrder(org_models.SalesforceOrg.name, org_models.SalesforceOrg.id, name="NAME"),
        "SalesforceOrg",
        SalesforceOrg.from_model,
        [include_archived],
    )


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
        return await paginate_source(info, salesforce_orgs_page(include_archived), page)


declare_root("salesforceOrgs", RootPage(salesforce_orgs_page))
