"""Batched, cached reads through simple-salesforce over real HTTPS to the fake."""

from __future__ import annotations

from salesforce.fake import FakeOrg, FakeSalesforce
from salesforce.gateway import SalesforceGateway
from salesforce.records import Adoption


def _keys(n: int) -> list[str]:
    return [f"service-{i:03d}" for i in range(n)]


async def test_fifty_services_cost_one_query_per_object(
    gateway: SalesforceGateway, fake: FakeSalesforce, crm: FakeOrg
) -> None:
    late = crm.add("Case", Subject="Late", Service__c="service-007", Priority="High")
    crm.add("Case", Subject="Fine", Service__c="SERVICE-007")
    crm.add("Case", Subject="Done", Service__c="service-007", Status="Closed")
    crm.add("CaseMilestone", CaseId=late["Id"], IsViolated=True, IsCompleted=False)
    keys = _keys(50)
    deadline = gateway.deadline()

    cases = await gateway.open_cases("crm", keys, deadline=deadline)
    violated = await gateway.violated_case_ids("crm", keys, deadline=deadline)

    assert sorted(case.subject or "" for case in cases["service-007"]) == ["Fine", "Late"]
    assert sum(len(found) for found in cases.values()) == 2
    assert violated["service-007"] == {late["Id"]}
    assert cases["service-007"][0].url.startswith(fake.url + "/500")
    assert fake.soql_by_object(crm) == {"Case": 1, "CaseMilestone": 1}


async def test_more_than_two_hundred_services_are_chunked(
    gateway: SalesforceGateway, fake: FakeSalesforce, crm: FakeOrg
) -> None:
    await gateway.ideas("crm", _keys(450), deadline=gateway.deadline())

    assert fake.soql_by_object(crm) == {"Idea": 3}


async def test_cache_hits_make_no_call(
    gateway: SalesforceGateway, fake: FakeSalesforce, crm: FakeOrg
) -> None:
    crm.add("Idea", Title="Dark mode", Service__c="service-001", VoteTotal=40)
    await gateway.ideas("crm", _keys(2), deadline=gateway.deadline())
    fake.clear_calls()

    again = await gateway.ideas("crm", _keys(2), deadline=gateway.deadline())
    assert fake.calls == []
    wider = await gateway.ideas("crm", _keys(3), deadline=gateway.deadline())

    assert [idea.title for idea in again["service-001"]] == ["Dark mode"]
    assert wider["service-001"] == again["service-001"]
    assert fake.soql(crm) == [
        "SELECT Id, Title, Body, Status, VoteTotal, CreatedDate, Service__c FROM Idea"
        " WHERE Service__c IN ('service-002') ORDER BY VoteTotal DESC, CreatedDate DESC"
    ]


async def test_limits_and_the_api_usage_header(
    gateway: SalesforceGateway, fake: FakeSalesforce, crm: FakeOrg
) -> None:
    limits = await gateway.limits("crm", deadline=gateway.deadline())

    daily = next(limit for limit in limits if limit.name == "DailyApiRequests")
    assert (daily.max, daily.remaining) == (15_000, 14_999)
    usage = gateway.api_usage("crm")
    assert usage is not None
    assert (usage.used, usage.total) == (1, 15_000)


async def test_adoption_counts_users_licences_and_logins(
    gateway: SalesforceGateway, fake: FakeSalesforce, partners: FakeOrg
) -> None:
    active = partners.add("User", IsActive=True, UserType="Standard", LastLoginDate=_days_ago(3))
    partners.add("User", IsActive=True, UserType="Standard", LastLoginDate=_days_ago(90))
    partners.add("User", IsActive=False, UserType="Standard", LastLoginDate=_days_ago(1))
    partners.add("UserLicense", Name="Salesforce", Status="Active", UsedLicenses=12)
    partners.add("UserLicense", Name="Chatter Free", Status="Active", UsedLicenses=400)
    for days in (1, 2, 45):
        partners.add(
            "LoginHistory", UserId=active["Id"], LoginTime=_days_ago(days), Status="Success"
        )

    adoption = await gateway.adoption("partners", deadline=gateway.deadline())

    assert adoption == Adoption(active_users=1, licensed_users=12, logins_last_30_days=2)
    assert fake.soql_by_object(partners) == {"User": 1, "UserLicense": 1, "LoginHistory": 1}


def _days_ago(days: int) -> str:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) - timedelta(days=days)).isoformat()
