"""The live Salesforce fields over GraphQL: batched per org and object, partial on failure."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import parse
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catalog.orgs.models import SalesforceOrg
from catalog.services.models import Service
from core.salesforce_settings import SalesforceOrgConfig
from core.settings import load_settings
from graphql_schema.access import access_error
from graphql_schema.node import global_id
from graphql_schema.schema import build_schema
from salesforce.fake import FakeOrg, FakeSalesforce
from server.app import create_app
from tests.builders.catalog import create_org, create_service
from tests.builders.identity import create_team
from tests.dev_token import DEV_TOKEN
from tests.graphql import data, gql
from tests.lifespan import developer_client

LIVE = """
query Live {
  services(first: 60, orderBy: { field: SLUG, direction: ASC }) {
    edges {
      node {
        slug
        salesforceCases { subject priority orgId }
        salesforceCaseSummary { open violated }
        salesforceIdeas { title votes }
      }
    }
  }
}
"""
ORG_LIVE = """
query OrgLive {
  salesforceOrgs(first: 10) {
    edges {
      node {
        name
        limits { dailyApiRequests { max remaining } apiUsage { used total } }
        adoption { activeUsers licensedUsers loginsLast30Days }
      }
    }
  }
}
"""
NODE = """
query One($id: ID!) {
  node(id: $id) { ... on Service { slug salesforceCaseSummary { open violated } } }
}
"""


@pytest.fixture
async def live_client(
    org_configs: dict[str, SalesforceOrgConfig],
    ca_bundle: Path,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx.AsyncClient]:
    settings = load_settings(
        database_url="postgresql://unused/unused",
        _env_file=None,
        salesforce_orgs=org_configs,
        salesforce_ca_bundle=ca_bundle,
        salesforce_timeout_s=1.0,
    )
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker, dev_token=DEV_TOKEN)
    async with developer_client(app) as client:
        yield client


async def _catalog(
    session: AsyncSession, crm: FakeOrg, partners: FakeOrg
) -> tuple[list[Service], list[Service]]:
    """50 services on the CRM org, 5 on the partners org, and one on an unconnected org."""
    crm_org = await create_org(session, org_id=crm.org_id, credentials_ref="crm")
    partner_org = await create_org(session, org_id=partners.org_id, credentials_ref="partners")
    offline: SalesforceOrg = await create_org(session, credentials_ref=None)
    team = await create_team(session)
    on_crm = [
        await create_service(session, slug=f"crm-{n:02d}", owner_team_id=team.id, orgs=[crm_org])
        for n in range(50)
    ]
    on_partners = [
        await create_service(
            session, slug=f"partner-{n}", owner_team_id=team.id, orgs=[partner_org]
        )
        for n in range(5)
    ]
    await create_service(session, slug="zz-offline", owner_team_id=team.id, orgs=[offline])
    return on_crm, on_partners


def _node(body: dict[str, Any], slug: str) -> dict[str, Any]:
    edges = body["services"]["edges"]
    found: dict[str, Any] = next(e["node"] for e in edges if e["node"]["slug"] == slug)
    return found


async def test_fifty_services_cost_one_soql_query_per_org_and_object(
    live_client: httpx.AsyncClient,
    session: AsyncSession,
    fake: FakeSalesforce,
    crm: FakeOrg,
    partners: FakeOrg,
) -> None:
    await _catalog(session, crm, partners)
    late = crm.add("Case", Subject="Quotes stuck", Service__c="crm-07", Priority="High")
    crm.add("CaseMilestone", CaseId=late["Id"], IsViolated=True, IsCompleted=False)
    partners.add("Idea", Title="Dark mode", Service__c="partner-1", VoteTotal=30)

    body = await data(live_client, LIVE)

    assert _node(body, "crm-07") == {
        "slug": "crm-07",
        "salesforceCases": [{"subject": "Quotes stuck", "priority": "High", "orgId": crm.org_id}],
        "salesforceCaseSummary": {"open": 1, "violated": 1},
        "salesforceIdeas": [],
    }
    assert _node(body, "partner-1")["salesforceIdeas"] == [{"title": "Dark mode", "votes": 30}]
    assert _node(body, "zz-offline")["salesforceCases"] is None
    assert fake.soql_by_object(crm) == {"Case": 1, "CaseMilestone": 1, "Idea": 1}
    assert fake.soql_by_object(partners) == {"Case": 1, "CaseMilestone": 1, "Idea": 1}


# Timed: verify mode would call the slow org twice within the request's one budget.
@pytest.mark.read_path("compiled")
async def test_a_slow_org_leaves_its_fields_null_with_an_error_within_the_deadline(
    live_client: httpx.AsyncClient,
    session: AsyncSession,
    crm: FakeOrg,
    partners: FakeOrg,
) -> None:
    await _catalog(session, crm, partners)
    crm.slow_s = 10

    started = time.monotonic()
    body = await gql(live_client, LIVE)
    elapsed = time.monotonic() - started

    assert 1.0 <= elapsed < 2.0
    assert _node(body["data"], "crm-00")["salesforceCases"] is None
    assert _node(body["data"], "partner-0")["salesforceCaseSummary"] == {"open": 0, "violated": 0}
    codes = {(e["extensions"]["code"], e["extensions"]["org"]) for e in body["errors"]}
    assert codes == {("SALESFORCE_UNAVAILABLE", crm.org_id)}
    assert body["errors"][0]["path"][:3] == ["services", "edges", 0]


async def test_an_org_out_of_api_calls_reports_limit_exceeded(
    live_client: httpx.AsyncClient,
    session: AsyncSession,
    crm: FakeOrg,
    partners: FakeOrg,
) -> None:
    await _catalog(session, crm, partners)
    partners.exhaust()

    body = await gql(live_client, LIVE)

    assert _node(body["data"], "partner-0")["salesforceIdeas"] is None
    assert _node(body["data"], "crm-00")["salesforceIdeas"] == []
    assert {e["extensions"]["code"] for e in body["errors"]} == {"SALESFORCE_LIMIT_EXCEEDED"}
    assert {e["extensions"]["org"] for e in body["errors"]} == {partners.org_id}


async def test_org_limits_and_adoption(
    live_client: httpx.AsyncClient, session: AsyncSession, crm: FakeOrg, partners: FakeOrg
) -> None:
    await _catalog(session, crm, partners)
    crm.add("UserLicense", Name="Salesforce", Status="Active", UsedLicenses=7)

    body = await data(live_client, ORG_LIVE)

    by_name = {edge["node"]["name"]: edge["node"] for edge in body["salesforceOrgs"]["edges"]}
    connected = [node for node in by_name.values() if node["limits"] is not None]
    assert len(connected) == 2
    crm_node = next(node for node in connected if node["adoption"]["licensedUsers"] == 7)
    assert crm_node["limits"]["dailyApiRequests"]["max"] == 15_000
    assert crm_node["limits"]["apiUsage"]["total"] == 15_000
    assert crm_node["adoption"] == {"activeUsers": 0, "licensedUsers": 7, "loginsLast30Days": 0}
    assert sum(1 for node in by_name.values() if node["adoption"] is None) == 1


async def test_a_service_reached_by_node_reads_its_orgs_first(
    live_client: httpx.AsyncClient, session: AsyncSession, crm: FakeOrg, partners: FakeOrg
) -> None:
    on_crm, _ = await _catalog(session, crm, partners)
    crm.add("Case", Subject="One", Service__c="crm-03")

    body = await data(live_client, NODE, {"id": global_id("Service", on_crm[3].id)})

    assert body["node"] == {"slug": "crm-03", "salesforceCaseSummary": {"open": 1, "violated": 0}}


@pytest.mark.parametrize(
    "field",
    [
        "services(first: 1) { edges { node { salesforceCases { subject } } } }",
        "services(first: 1) { edges { node { salesforceCaseSummary { open } } } }",
        "services(first: 1) { edges { node { salesforceIdeas { title } } } }",
        "salesforceOrgs(first: 1) { edges { node { limits { all { name } } } } }",
        "salesforceOrgs(first: 1) { edges { node { adoption { activeUsers } } } }",
    ],
)
def test_live_fields_are_not_public(field: str) -> None:
    schema = build_schema()._schema

    error = access_error(schema, parse("{ " + field + " }"), None)

    assert error is not None
    assert error.extensions == {"code": "UNAUTHENTICATED"}


def _sample(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return 0.0


async def test_the_calls_of_a_live_field_are_on_metrics_by_org_and_object(
    live_client: httpx.AsyncClient, session: AsyncSession, crm: FakeOrg, partners: FakeOrg
) -> None:
    await _catalog(session, crm, partners)
    before = (await live_client.get("/metrics")).text
    crm_cases = _sample(before, "salesforce_calls_total", org="crm", object="Case", outcome="ok")

    await data(live_client, LIVE)
    await data(live_client, ORG_LIVE)
    after = (await live_client.get("/metrics")).text

    # One query per org and object (the first test above): one Case query for the CRM org.
    assert _sample(after, "salesforce_calls_total", org="crm", object="Case", outcome="ok") == (
        crm_cases + 1
    )
    assert _sample(after, "salesforce_call_duration_seconds_count", org="crm", object="Case") >= 1
    assert _sample(after, "salesforce_breaker_state", org="crm", state="closed") == 1
    assert _sample(after, "salesforce_breaker_state", org="crm", state="opened") == 0
    # The limits read carried Sforce-Limit-Info: the budget is known once an org answered.
    assert _sample(after, "salesforce_api_daily_limit", org="crm") > 0
    assert (
        0
        < _sample(after, "salesforce_api_daily_remaining", org="crm")
        <= _sample(after, "salesforce_api_daily_limit", org="crm")
    )
