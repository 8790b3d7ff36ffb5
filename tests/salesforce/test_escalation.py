"""The escalation Case: an upsert on the support org's external id field, never a duplicate."""

from __future__ import annotations

import pytest

from salesforce.fake import FakeOrg, FakeSalesforce
from salesforce.gateway import NoSupportOrg, SalesforceGateway
from salesforce.records import CaseDraft

DRAFT = CaseDraft(subject="Quotes fail to sync", description="Since 09:00", service_key="cpq")
REQUEST_ID = "6f1c1b9e-4c1f-4d3e-9a57-3c2b8f0d1a11"


async def test_escalation_creates_the_case_in_the_support_org(
    gateway: SalesforceGateway, crm: FakeOrg
) -> None:
    case = await gateway.escalate_case(external_id=REQUEST_ID, case=DRAFT)

    stored = crm.records["Case"][case.id]
    assert (case.org_id, case.created, case.case_number) == (crm.org_id, True, "00001001")
    assert stored["Catalog_Request_Id__c"] == REQUEST_ID
    assert (stored["Subject"], stored["Service__c"], stored["Priority"]) == (
        "Quotes fail to sync",
        "cpq",
        "Medium",
    )


async def test_an_escalation_sent_again_finds_its_case(
    gateway: SalesforceGateway, crm: FakeOrg
) -> None:
    first = await gateway.escalate_case(external_id=REQUEST_ID, case=DRAFT)
    # Our transaction failed to commit after the first call: the request is escalated again.
    again = await gateway.escalate_case(external_id=REQUEST_ID, case=DRAFT)

    assert again.id == first.id
    assert again.created is False
    assert len(crm.records["Case"]) == 1


async def test_an_escalation_retried_after_a_failure_makes_one_case(
    gateway: SalesforceGateway, fake: FakeSalesforce, crm: FakeOrg
) -> None:
    crm.fail_next = 1

    case = await gateway.escalate_case(external_id=REQUEST_ID, case=DRAFT)

    assert case.created is True
    assert len(crm.records["Case"]) == 1
    assert [(c.kind, c.status) for c in fake.calls if c.kind == "upsert"] == [
        ("upsert", 503),
        ("upsert", 201),
    ]


async def test_escalation_can_name_another_org(
    gateway: SalesforceGateway, partners: FakeOrg
) -> None:
    case = await gateway.escalate_case(external_id=REQUEST_ID, case=DRAFT, ref="partners")

    assert case.org_id == partners.org_id
    assert list(partners.records["Case"]) == [case.id]


async def test_without_a_support_org_escalation_is_refused(gateway: SalesforceGateway) -> None:
    gateway.orgs.pop("crm")

    with pytest.raises(NoSupportOrg):
        await gateway.escalate_case(external_id=REQUEST_ID, case=DRAFT)
