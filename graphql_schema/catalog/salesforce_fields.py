"""The live Salesforce fields of `Service` and `SalesforceOrg`, inherited by both types.

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
from graphql_schema.catalog import salesforce_loaders as loaders
from graphql_schema.catalog.salesforce_types import (
    SalesforceAdoption,
    SalesforceApiUsage,
    SalesforceCase,
    SalesforceCaseSummary,
    SalesforceIdea,
    SalesforceLimit,
    SalesforceLimits,
)
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


async def _per_org(
    info: Info, name: str, read: loaders.BatchRead, refs: list[str], key: str
) -> list[tuple[str, Any]] | None:
    """What each connected org answered for `key`; the first org's failure is raised."""
    loader = loaders.org_loader(info.context, name, read)
    if loader is None or not refs:
        return None
    answers = await asyncio.gather(
        *(loader.load((ref, key)) for ref in refs), return_exceptions=True
    )
    for answer in answers:
        if isinstance(answer, BaseException):
            raise answer
    return list(zip(refs, answers, strict=True))


@strawberry.type
class ServiceSalesforceFields:
    model: strawberry.Private[Any]

    @strawberry.field(description="Open Cases naming this service, newest first." + NULL_WHEN)
    async def salesforce_cases(self, info: Info) -> list[SalesforceCase] | None:
        refs = await _connected_refs(info, self.model)
        found = await _per_org(info, "cases", loaders.open_cases, refs, self.model.salesforce_key)
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
            _per_org(info, "cases", loaders.open_cases, refs, key),
            _per_org(info, "violated", loaders.violated_case_ids, refs, key),
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
        found = await _per_org(info, "ideas", loaders.ideas, refs, self.model.salesforce_key)
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


def _org_ref(info: Info, model: Any) -> list[str]:
    gateway = info.context.salesforce
    ref = model.credentials_ref
    return [ref] if gateway is not None and gateway.connected(ref) else []


ORG_NULL_WHEN = " Null when the org is not connected, or fails (see errors)."


@strawberry.type
class SalesforceOrgLiveFields:
    model: strawberry.Private[Any]

    @strawberry.field(description="The org's limits, read live." + ORG_NULL_WHEN)
    async def limits(self, info: Info) -> SalesforceLimits | None:
        refs = _org_ref(info, self.model)
        found = await _per_org(info, "limits", loaders.limits, refs, "")
        gateway = info.context.salesforce
        if found is None or gateway is None:
            return None
        usage = gateway.api_usage(refs[0])
        return SalesforceLimits(
            all=[SalesforceLimit.from_record(limit) for limit in found[0][1]],
            api_usage=SalesforceApiUsage.from_value(usage) if usage else None,
        )

    @strawberry.field(description="Users, licences and logins, read live." + ORG_NULL_WHEN)
    async def adoption(self, info: Info) -> SalesforceAdoption | None:
        found = await _per_org(info, "adoption", loaders.adoption, _org_ref(info, self.model), "")
        return SalesforceAdoption.from_value(found[0][1]) if found else None


_SERVICE_ORGS = [models.Service.salesforce_orgs]
register_relations(
    "Service",
    {
        "salesforceCases": (_SERVICE_ORGS, "SalesforceCase"),
        "salesforceCaseSummary": (_SERVICE_ORGS, "SalesforceCaseSummary"),
        "salesforceIdeas": (_SERVICE_ORGS, "SalesforceIdea"),
    },
)
