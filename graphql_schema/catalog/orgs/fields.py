"""The live Salesforce fields of `Service`, which it inherits (`SalesforceOrg`'s: types.py).

Null when no org of the object is connected (in CATALOG_SALESFORCE_ORGS); null with a
`SALESFORCE_UNAVAILABLE` or `SALESFORCE_LIMIT_EXCEEDED` error naming the org when an org
fails. Signed-in callers only: none of these types is public (graphql_schema/access.py).
"""

from __future__ import annotations

import asyncio
from typing import Any

import strawberry
from sqlalchemy import inspect

from catalog.services import models
from graphql_schema.catalog.orgs import loaders as loaders
from graphql_schema.catalog.orgs.types import SalesforceCase, SalesforceCaseSummary, SalesforceIdea
from graphql_schema.context import Info
from graphql_schema.prefetch import register_relations

NULL_WHEN = " Null when none of the service's orgs is connected, or when one fails (see errors)."


async def _connected_refs(info: Info, service: models.Service) -> list[str]:
    gateway = info.context.salesforce
    if gateway is None:
        return []
    if "salesforce_orgs" in inspect(service).unloaded:  # reached without prefetch
        async with info.context.db() as session:
            await session.refresh(service, ["salesforce_orgs"])
    refs = [org.credentials_ref for org in service.salesforce_orgs]
    return [ref for ref in dict.fromkeys(refs) if ref is not None and gateway.connected(ref)]


@strawberry.type
class ServiceSalesforceFields:
    model: strawberry.Private[Any]

    @strawberry.field(description="Open Cases naming this service, newest first." + NULL_WHEN)
    async def salesforce_cases(self, info: Info) -> list[SalesforceCase] | None:
        refs = await _connected_refs(info, self.model)
        found = await loaders.per_org(
            info.context.loaders.salesforce_cases, refs, self.model.salesforce_key
        )
        if found is None:
            return None
        gateway = info.context.salesforce
        assert gateway is not None
        cases = [
            SalesforceCase.from_record(gateway.org_id(ref), case)
            for ref, records in found
            for case in records
        ]
        return sorted(cases, key=lambda case: case.created_at or case.url, reverse=True)

    @strawberry.field(description="Open Cases and milestone violations." + NULL_WHEN)
    async def salesforce_case_summary(self, info: Info) -> SalesforceCaseSummary | None:
        refs = await _connected_refs(info, self.model)
        key = self.model.salesforce_key
        cases, violated = await asyncio.gather(
            loaders.per_org(info.context.loaders.salesforce_cases, refs, key),
            loaders.per_org(info.context.loaders.salesforce_violated_case_ids, refs, key),
        )
        if cases is None or violated is None:
            return None
        return SalesforceCaseSummary(
            open=sum(len(records) for _, records in cases),
            violated=sum(len(ids) for _, ids in violated),
        )

    @strawberry.field(description="Ideas naming this service, most voted first." + NULL_WHEN)
    async def salesforce_ideas(self, info: Info) -> list[SalesforceIdea] | None:
        refs = await _connected_refs(info, self.model)
        found = await loaders.per_org(
            info.context.loaders.salesforce_ideas, refs, self.model.salesforce_key
        )
        if found is None:
            return None
        gateway = info.context.salesforce
        assert gateway is not None
        ideas = [
            SalesforceIdea.from_record(gateway.org_id(ref), idea)
            for ref, records in found
            for idea in records
        ]
        return sorted(ideas, key=lambda idea: idea.votes, reverse=True)


_SERVICE_ORGS = [models.Service.salesforce_orgs]
register_relations(
    "Service",
    {
        "salesforceCases": (_SERVICE_ORGS, "SalesforceCase"),
        "salesforceCaseSummary": (_SERVICE_ORGS, "SalesforceCaseSummary"),
        "salesforceIdeas": (_SERVICE_ORGS, "SalesforceIdea"),
    },
)
