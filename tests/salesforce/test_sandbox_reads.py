"""Sandboxes through the Tooling API and scratch orgs from a Dev Hub: the fake answers as
Salesforce does (paged `/tooling/query`, INVALID_TYPE on the wrong API or a non-Dev Hub), and
the reads ask one query per object per org."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from salesforce.errors import SalesforceLimitExceeded
from salesforce.fake import FakeOrg, FakeSalesforce
from salesforce.fake.sandboxes import COPY_TIME, add_sandbox, add_scratch_org
from salesforce.gateway import SalesforceGateway
from salesforce.sandboxes import read_sandboxes, read_scratch_orgs

DAY = timedelta(days=1)
NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def _client(fake: FakeSalesforce, org: FakeOrg, ca_bundle: Path) -> Salesforce:
    http = requests.Session()
    http.trust_env = False
    http.verify = str(ca_bundle)
    return Salesforce(
        session_id=fake.issue_session(org), instance_url=fake.url, session=http, version="59.0"
    )


def test_tooling_queries_page_through_their_own_next_records_url(
    fake: FakeSalesforce, crm: FakeOrg, ca_bundle: Path
) -> None:
    fake.state.page_size = 200
    for n in range(250):
        add_sandbox(crm, f"dev{n:03d}", licence="DEVELOPER", copies=[NOW - n * DAY])
    sf = _client(fake, crm, ca_bundle)

    first: Any = sf.restful("tooling/query/", params={"q": "SELECT SandboxName FROM SandboxInfo"})
    rest: Any = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)

    assert (first["done"], len(first["records"]), first["totalSize"]) == (False, 200, 250)
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/tooling/query/01g")
    assert first["records"][0]["attributes"]["url"].startswith(
        "/services/data/v59.0/tooling/sobjects/SandboxInfo/0GQ"
    )
    assert (rest["done"], len(rest["records"])) == (True, 50)
    assert [call.kind for call in fake.calls] == ["query", "query_more"]
    # A tooling locator does not page a data query, nor the other way round.
    with pytest.raises(SalesforceMalformedRequest):
        sf.query_more(first["nextRecordsUrl"].replace("/tooling", ""), identifier_is_url=True)


def test_each_api_refuses_the_others_objects_and_only_a_dev_hub_knows_scratch_orgs(
    fake: FakeSalesforce, crm: FakeOrg, ca_bundle: Path
) -> None:
    sf = _client(fake, crm, ca_bundle)
    errors = []
    for tooling, soql in (
        (False, "SELECT Id FROM SandboxInfo"),
        (True, "SELECT Id FROM Case"),
        (False, "SELECT Id FROM ScratchOrgInfo"),
    ):
        path = "tooling/query/" if tooling else "query/"
        with pytest.raises(SalesforceMalformedRequest) as refused:
            sf.restful(path, params={"q": soql})
        errors.append(cast(Any, refused.value.content)[0]["errorCode"])

    crm.dev_hub = True
    assert sf.query("SELECT Id FROM ScratchOrgInfo")["totalSize"] == 0
    assert errors == ["INVALID_TYPE"] * 3


async def test_sandboxes_carry_their_latest_copy_and_source(
    fake: FakeSalesforce, gateway: SalesforceGateway, crm: FakeOrg
) -> None:
    full = add_sandbox(
        crm,
        "uat",
        licence="FULL",
        copies=[NOW - 90 * DAY, NOW - 10 * DAY],
        sandbox_org_id="00D1x00000AcmUaEAJ",
    )
    add_sandbox(
        crm, "hotfix", licence="PARTIAL", copies=[NOW - 5 * DAY], source=full,
        in_progress=NOW - DAY,
    )  # fmt: skip
    add_sandbox(crm, "brand-new", licence="DEVELOPER", copies=[], in_progress=NOW)

    found = await read_sandboxes(gateway, "crm", deadline=gateway.deadline())

    assert [
        (s.name, s.licence_type, s.status, s.last_refreshed_at, s.source_name, s.org_id)
        for s in found
    ] == [
        ("brand-new", "DEVELOPER", "Processing", None, None, None),
        ("hotfix", "PARTIAL", "Processing", NOW - 5 * DAY + COPY_TIME, "uat", None),
        ("uat", "FULL", "Completed", NOW - 10 * DAY + COPY_TIME, None, "00D1x00000AcmUa"),
    ]
    assert found[2].created_at == NOW - 90 * DAY
    assert fake.soql_by_object(crm) == {"SandboxInfo": 1, "SandboxProcess": 1}


async def test_scratch_orgs_from_a_dev_hub_and_none_from_another_org(
    fake: FakeSalesforce, gateway: SalesforceGateway, crm: FakeOrg, partners: FakeOrg
) -> None:
    crm.dev_hub = True
    maker = crm.add("User", Username="grace@acme.test", Email="Grace.Liu@acme.test")
    add_scratch_org(
        crm, "Pricing spike", created=NOW - 3 * DAY, expires_on=date(2026, 12, 9),
        created_by=maker, scratch_org_id="00D0a00000AcmSc",
    )  # fmt: skip
    add_scratch_org(
        crm, "Gone", created=NOW - 9 * DAY, expires_on=date(2026, 12, 1), created_by=maker,
        status="Deleted",
    )  # fmt: skip

    found = await read_scratch_orgs(gateway, "crm", deadline=gateway.deadline())
    elsewhere = await read_scratch_orgs(gateway, "partners", deadline=gateway.deadline())

    assert found is not None
    assert [(s.name, s.expires_on, s.org_id, s.created_by_email) for s in found] == [
        ("Pricing spike", date(2026, 12, 9), "00D0a00000AcmSc", "Grace.Liu@acme.test")
    ]
    assert elsewhere is None
    assert fake.soql_by_object(crm) == {"ScratchOrgInfo": 1}


async def test_an_org_out_of_api_calls_raises_for_the_job_to_report(
    gateway: SalesforceGateway, crm: FakeOrg
) -> None:
    crm.exhaust()

    with pytest.raises(SalesforceLimitExceeded):
        await read_sandboxes(gateway, "crm", deadline=gateway.deadline())
