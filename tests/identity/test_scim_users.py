"""SCIM Users over HTTP: create and link, read, filter and page, replace, PATCH, delete."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.oidc_settings import IssuerConfig
from core.settings import Settings, load_settings
from identity.models import Membership, Person
from server.app import create_app
from tests.builders.identity import create_membership, create_person, create_team
from tests.identity.idp import TestIssuer
from tests.lifespan import lifespan

SCIM_TOKEN = "scim-test-token-6f1c2d9e8a7b"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


@pytest.fixture
def scim_settings(issuer: TestIssuer) -> Settings:
    config = IssuerConfig(issuer=issuer.issuer, audience="catalog-api")
    return load_settings(
        database_url="postgresql://unused/unused",
        oidc_issuers=(config,),
        scim_token=SCIM_TOKEN,
        anonymous_read=False,
        _env_file=None,
    )


@pytest.fixture
async def scim(
    scim_settings: Settings,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx.AsyncClient]:
    """The app, with the SCIM token sent by default (GraphQL calls override the header)."""
    app = create_app(scim_settings, engine=engine, sessionmaker=sessionmaker)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://test",
            headers={"Authorization": f"Bearer {SCIM_TOKEN}"},
        ) as client:
            yield client


def user_payload(user_name: str, **attributes: Any) -> dict[str, Any]:
    return {"schemas": [USER_SCHEMA], "userName": user_name, **attributes}


async def create_user(client: httpx.AsyncClient, user_name: str, **attributes: Any) -> Any:
    response = await client.post("/scim/v2/Users", json=user_payload(user_name, **attributes))
    assert response.status_code == 201, response.text
    return response.json()


async def patch(client: httpx.AsyncClient, user_id: str, *operations: Any) -> httpx.Response:
    return await client.patch(
        f"/scim/v2/Users/{user_id}",
        json={"schemas": [PATCH_SCHEMA], "Operations": list(operations)},
    )


def assert_scim_error(
    response: httpx.Response, status: int, scim_type: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/scim+json"
    body: dict[str, Any] = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type
    return body


async def test_create_returns_the_user_with_location_and_scim_media_type(
    scim: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await scim.post(
        "/scim/v2/Users",
        json=user_payload(
            "ada@example.com",
            externalId="00u-ada",
            active=True,
            name={"givenName": "Ada", "familyName": "Lovelace"},
            emails=[{"value": "ada@example.com", "type": "work", "primary": True}],
        ),
    )

    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/scim+json"
    body = response.json()
    location = f"http://test/scim/v2/Users/{body['id']}"
    assert response.headers["location"] == location
    assert body["meta"]["location"] == location
    assert body["meta"]["resourceType"] == "User"
    assert {key: body[key] for key in ("schemas", "userName", "externalId", "active")} == {
        "schemas": [USER_SCHEMA],
        "userName": "ada@example.com",
        "externalId": "00u-ada",
        "active": True,
    }
    assert body["name"] == {"givenName": "Ada", "familyName": "Lovelace"}
    person = await session.get(Person, body["id"])
    assert person is not None
    assert (person.subject, person.display_name, person.email) == (
        "00u-ada",
        "Ada Lovelace",
        "ada@example.com",
    )


async def test_without_external_id_the_subject_is_a_placeholder(
    scim: httpx.AsyncClient, session: AsyncSession
) -> None:
    body = await create_user(scim, "grace@example.com", displayName="Grace Hopper")

    person = await session.get(Person, body["id"])
    assert person is not None
    assert person.subject.startswith("scim:")
    assert person.display_name == "Grace Hopper"


async def test_create_adopts_the_person_whose_subject_is_the_external_id(
    scim: httpx.AsyncClient, session: AsyncSession, issuer: TestIssuer
) -> None:
    person = await create_person(session, issuer=issuer.issuer, subject="00u-linus")

    body = await create_user(scim, "linus@example.com", externalId="00u-linus")

    assert body["id"] == str(person.id)


async def test_create_adopts_the_person_with_that_verified_email(
    scim: httpx.AsyncClient, session: AsyncSession, issuer: TestIssuer
) -> None:
    person = await create_person(
        session, issuer=issuer.issuer, email="Margaret@Example.com", email_verified=True
    )

    body = await create_user(scim, "margaret@example.com", externalId="00u-margaret")

    assert body["id"] == str(person.id)
    await session.refresh(person)
    assert person.subject != "00u-margaret"  # a real subject is never rewritten
    assert person.scim_external_id == "00u-margaret"


async def test_an_unverified_email_or_another_issuer_is_not_adopted(
    scim: httpx.AsyncClient, session: AsyncSession, issuer: TestIssuer
) -> None:
    unverified = await create_person(
        session, issuer=issuer.issuer, email="ken@example.com", email_verified=False
    )
    elsewhere = await create_person(
        session, issuer="https://other.example", email="ken@example.com", email_verified=True
    )

    body = await create_user(scim, "ken@example.com")

    assert body["id"] not in (str(unverified.id), str(elsewhere.id))


async def test_creating_an_already_provisioned_person_is_a_uniqueness_conflict(
    scim: httpx.AsyncClient,
) -> None:
    await create_user(scim, "barbara@example.com", externalId="00u-barbara")

    same_external_id = await scim.post(
        "/scim/v2/Users", json=user_payload("other@example.com", externalId="00u-barbara")
    )
    same_user_name = await scim.post("/scim/v2/Users", json=user_payload("BARBARA@example.com"))

    assert_scim_error(same_external_id, 409, "uniqueness")
    assert_scim_error(same_user_name, 409, "uniqueness")


async def test_active_is_shown_when_set_or_false_and_an_unset_active_means_active(
    scim: httpx.AsyncClient, session: AsyncSession
) -> None:
    unset = await create_user(scim, "unset@example.com")
    inactive = await create_user(scim, "inactive@example.com", active=False)

    removed = await patch(scim, inactive["id"], {"op": "remove", "path": "active"})

    assert "active" not in unset
    assert inactive["active"] is False
    assert "active" not in removed.json()
    person = await session.get(Person, inactive["id"], populate_existing=True)
    assert person is not None
    assert person.active is True


async def test_a_user_without_user_name_is_refused(scim: httpx.AsyncClient) -> None:
    response = await scim.post("/scim/v2/Users", json={"schemas": [USER_SCHEMA]})

    assert response.status_code == 400
    assert response.json()["schemas"] == [ERROR_SCHEMA]


async def test_unknown_attributes_and_extensions_are_ignored(scim: httpx.AsyncClient) -> None:
    enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    body = await create_user(
        scim,
        "edsger@example.com",
        nickName="EWD",
        **{enterprise: {"department": "Research"}},
    )

    assert "nickName" not in body
    assert enterprise not in body


async def test_get_returns_the_user_and_honours_attributes(scim: httpx.AsyncClient) -> None:
    created = await create_user(scim, "alan@example.com", displayName="Alan")

    full = await scim.get(f"/scim/v2/Users/{created['id']}")
    partial = await scim.get(
        f"/scim/v2/Users/{created['id']}", params={"attributes": "displayName"}
    )

    assert full.json() == created
    assert partial.json() == {"schemas": [USER_SCHEMA], "id": created["id"], "displayName": "Alan"}


async def test_unknown_or_malformed_ids_are_not_found(
    scim: httpx.AsyncClient, session: AsyncSession, issuer: TestIssuer
) -> None:
    not_provisioned = await create_person(session, issuer=issuer.issuer)

    for user_id in ("not-a-uuid", "7d0c1b40-0000-4000-8000-000000000000", not_provisioned.id):
        assert_scim_error(await scim.get(f"/scim/v2/Users/{user_id}"), 404)


async def test_filters_by_user_name_case_insensitively_and_external_id_exactly(
    scim: httpx.AsyncClient,
) -> None:
    tim = await create_user(scim, "tim@example.com", externalId="00u-Tim")
    await create_user(scim, "tom@example.com", externalId="00u-tom")

    by_name = await scim.get("/scim/v2/Users", params={"filter": 'userName eq "TIM@example.com"'})
    by_external = await scim.get("/scim/v2/Users", params={"filter": 'externalId eq "00u-Tim"'})
    wrong_case = await scim.get("/scim/v2/Users", params={"filter": 'externalId eq "00u-tim"'})

    assert by_name.json() == {
        "schemas": [LIST_SCHEMA],
        "totalResults": 1,
        "startIndex": 1,
        "itemsPerPage": 1,
        "Resources": [tim],
    }
    assert [user["id"] for user in by_external.json()["Resources"]] == [tim["id"]]
    assert wrong_case.json()["totalResults"] == 0


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('userName sw "ann"', ["anna", "anne"]),
        ('userName co "NN" and active eq false', ["anne"]),
        ('emails[type eq "work" and value ew "@corp.example"]', ["anna"]),
        ('emails.value eq "ANNE@home.example"', ["anne"]),
        ('not (userName eq "anna@x.example") and displayName pr', ["anne"]),
        ('name.givenName eq "Bo" or externalId eq "e-anna"', ["anna", "bob"]),
        ('meta.created gt "2000-01-01T00:00:00Z"', ["anna", "anne", "bob"]),
    ],
)
async def test_filter_expressions(
    scim: httpx.AsyncClient, expression: str, expected: list[str]
) -> None:
    await create_user(
        scim,
        "anna@x.example",
        externalId="e-anna",
        emails=[{"value": "anna@corp.example", "type": "work"}],
    )
    await create_user(
        scim,
        "anne@x.example",
        active=False,
        displayName="Anne",
        emails=[{"value": "anne@home.example", "type": "home"}],
    )
    await create_user(scim, "bob@x.example", name={"givenName": "Bo"})

    response = await scim.get("/scim/v2/Users", params={"filter": expression})

    assert response.status_code == 200, response.text
    found = sorted(user["userName"].split("@")[0] for user in response.json()["Resources"])
    assert found == expected


@pytest.mark.parametrize(
    "expression",
    ["userName eq", 'nickName eq "x"', 'active co "t"', 'meta.created gt "yesterday"'],
)
async def test_a_filter_that_cannot_be_applied_is_invalid_filter(
    scim: httpx.AsyncClient, expression: str
) -> None:
    response = await scim.get("/scim/v2/Users", params={"filter": expression})

    assert_scim_error(response, 400, "invalidFilter")


async def test_pages_with_start_index_and_count(scim: httpx.AsyncClient) -> None:
    for n in range(5):
        await create_user(scim, f"page{n}@example.com")
    everyone = (await scim.get("/scim/v2/Users")).json()["Resources"]

    second_page = await scim.get("/scim/v2/Users", params={"startIndex": 3, "count": 2})
    only_total = await scim.get("/scim/v2/Users", params={"count": 0})
    past_the_end = await scim.get("/scim/v2/Users", params={"startIndex": 9})

    body = second_page.json()
    assert (body["totalResults"], body["startIndex"], body["itemsPerPage"]) == (5, 3, 2)
    assert body["Resources"] == everyone[2:4]
    assert (only_total.json()["totalResults"], only_total.json()["itemsPerPage"]) == (5, 0)
    assert past_the_end.json()["totalResults"] == 5
    assert past_the_end.json().get("Resources", []) == []


async def test_a_non_numeric_count_is_invalid_value(scim: httpx.AsyncClient) -> None:
    response = await scim.get("/scim/v2/Users", params={"count": "ten"})

    assert_scim_error(response, 400, "invalidValue")


async def test_put_replaces_every_attribute(scim: httpx.AsyncClient, session: AsyncSession) -> None:
    created = await create_user(
        scim, "joan@example.com", displayName="Joan", name={"givenName": "Joan"}
    )

    response = await scim.put(
        f"/scim/v2/Users/{created['id']}",
        json=user_payload("joan.clarke@example.com", emails=[{"value": "joan@corp.example"}]),
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["userName"] == "joan.clarke@example.com"
    assert "displayName" not in body
    assert "name" not in body
    assert body["emails"] == [{"value": "joan@corp.example"}]
    person = await session.get(Person, created["id"])
    assert person is not None
    assert (person.display_name, person.email) == ("joan.clarke@example.com", "joan@corp.example")


@pytest.mark.parametrize(
    ("operation", "expected"),
    [
        ({"op": "replace", "path": "displayName", "value": "Dr. H"}, {"displayName": "Dr. H"}),
        ({"op": "Replace", "path": "name.familyName", "value": "Hamilton"}, None),
        (
            {"op": "replace", "value": {"displayName": "Margaret", "name.givenName": "M"}},
            {"displayName": "Margaret"},
        ),
        (
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": "mh@nasa.example"},
            {"emails": [{"value": "mh@nasa.example", "type": "work", "primary": True}]},
        ),
        ({"op": "add", "path": "externalId", "value": "00u-mh"}, {"externalId": "00u-mh"}),
        ({"op": "remove", "path": "displayName"}, None),
    ],
)
async def test_patch_operations(
    scim: httpx.AsyncClient, operation: dict[str, Any], expected: dict[str, Any] | None
) -> None:
    created = await create_user(
        scim,
        "margaret@example.com",
        displayName="Margaret H",
        name={"givenName": "Margaret"},
        emails=[{"value": "margaret@example.com", "type": "work", "primary": True}],
    )

    response = await patch(scim, created["id"], operation)

    assert response.status_code == 200, response.text
    body = response.json()
    if operation["op"] == "remove":
        assert "displayName" not in body
    elif expected is None:
        assert body["name"]["familyName"] == "Hamilton"
    else:
        assert {key: body[key] for key in expected} == expected
    assert (await scim.get(f"/scim/v2/Users/{created['id']}")).json() == body


@pytest.mark.parametrize(
    ("operation", "scim_type"),
    [
        ({"op": "remove", "path": "userName"}, "mutability"),
        ({"op": "replace", "path": "id", "value": "x"}, "mutability"),
        ({"op": "jump", "path": "displayName", "value": "x"}, "invalidValue"),
        ({"op": "replace", "path": "active", "value": "perhaps"}, "invalidValue"),
    ],
)
async def test_refused_patch_operations_change_nothing(
    scim: httpx.AsyncClient, operation: dict[str, Any], scim_type: str
) -> None:
    created = await create_user(scim, "refused@example.com")

    response = await patch(scim, created["id"], operation)

    assert_scim_error(response, 400, scim_type)
    assert (await scim.get(f"/scim/v2/Users/{created['id']}")).json() == created


async def test_patch_to_a_taken_user_name_is_a_uniqueness_conflict(
    scim: httpx.AsyncClient,
) -> None:
    await create_user(scim, "first@example.com")
    second = await create_user(scim, "second@example.com")

    response = await patch(
        scim, second["id"], {"op": "replace", "path": "userName", "value": "First@example.com"}
    )

    assert_scim_error(response, 409, "uniqueness")


async def test_a_body_that_is_not_json_is_invalid_syntax(scim: httpx.AsyncClient) -> None:
    response = await scim.post(
        "/scim/v2/Users", content=b"{nope", headers={"content-type": "application/scim+json"}
    )

    assert_scim_error(response, 400, "invalidSyntax")


async def test_delete_deprovisions_but_keeps_the_person(
    scim: httpx.AsyncClient, session: AsyncSession
) -> None:
    created = await create_user(scim, "deleted@example.com", externalId="00u-deleted")
    team = await create_team(session)
    await create_membership(session, person_id=created["id"], team_id=team.id)

    response = await scim.delete(f"/scim/v2/Users/{created['id']}")

    assert response.status_code == 204
    assert_scim_error(await scim.get(f"/scim/v2/Users/{created['id']}"), 404)
    assert_scim_error(await scim.delete(f"/scim/v2/Users/{created['id']}"), 404)
    person = await session.get(Person, created["id"], populate_existing=True)
    assert person is not None
    assert (person.active, person.scim_user_name, person.subject) == (False, None, "00u-deleted")
    memberships = await session.scalars(select(Membership).where(Membership.person_id == person.id))
    assert memberships.all() == []
    recreated = await create_user(scim, "deleted@example.com", externalId="00u-deleted")
    assert recreated["id"] == created["id"]
    await session.refresh(person)
    assert person.active is True
