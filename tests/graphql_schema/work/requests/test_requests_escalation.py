"""Escalation to Salesforce support against the fake Salesforce: one Case per request, ever."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catalog.orgs.models import OrgKind
from catalog.services.models import Service
from core.salesforce_settings import SalesforceOrgConfig
from graphql_schema.node import global_id
from identity.principal import Principal, Role
from salesforce.fake import FakeOrg, FakeSalesforce
from salesforce.gateway import SalesforceGateway
from tests.builders.catalog import create_org, create_service
from tests.builders.identity import create_person, create_team
from tests.builders.work import create_request
from tests.graphql_schema.desk import Caller, Desk, desk_client, desk_settings
from tests.identity.idp import TestIssuer
from work.requests.escalation import escalate_request
from work.requests.models import RequestStatus, ServiceRequest

ESCALATE = """
mutation($input: EscalateToSalesforceSupportInput!) {
  escalateToSalesforceSupport(input: $input) {
    serviceRequest {
      status vendorCaseNumber assignee { id }
      statusHistory { fromStatus toStatus note }
      vendorCase { caseNumber subject status priority orgId }
    }
    userErrors { field message code }
  }
}
"""
CRM_ORG_ID = "00D5g00000AcmCRAAZ"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_bundle(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("salesforce") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def fake(ca: trustme.CA) -> Iterator[FakeSalesforce]:
    with FakeSalesforce(ca) as server:
        yield server


@pytest.fixture
def crm(fake: FakeSalesforce) -> FakeOrg:
    return fake.add_org(CRM_ORG_ID, "Global CRM")


def _orgs(fake: FakeSalesforce, crm: FakeOrg, *, support: bool) -> dict[str, SalesforceOrgConfig]:
    config = SalesforceOrgConfig(
        org_id=crm.org_id,
        name=crm.name,
        instance_url=fake.url,
        session_id=fake.issue_session(crm),
        support=support,
    )
    return {"crm": config}


async def _desk(
    issuer: TestIssuer,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    orgs: dict[str, SalesforceOrgConfig],
    ca_bundle: Path,
) -> AsyncIterator[Desk]:
    settings = desk_settings(
        issuer, salesforce_orgs=orgs, salesforce_ca_bundle=ca_bundle, salesforce_timeout_s=2.0
    )
    async with desk_client(issuer, engine, sessionmaker, settings) as desk:
        yield desk


@pytest.fixture
async def desk(
    issuer: TestIssuer,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    fake: FakeSalesforce,
    crm: FakeOrg,
    ca_bundle: Path,
) -> AsyncIterator[Desk]:
    """Salesforce connected, with the CRM org marked as the support org."""
    async for desk in _desk(
        issuer, engine, sessionmaker, _orgs(fake, crm, support=True), ca_bundle
    ):
        yield desk


async def _triaged(
    session: AsyncSession, desk: Desk, **service: Any
) -> tuple[ServiceRequest, Service, Caller]:
    team = await create_team(session)
    owner = await desk.person(session, teams=[team.id])
    requester = await create_person(session)
    target = await create_service(session, owner_team_id=team.id, **service)
    request = await create_request(
        session,
        service_id=target.id,
        requester_id=requester.id,
        status=RequestStatus.TRIAGED,
        title="Renewal quotes fail",
        body="Since the Spring release",
    )
    return request, target, owner


def _input(request: ServiceRequest, **extra: Any) -> dict[str, Any]:
    return {"input": {"requestId": global_id("ServiceRequest", request.id), **extra}}


async def test_escalation_opens_the_case_and_moves_the_request(
    desk: Desk, session: AsyncSession, crm: FakeOrg
) -> None:
    request, service, owner = await _triaged(session, desk)
    assert owner.person is not None

    body = await owner.data(ESCALATE, _input(request))

    (case,) = crm.records["Case"].values()
    assert body["escalateToSalesforceSupport"] == {
        "serviceRequest": {
            "status": "ESCALATED_TO_VENDOR",
            "vendorCaseNumber": case["CaseNumber"],
            "assignee": {"id": global_id("Person", owner.person.id)},
            "statusHistory": [
                {"fromStatus": None, "toStatus": "TRIAGED", "note": None},
                {
                    "fromStatus": "TRIAGED",
                    "toStatus": "ESCALATED_TO_VENDOR",
                    "note": f"Salesforce Case {case['CaseNumber']}",
                },
            ],
            "vendorCase": {
                "caseNumber": case["CaseNumber"],
                "subject": "Renewal quotes fail",
                "status": "New",
                "priority": "Medium",
                "orgId": CRM_ORG_ID,
            },
        },
        "userErrors": [],
    }
    assert case["Catalog_Request_Id__c"] == str(request.id)
    assert (case["Description"], case["Service__c"]) == (
        "Since the Spring release",
        service.salesforce_key,
    )


async def test_escalating_twice_makes_one_case(
    desk: Desk, session: AsyncSession, crm: FakeOrg
) -> None:
    request, _, owner = await _triaged(session, desk)

    first = await owner.data(ESCALATE, _input(request))
    again = await owner.data(ESCALATE, _input(request, subject="Renewal quotes still fail"))

    (case,) = crm.records["Case"].values()
    assert case["Subject"] == "Renewal quotes still fail"  # the upsert updated the one Case
    number = first["escalateToSalesforceSupport"]["serviceRequest"]["vendorCaseNumber"]
    repeated = again["escalateToSalesforceSupport"]["serviceRequest"]
    assert repeated["vendorCaseNumber"] == number
    assert [row["toStatus"] for row in repeated["statusHistory"]] == [
        "TRIAGED",
        "ESCALATED_TO_VENDOR",
    ]


async def test_an_escalation_whose_transaction_failed_finds_its_case_again(
    desk: Desk,
    session: AsyncSession,
    crm: FakeOrg,
    fake: FakeSalesforce,
    ca_bundle: Path,
) -> None:
    request, _, owner = await _triaged(session, desk)
    variables = _input(request)
    gateway = SalesforceGateway(_orgs(fake, crm, support=True), ca_bundle=ca_bundle)
    admin = Principal("ops", "https://idp.test", frozenset({Role.ADMIN}))
    try:
        attempt = await session.begin_nested()
        await escalate_request(session, principal=admin, desk=gateway, request_id=request.id)
        await attempt.rollback()  # the Case exists; our side of it was never committed
    finally:
        await gateway.close()

    body = await owner.data(ESCALATE, variables)

    (case,) = crm.records["Case"].values()
    escalated = body["escalateToSalesforceSupport"]["serviceRequest"]
    assert (escalated["status"], escalated["vendorCaseNumber"]) == (
        "ESCALATED_TO_VENDOR",
        case["CaseNumber"],
    )


async def test_a_new_request_cannot_be_escalated(desk: Desk, session: AsyncSession) -> None:
    request, _, owner = await _triaged(session, desk)
    await session.execute(
        update(ServiceRequest)
        .where(ServiceRequest.id == request.id)
        .values(status=RequestStatus.NEW)
    )

    body = await owner.data(ESCALATE, _input(request))

    assert body["escalateToSalesforceSupport"]["userErrors"] == [
        {
            "field": ["requestId"],
            "message": "a NEW request cannot become ESCALATED_TO_VENDOR; allowed next:"
            " TRIAGED, REJECTED",
            "code": "INVALID_TRANSITION",
        }
    ]


async def test_the_requester_cannot_escalate(
    desk: Desk, session: AsyncSession, crm: FakeOrg
) -> None:
    request, _, _ = await _triaged(session, desk)
    requester = await desk.person(session, "contributors")
    await session.execute(
        update(ServiceRequest)
        .where(ServiceRequest.id == request.id)
        .values(requester_id=requester.person.id if requester.person else None)
    )

    body = await requester.gql(ESCALATE, _input(request))

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert crm.records["Case"] == {}


async def test_an_unavailable_org_fails_the_escalation_and_changes_nothing(
    desk: Desk, session: AsyncSession, crm: FakeOrg
) -> None:
    request, _, owner = await _triaged(session, desk)
    crm.failing = True

    body = await owner.gql(ESCALATE, _input(request))

    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "SALESFORCE_UNAVAILABLE", "org": CRM_ORG_ID}
    stored = await session.get(ServiceRequest, request.id, populate_existing=True)
    assert stored is not None
    assert (stored.status, stored.vendor_case_number) == (RequestStatus.TRIAGED, None)


async def test_without_a_support_org_the_services_production_org_takes_the_case(
    issuer: TestIssuer,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    fake: FakeSalesforce,
    crm: FakeOrg,
    ca_bundle: Path,
) -> None:
    sandbox = await create_org(session, kind=OrgKind.SANDBOX, credentials_ref="crm")
    production = await create_org(
        session, org_id=CRM_ORG_ID, kind=OrgKind.PRODUCTION, credentials_ref="crm"
    )
    async for desk in _desk(
        issuer, engine, sessionmaker, _orgs(fake, crm, support=False), ca_bundle
    ):
        request, _, owner = await _triaged(session, desk, orgs=[sandbox, production])

        body = await owner.data(ESCALATE, _input(request))

    assert body["escalateToSalesforceSupport"]["userErrors"] == []
    assert len(crm.records["Case"]) == 1


async def test_without_salesforce_escalation_is_refused(
    issuer: TestIssuer,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
) -> None:
    async with desk_client(issuer, engine, sessionmaker) as desk:
        request, _, owner = await _triaged(session, desk)

        body = await owner.data(ESCALATE, _input(request))

    assert body["escalateToSalesforceSupport"] == {
        "serviceRequest": None,
        "userErrors": [
            {
                "field": ["requestId"],
                "message": "no Salesforce org takes escalations: none is marked support and"
                " the service runs on no connected production org",
                "code": "INVALID",
            }
        ],
    }
