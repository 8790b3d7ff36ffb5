"""The fake speaks Salesforce's REST API: simple-salesforce over HTTPS, nothing patched."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
import requests
from simple_salesforce.api import Salesforce, SFType
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from salesforce.fake import FakeOrg, FakeSalesforce


def _client(fake: FakeSalesforce, org: FakeOrg, ca_bundle: Path) -> Salesforce:
    http = requests.Session()
    http.trust_env = False  # REQUESTS_CA_BUNDLE would override `verify`
    http.verify = str(ca_bundle)
    return Salesforce(
        session_id=fake.issue_session(org), instance_url=fake.url, session=http, version="59.0"
    )


def _content(error: pytest.ExceptionInfo[Any]) -> Any:
    """simple-salesforce types the parsed error body as bytes."""
    return cast(Any, error.value.content)


def test_query_reads_fields_relationships_and_filters(
    fake: FakeSalesforce, crm: FakeOrg, ca_bundle: Path
) -> None:
    first = crm.add("Case", Subject="Login fails", Service__c="sales-cloud", Priority="High")
    crm.add("Case", Subject="Closed one", Service__c="sales-cloud", Status="Closed")
    crm.add("Case", Subject="Elsewhere", Service__c="other")
    crm.add("CaseMilestone", CaseId=first["Id"], IsViolated=True, IsCompleted=False)
    sf = _client(fake, crm, ca_bundle)

    cases = sf.query(
        "SELECT Subject, IsClosed FROM Case WHERE Service__c IN ('SALES-CLOUD', 'x')"
        " AND (IsClosed = false OR Priority != 'High') ORDER BY Subject DESC LIMIT 5"
    )
    milestones = sf.query(
        "SELECT CaseId, Case.Service__c FROM CaseMilestone"
        " WHERE Case.Service__c = 'sales-cloud' AND IsViolated = true"
    )
    count = sf.query("SELECT COUNT() FROM Case WHERE Service__c != 'other'")

    assert [(r["Subject"], r["IsClosed"]) for r in cases["records"]] == [
        ("Login fails", False),
        ("Closed one", True),
    ]
    assert cases["totalSize"] == 2
    assert cases["done"] is True
    assert cases["records"][0]["attributes"]["type"] == "Case"
    assert milestones["records"][0]["Case"]["Service__c"] == "sales-cloud"
    assert milestones["records"][0]["CaseId"] == first["Id"]
    assert (count["totalSize"], count["records"]) == (2, [])


def test_large_results_page_through_next_records_url(
    ca_bundle: Path, fake: FakeSalesforce, crm: FakeOrg
) -> None:
    fake.state.page_size = 200
    for n in range(450):
        crm.add("Idea", Title=f"Idea {n:03d}", Service__c="portal")
    sf = _client(fake, crm, ca_bundle)

    first = sf.query("SELECT Title FROM Idea ORDER BY Title")
    everything = sf.query_all("SELECT Title FROM Idea ORDER BY Title")

    assert (first["done"], len(first["records"]), first["totalSize"]) == (False, 200, 450)
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/")
    assert [r["Title"] for r in everything["records"]] == [f"Idea {n:03d}" for n in range(450)]
    assert [call.kind for call in fake.calls].count("query_more") == 2


def test_errors_have_salesforce_bodies(fake: FakeSalesforce, crm: FakeOrg, ca_bundle: Path) -> None:
    sf = _client(fake, crm, ca_bundle)

    with pytest.raises(SalesforceMalformedRequest) as malformed:
        sf.query("SELECT Id FROM Case WHERE")
    crm.exhaust()
    with pytest.raises(SalesforceRefusedRequest) as exhausted:
        sf.query("SELECT Id FROM Case")
    fake.expire_sessions(crm)
    with pytest.raises(SalesforceExpiredSession) as expired:
        sf.query("SELECT Id FROM Case")

    assert _content(malformed)[0]["errorCode"] == "MALFORMED_QUERY"
    assert _content(exhausted) == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    assert _content(expired)[0]["errorCode"] == "INVALID_SESSION_ID"


def test_upsert_on_an_external_id_creates_once_then_updates(
    fake: FakeSalesforce, crm: FakeOrg, ca_bundle: Path
) -> None:
    cases = cast(SFType, _client(fake, crm, ca_bundle).Case)

    created = cases.upsert("Catalog_Request_Id__c/req-1", {"Subject": "A"}, raw_response=True)
    updated = cases.upsert("Catalog_Request_Id__c/req-1", {"Subject": "B"}, raw_response=True)

    assert created.status_code == 201
    assert created.json()["created"] is True
    assert updated.status_code == 200
    assert updated.json()["created"] is False
    assert created.json()["id"] == updated.json()["id"]
    assert [r["Subject"] for r in crm.records["Case"].values()] == ["B"]
    assert updated.headers["Sforce-Limit-Info"] == "api-usage=2/15000"


def test_the_request_log_counts_soql_by_org_and_object(
    fake: FakeSalesforce, crm: FakeOrg, ca_bundle: Path
) -> None:
    other = fake.add_org("00D8d00000AcmPcAAJ", "Partners")
    _client(fake, crm, ca_bundle).query("SELECT Id FROM Case")
    _client(fake, crm, ca_bundle).query("SELECT Id FROM Idea")
    _client(fake, other, ca_bundle).query("SELECT Id FROM Case")

    assert fake.soql_by_object(crm) == {"Case": 1, "Idea": 1}
    assert fake.soql(other) == ["SELECT Id FROM Case"]


def test_refusing_connections_closes_the_port_until_accepting_again(
    fake: FakeSalesforce, crm: FakeOrg, ca_bundle: Path
) -> None:
    crm.add("Case", Subject="Kept", Service__c="sales-cloud")
    sf = _client(fake, crm, ca_bundle)
    url = fake.url
    assert sf.query("SELECT Subject FROM Case")["totalSize"] == 1

    fake.refuse_connections()
    # The client's kept-alive connection is dropped, and a new one is refused.
    with pytest.raises(requests.ConnectionError):
        sf.query("SELECT Subject FROM Case")
    with pytest.raises(requests.ConnectionError):
        sf.query("SELECT Subject FROM Case")

    fake.accept_connections()
    assert fake.url == url
    assert sf.query("SELECT Subject FROM Case")["records"][0]["Subject"] == "Kept"
