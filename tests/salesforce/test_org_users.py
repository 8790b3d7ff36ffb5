"""Reading an org's users and freezing one through the gateway, against the fake over HTTPS."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx

from salesforce.fake import FakeOrg, FakeSalesforce
from salesforce.gateway import SalesforceGateway
from tests.salesforce.org_users import licence, login_of, user


async def test_the_directory_is_one_query_per_object_however_many_pages(
    gateway: SalesforceGateway, fake: FakeSalesforce, crm: FakeOrg
) -> None:
    fake.state.page_size = 200
    profile = licence(crm, total=500, used=450)
    chatter = licence(crm, "Chatter Free", total=5000, used=3)
    for n in range(450):
        user(crm, profile, f"user{n:03d}", frozen=n == 7)
    user(crm, chatter, "chatty", federation_id="00u-chatty", days_since_login=None)
    user(crm, profile, "gone", active=False)
    fake.clear_calls()

    directory = await gateway.org_directory("crm")

    assert len(directory.users) == 451
    frozen = [item.username for item in directory.users if item.is_frozen]
    assert frozen == ["user007@acme.example.crm"]
    chatty = next(item for item in directory.users if item.username.startswith("chatty"))
    assert (chatty.licence, chatty.profile, chatty.federation_id) == (
        "Chatter Free",
        "Chatter Free User",
        "00u-chatty",
    )
    assert chatty.last_login_at is None
    assert sorted((item.name, item.total, item.assigned) for item in directory.licences) == [
        ("Chatter Free", 5000, 3),
        ("Salesforce", 500, 450),
    ]
    queries = sorted(call.object_name or "" for call in fake.calls if call.kind == "query")
    assert queries == ["User", "UserLicense", "UserLogin"]
    assert sum(call.kind == "query_more" for call in fake.calls) == 2  # 451 users, 200 a page


async def test_freezing_sets_the_login_frozen_and_answers_the_user(
    gateway: SalesforceGateway, fake: FakeSalesforce, crm: FakeOrg
) -> None:
    made = user(crm, licence(crm), "ada", federation_id="00u-ada")

    frozen = await gateway.freeze_user("crm", made["Id"])
    again = await gateway.freeze_user("crm", made["Id"])

    assert frozen is not None
    assert (frozen.id, frozen.is_frozen, frozen.federation_id) == (made["Id"], True, "00u-ada")
    assert again == frozen
    assert login_of(crm, made["Id"])["IsFrozen"] is True
    updates = [call for call in fake.calls if call.kind == "update"]
    assert [(call.path.rsplit("/", 2)[-2], call.status) for call in updates] == [("UserLogin", 204)]


async def test_a_user_no_longer_active_is_not_frozen(
    gateway: SalesforceGateway, fake: FakeSalesforce, crm: FakeOrg
) -> None:
    gone = user(crm, licence(crm), "gone", active=False)

    assert await gateway.freeze_user("crm", gone["Id"]) is None
    assert await gateway.freeze_user("crm", "005000000000000AAA") is None
    assert login_of(crm, gone["Id"])["IsFrozen"] is False
    assert not [call for call in fake.calls if call.kind == "update"]


async def test_the_fake_answers_an_update_of_no_record_as_salesforce_does(
    fake: FakeSalesforce, crm: FakeOrg, ca_bundle: Path
) -> None:
    token = fake.issue_session(crm)
    async with httpx.AsyncClient(verify=ssl.create_default_context(cafile=ca_bundle)) as client:
        response = await client.patch(
            f"{fake.url}/services/data/v59.0/sobjects/UserLogin/060000000000000AAA",
            json={"IsFrozen": True},
            headers={"Authorization": f"Bearer {token}"},
        )

    assert response.status_code == 404
    assert response.json() == [
        {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}
    ]
