"""Event Monitoring over GraphQL, through the real app with callers signed by a test issuer:
the footprint (edited, audited, versioned), adoption per service, sensitive-data access for
the owner team and ADMIN only, FEATURE_UNAVAILABLE for an org without the licence."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catalog.event_monitoring.sync import sync_event_logs
from catalog.org_users.models import SalesforceOrgUser
from catalog.orgs.models import SalesforceOrg
from catalog.services.models import DataClassification, Service
from core.salesforce_settings import SalesforceOrgConfig
from core.settings import ReadPath
from graphql_schema.node import global_id
from identity.audit import AuditEvent
from salesforce.fake import FakeOrg
from salesforce.fake.event_logs import add_log_file, add_login, rows_file
from salesforce.gateway import SalesforceGateway
from tests.builders.catalog import create_org, create_service
from tests.builders.identity import create_person, create_team
from tests.conftest import StatementCounter
from tests.graphql_schema.desk import Desk, desk_client, desk_settings
from tests.identity.idp import TestIssuer
from tests.salesforce.event_logs import ANA, NOW, TERMS, at, export, history

EVENT_MONITORING = """
query Usage($id: ID!, $window: DayWindowInput) {
  node(id: $id) {
    ... on Service {
      slug
      salesforceFootprint { apps objects permissionSets }
      adoption(window: $window) { firstDay lastDay activeUsers sessions days { day activeUsers } }
      sensitiveDataAccess(window: $window, first: 5) {
        edges {
          node {
            user username person { displayName } object action rows sourceIp country countryIso
            eventType anomaly org { name }
          }
        }
      }
    }
  }
}
"""
ADOPTION_ONLY = """
query Adoption($id: ID!) {
  node(id: $id) { ... on Service { slug adoption { activeUsers } } }
}
"""
UPDATE = """
mutation Footprint($input: UpdateSalesforceFootprintInput!) {
  updateSalesforceFootprint(input: $input) {
    service { version salesforceFootprint { apps objects permissionSets } }
    userErrors { field message code }
  }
}
"""
HISTORY = """
query History($id: ID!) {
  node(id: $id) { ... on Service { history(first: 5) { edges { node {
    version action changes { field from to }
  } } } } }
}
"""
FOOTPRINTS = """
query Footprints {
  services(first: 5) { edges { node { slug salesforceFootprint { apps objects permissionSets } } } }
}
"""
WINDOW = {"from": "2026-11-20", "to": "2026-12-05"}


@pytest.fixture
async def desk(
    issuer: TestIssuer,
    org_configs: dict[str, SalesforceOrgConfig],
    ca_bundle: Path,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[Desk]:
    settings = desk_settings(
        issuer,
        salesforce_orgs=org_configs,
        salesforce_ca_bundle=ca_bundle,
        salesforce_timeout_s=1.0,
        read_path=ReadPath.VERIFY,  # the compiled path must answer as the resolvers do
    )
    async with desk_client(issuer, engine, sessionmaker, settings) as desk:
        yield desk


async def _sales(session: AsyncSession, crm: FakeOrg, **overrides: Any) -> Service:
    org = await create_org(session, org_id=crm.org_id, name="Global CRM", credentials_ref="crm")
    return await create_service(
        session,
        slug="opportunities",
        orgs=[org],
        salesforce_apps=["Sales"],
        salesforce_objects=["Opportunity"],
        data_classification=DataClassification.CONFIDENTIAL,
        **overrides,
    )


async def _sync(session: AsyncSession, gateway: SalesforceGateway) -> None:
    await sync_event_logs(session, gateway=gateway, now=NOW, terms=TERMS)


async def test_the_owner_team_sees_adoption_and_the_flagged_export_others_only_adoption(
    desk: Desk, session: AsyncSession, crm: FakeOrg, gateway: SalesforceGateway
) -> None:
    service = await _sales(session, crm)
    history(crm, 14)
    add_login(crm, ANA, at(14, 9, 55), source_ip="200.160.2.3", country="Brazil", country_iso="BR")
    add_log_file(
        crm, "ReportExport", at(14, 0), rows_file("ReportExport", [export(48_000, "200.160.2.3")])
    )
    await _sync(session, gateway)
    ana = await create_person(session, display_name="Ana")
    org_id = await session.scalar(select(SalesforceOrg.id))
    session.add(
        SalesforceOrgUser(
            salesforce_org_id=org_id, salesforce_user_id=ANA,
            username="ana@acme.example.crm", is_active=True, is_frozen=False, person_id=ana.id,
            synced_at=NOW,
        )
    )  # fmt: skip
    await session.flush()
    owner = await desk.person(session, teams=[service.owner_team_id])
    outsider = await desk.person(session, teams=[(await create_team(session)).id])
    variables = {"id": global_id("Service", service.id), "window": WINDOW}

    seen = await owner.gql(EVENT_MONITORING, variables)
    refused = await outsider.gql(EVENT_MONITORING, variables)

    assert "errors" not in seen, seen
    node = seen["data"]["node"]
    assert node["salesforceFootprint"] == {
        "apps": ["Sales"],
        "objects": ["Opportunity"],
        "permissionSets": [],
    }
    assert {k: v for k, v in node["adoption"].items() if k != "days"} == {
        "firstDay": "2026-11-20",
        "lastDay": "2026-12-05",
        "activeUsers": 1,
        "sessions": 15,
    }
    assert node["adoption"]["days"][0] == {"day": "2026-11-20", "activeUsers": 1}
    assert node["sensitiveDataAccess"]["edges"] == [
        {
            "node": {
                "user": ANA,
                "username": "ana@acme.example.crm",
                "person": {"displayName": "Ana"},
                "object": "Opportunity",
                "action": "EXPORT",
                "rows": 48_000,
                "sourceIp": "200.160.2.3",
                "country": "Brazil",
                "countryIso": "BR",
                "eventType": "ReportExport",
                "anomaly": ["LARGE_EXPORT", "NEW_COUNTRY", "NEW_IP_RANGE"],
                "org": {"name": "Global CRM"},
            }
        }
    ]
    reads = await session.scalars(select(AuditEvent).where(AuditEvent.action == "READ_SENSITIVE"))
    assert [event.details for event in reads] == [
        {"Service.sensitiveDataAccess": [str(service.id)]}
    ]
    assert refused["data"]["node"]["sensitiveDataAccess"] is None
    assert refused["data"]["node"]["adoption"]["activeUsers"] == 1
    assert [(e["path"], e["extensions"]["code"]) for e in refused["errors"]] == [
        (["node", "sensitiveDataAccess"], "FORBIDDEN")
    ]


async def test_an_org_without_event_monitoring_answers_feature_unavailable_on_its_fields(
    desk: Desk, session: AsyncSession, crm: FakeOrg, gateway: SalesforceGateway
) -> None:
    crm.event_monitoring = False
    service = await _sales(session, crm)
    await _sync(session, gateway)
    owner = await desk.person(session, teams=[service.owner_team_id])

    body = await owner.gql(EVENT_MONITORING, {"id": global_id("Service", service.id)})

    assert body["data"]["node"]["slug"] == "opportunities"
    assert body["data"]["node"]["salesforceFootprint"]["apps"] == ["Sales"]
    assert body["data"]["node"]["adoption"] is None
    assert body["data"]["node"]["sensitiveDataAccess"] is None
    assert sorted((e["path"][-1], e["extensions"]["code"], e["extensions"]["org"])
                  for e in body["errors"]) == [
        ("adoption", "FEATURE_UNAVAILABLE", crm.org_id),
        ("sensitiveDataAccess", "FEATURE_UNAVAILABLE", crm.org_id),
    ]  # fmt: skip


async def test_a_window_backwards_or_over_a_year_is_refused(
    desk: Desk, session: AsyncSession, crm: FakeOrg
) -> None:
    service = await _sales(session, crm)
    owner = await desk.person(session, teams=[service.owner_team_id])
    answers = []
    for window in (
        {"from": "2026-12-05", "to": "2026-12-01"},
        {"from": "2025-01-01", "to": "2026-12-01"},
    ):
        body = await owner.gql(
            EVENT_MONITORING, {"id": global_id("Service", service.id), "window": window}
        )
        answers.append(sorted((e["extensions"]["code"], e["message"]) for e in body["errors"]))

    assert answers == [
        [("BAD_USER_INPUT", "window: `to` is before `from`")] * 2,
        [("BAD_USER_INPUT", "window: at most 366 days")] * 2,
    ]


async def test_the_footprint_is_edited_by_its_owner_team_versioned_and_bad_names_refused(
    desk: Desk, session: AsyncSession, crm: FakeOrg
) -> None:
    service = await _sales(session, crm)
    owner = await desk.person(session, teams=[service.owner_team_id])
    outsider = await desk.person(session, teams=[(await create_team(session)).id])
    service_id = global_id("Service", service.id)

    def update(version: int, **lists: list[str]) -> dict[str, Any]:
        return {"input": {"serviceId": service_id, "version": version, **lists}}

    changed = await owner.gql(UPDATE, update(1, objects=["Opportunity", "Quote", "quote"],
                                              permissionSets=["Sales_Ops"]))  # fmt: skip
    bad = await owner.gql(UPDATE, update(2, apps=["Sales", "not an api name"]))
    stale = await owner.gql(UPDATE, update(1, apps=[]))
    null = await owner.gql(UPDATE, update(2, apps=None))  # type: ignore[arg-type]
    foreign = await outsider.gql(UPDATE, update(2, apps=[]))
    versions = await owner.gql(HISTORY, {"id": service_id})

    assert changed["data"]["updateSalesforceFootprint"] == {
        "service": {
            "version": 2,
            "salesforceFootprint": {
                "apps": ["Sales"],
                "objects": ["Opportunity", "Quote"],
                "permissionSets": ["Sales_Ops"],
            },
        },
        "userErrors": [],
    }
    assert bad["data"]["updateSalesforceFootprint"] == {
        "service": None,
        "userErrors": [
            {
                "field": ["apps", "1"],
                "message": "'not an api name' is not a Salesforce API name",
                "code": "INVALID",
            }
        ],
    }
    assert stale["data"]["updateSalesforceFootprint"]["userErrors"][0]["code"] == "CONFLICT"
    assert null["data"]["updateSalesforceFootprint"]["userErrors"] == [
        {"field": ["apps"], "message": "apps cannot be null", "code": "REQUIRED"}
    ]
    assert foreign["data"] is None
    assert foreign["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    latest = versions["data"]["node"]["history"]["edges"][0]["node"]
    assert (latest["version"], latest["action"]) == (2, "UPDATE")
    assert sorted(change["field"] for change in latest["changes"]) == [
        "salesforceObjects",
        "salesforcePermissionSets",
    ]


async def test_footprints_of_a_service_list_come_from_its_stored_columns(
    desk: Desk, session: AsyncSession, crm: FakeOrg
) -> None:
    service = await _sales(session, crm, salesforce_permission_sets=["Sales_Ops"])
    viewer = await desk.person(session)

    body = await viewer.gql(FOOTPRINTS)

    assert body == {
        "data": {
            "services": {
                "edges": [
                    {
                        "node": {
                            "slug": service.slug,
                            "salesforceFootprint": {
                                "apps": ["Sales"],
                                "objects": ["Opportunity"],
                                "permissionSets": ["Sales_Ops"],
                            },
                        }
                    }
                ]
            }
        }
    }


ADOPTION_OF_MANY = """
query Many {
  services(first: 20) {
    edges { node { slug adoption(window: {from: "2026-11-20", to: "2026-12-05"}) { activeUsers } } }
  }
}
"""


async def test_adoption_of_a_list_of_services_costs_the_same_statements_for_two_or_twelve(
    desk: Desk,
    session: AsyncSession,
    crm: FakeOrg,
    gateway: SalesforceGateway,
    count_statements: StatementCounter,
) -> None:
    service = await _sales(session, crm)
    history(crm, 2)
    await _sync(session, gateway)
    org = await session.scalar(select(SalesforceOrg).where(SalesforceOrg.org_id == crm.org_id))
    assert org is not None
    await create_service(session, orgs=[org], salesforce_objects=["Case"])
    viewer = await desk.person(session, teams=[service.owner_team_id])
    await viewer.gql(ADOPTION_OF_MANY)  # warm: the caller's person, caches

    count_statements.reset()
    two = await viewer.gql(ADOPTION_OF_MANY)
    few = count_statements.count
    for _ in range(10):
        await create_service(session, orgs=[org], salesforce_objects=["Lead"])
    count_statements.reset()
    twelve = await viewer.gql(ADOPTION_OF_MANY)

    assert count_statements.count == few
    assert len(twelve["data"]["services"]["edges"]) == 12
    users = {edge["node"]["slug"]: edge["node"]["adoption"]["activeUsers"]
             for edge in two["data"]["services"]["edges"]}  # fmt: skip
    assert users["opportunities"] == 1
