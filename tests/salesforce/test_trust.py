"""The Trust status API client against the fake over HTTPS: the real routes and field names,
paging, a retried 503, and a Trust API that is down or slow named as unavailable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from salesforce.errors import SalesforceUnavailable
from salesforce.fake import FakeSalesforce
from salesforce.trust import TrustClient

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
async def client(fake: FakeSalesforce, ca_bundle: Path) -> AsyncIterator[TrustClient]:
    client = TrustClient(
        fake.trust_url, ca_bundle=ca_bundle, timeout_s=1.0, breaker_threshold=2, page_size=2
    )
    yield client
    await client.close()


async def test_incidents_of_an_instance_come_with_their_impacts_and_latest_message(
    fake: FakeSalesforce, client: TrustClient
) -> None:
    start, end = NOW - timedelta(hours=3), NOW - timedelta(hours=1)
    fake.trust.add_incident(["NA135", "NA136"], start, end, message="Login errors on NA135")
    fake.trust.add_incident(["EU45"], start)  # another instance
    fake.trust.add_incident(["NA135"], NOW - timedelta(days=400), NOW - timedelta(days=399))

    found = await client.incidents("na135", since=NOW - timedelta(days=30))

    assert len(found) == 1
    (incident,) = found
    assert incident.instance_keys == ("NA135", "NA136")
    assert (incident.started_at, incident.ended_at) == (start, end)
    assert (incident.severity, incident.impact_type) == ("major", "serviceDisruption")
    assert incident.message == "Login errors on NA135"
    assert incident.is_core
    assert not incident.affects_all


async def test_an_open_incident_has_no_end_and_every_page_is_read(
    fake: FakeSalesforce, client: TrustClient
) -> None:
    for hours in range(5):  # five incidents, pages of two
        fake.trust.add_incident(["NA135"], NOW - timedelta(hours=hours + 1))

    found = await client.incidents("NA135", since=NOW - timedelta(days=1))

    assert len(found) == 5
    assert all(incident.ended_at is None for incident in found)
    assert sum(path == "/v1/incidents" for path in fake.trust.calls) == 3


async def test_maintenances_name_the_major_releases(
    fake: FakeSalesforce, client: TrustClient
) -> None:
    start = datetime(2027, 2, 13, 2, 0, tzinfo=UTC)
    fake.trust.add_maintenance(
        ["NA135"], "Spring '27 Major Release", start, start + timedelta(hours=5)
    )
    fake.trust.add_maintenance(
        ["NA135"],
        "Database maintenance",
        start,
        start + timedelta(hours=1),
        release_type=None,
        event_type="maintenance",
    )

    found = await client.maintenances("NA135", since=NOW)

    assert sorted((m.name, m.major_release) for m in found) == [
        ("Database maintenance", False),
        ("Spring '27 Major Release", True),
    ]


async def test_a_passing_503_is_retried(fake: FakeSalesforce, client: TrustClient) -> None:
    fake.trust.add_incident(["NA135"], NOW - timedelta(hours=1))
    fake.trust.fail_next = 1

    found = await client.incidents("NA135", since=NOW - timedelta(days=1))

    assert len(found) == 1


async def test_a_trust_api_that_is_down_is_unavailable_and_then_its_circuit_opens(
    fake: FakeSalesforce, client: TrustClient
) -> None:
    fake.trust.failing = True

    for _ in range(2):
        with pytest.raises(SalesforceUnavailable, match="Trust API"):
            await client.incidents("NA135", since=NOW)
    fake.trust.failing = False
    calls = len(fake.trust.calls)
    with pytest.raises(SalesforceUnavailable, match="circuit open"):
        await client.incidents("NA135", since=NOW)
    assert len(fake.trust.calls) == calls  # refused without a call


async def test_a_slow_trust_api_is_unavailable_within_the_deadline(
    fake: FakeSalesforce, client: TrustClient
) -> None:
    fake.trust.slow_s = 3.0

    with pytest.raises(SalesforceUnavailable, match="deadline"):
        await client.incidents("NA135", since=NOW)


async def test_the_instance_status_route_lists_open_incidents(fake: FakeSalesforce) -> None:
    fake.trust.add_incident(["NA135"], NOW - timedelta(hours=1))

    status, body = fake.trust.answer("/v1/instances/na135/status", {"childProducts": ["false"]})

    assert status == 200
    assert (body["key"], body["status"], len(body["Incidents"])) == (
        "NA135",
        "MAJOR_INCIDENT_CORE",
        1,
    )
