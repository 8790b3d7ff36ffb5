"""Event Monitoring reads against the fake, as Salesforce answers them: EventLogFile pages
through nextRecordsUrl, its blob is text/csv streamed in chunks with the limits header,
LoginHistory carries LoginGeo, and an org without the licence does not know EventLogFile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from salesforce.event_logs import (
    EventMonitoringUnavailable,
    read_log_files,
    read_login_places,
    stream_log_file,
)
from salesforce.fake import FakeOrg, FakeSalesforce
from salesforce.fake.event_logs import HOURLY, add_log_file, add_login, rows_file
from salesforce.gateway import SalesforceGateway
from tests.salesforce.event_logs import ANA, at, views

DAY = timedelta(days=1)
SINCE = datetime(2026, 11, 1, tzinfo=UTC)


def _client(fake: FakeSalesforce, org: FakeOrg, ca_bundle: Path) -> tuple[Salesforce, Any]:
    http = requests.Session()
    http.trust_env = False
    http.verify = str(ca_bundle)
    sf = Salesforce(
        session_id=fake.issue_session(org), instance_url=fake.url, session=http, version="59.0"
    )
    return sf, http


def test_the_blob_is_csv_streamed_in_chunks_with_the_limits_header(
    fake: FakeSalesforce, crm: FakeOrg, ca_bundle: Path
) -> None:
    log = add_log_file(crm, "LightningPageView", at(0, 0), rows_file("LightningPageView", views(0)))
    sf, http = _client(fake, crm, ca_bundle)
    found: Any = sf.query("SELECT Id, EventType, Interval, LogFile FROM EventLogFile")

    record = found["records"][0]
    response = http.get(f"{fake.url}{record['LogFile']}", headers=sf.headers, stream=True)

    assert record["LogFile"] == f"/services/data/v59.0/sobjects/EventLogFile/{log['Id']}/LogFile"
    assert (record["EventType"], record["Interval"]) == ("LightningPageView", "Daily")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv"
    assert response.headers["Transfer-Encoding"] == "chunked"
    assert response.headers["Sforce-Limit-Info"] == "api-usage=2/15000"
    lines = list(response.iter_lines(decode_unicode=True))
    assert lines[0].startswith('"EVENT_TYPE","TIMESTAMP_DERIVED","REQUEST_ID"')
    assert len(lines) == 3


def test_an_org_without_event_monitoring_refuses_the_object_and_its_blobs(
    fake: FakeSalesforce, crm: FakeOrg, ca_bundle: Path
) -> None:
    log = add_log_file(crm, "Login", at(0, 0), rows_file("Login", []))
    crm.event_monitoring = False
    sf, http = _client(fake, crm, ca_bundle)

    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.query("SELECT Id FROM EventLogFile")
    blob = http.get(f"{fake.url}{log['LogFile']}", headers=sf.headers)

    assert cast(Any, refused.value.content) == [
        {"message": "sObject type 'EventLogFile' is not supported.", "errorCode": "INVALID_TYPE"}
    ]
    assert blob.status_code == 404
    assert blob.json()[0]["errorCode"] == "NOT_FOUND"


async def test_log_files_page_through_next_records_url_oldest_first(
    fake: FakeSalesforce, gateway: SalesforceGateway, crm: FakeOrg
) -> None:
    fake.state.page_size = 200
    for n in range(250):
        add_log_file(crm, "API", SINCE + n * timedelta(hours=1), rows_file("API", []),
                     interval=HOURLY)  # fmt: skip
    add_log_file(crm, "API", SINCE - DAY, rows_file("API", []))  # before the cursor
    add_log_file(crm, "Wave", SINCE, rows_file("API", []))  # a type not asked for

    first = await read_log_files(
        gateway, "crm", event_types=["API"], since=SINCE, deadline=gateway.deadline()
    )
    rest = await read_log_files(
        gateway, "crm", event_types=["API"], since=SINCE, next_url=first.next_url,
        deadline=gateway.deadline(),
    )  # fmt: skip

    assert (len(first.files), len(rest.files), rest.next_url) == (200, 50, None)
    dates = [f.log_date for f in first.files + rest.files]
    assert dates == sorted(dates)
    assert dates[0] == SINCE
    assert {f.interval for f in first.files} == {"Hourly"}
    assert fake.soql(crm, "EventLogFile") == [
        "SELECT Id, EventType, LogDate, Interval, LogFileLength, LogFile FROM EventLogFile"
        " WHERE EventType IN ('API') AND LogDate >= 2026-11-01T00:00:00Z ORDER BY LogDate, Id"
    ]


async def test_an_unlicensed_org_raises_feature_unavailable_naming_it(
    gateway: SalesforceGateway, crm: FakeOrg
) -> None:
    crm.event_monitoring = False

    with pytest.raises(EventMonitoringUnavailable) as refused:
        await read_log_files(
            gateway, "crm", event_types=["API"], since=SINCE, deadline=gateway.deadline()
        )

    assert (refused.value.code, refused.value.org_id) == ("FEATURE_UNAVAILABLE", crm.org_id)


async def test_logins_carry_the_country_salesforce_placed_them_in(
    gateway: SalesforceGateway, crm: FakeOrg
) -> None:
    add_login(crm, ANA, at(0, 9), source_ip="81.2.69.10", country="United Kingdom",
              country_iso="GB")  # fmt: skip
    add_login(crm, ANA, at(1, 9), source_ip="10.0.0.1", country=None, country_iso=None)

    places = await read_login_places(gateway, "crm", since=SINCE, deadline=gateway.deadline())

    assert [(p.source_ip, p.country, p.country_iso) for p in places] == [
        ("81.2.69.10", "United Kingdom", "GB"),
        ("10.0.0.1", None, None),
    ]


async def test_a_stream_hands_each_row_over_and_counts_what_it_refused(
    gateway: SalesforceGateway, crm: FakeOrg
) -> None:
    add_log_file(crm, "LightningPageView", at(0, 0), rows_file("LightningPageView", views(0)))
    page = await read_log_files(
        gateway, "crm", event_types=["LightningPageView"], since=SINCE, deadline=gateway.deadline()
    )
    seen: list[dict[str, str]] = []

    def consume(row: dict[str, str]) -> bool:
        seen.append(row)
        return row["USER_ID_DERIVED"] == ANA

    result = await stream_log_file(
        gateway, "crm", page.files[0], consume, deadline=gateway.deadline()
    )

    assert (result.rows, result.skipped) == (1, 1)
    assert [row["APP_NAME"] for row in seen] == ["Sales", "Service_Console"]
