"""SCIM Groups mapped to team memberships, as Okta and Entra ID push them."""

# ruff: noqa: F811  (the SCIM fixtures are imported from test_scim_users and used by name)

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.audit import AuditEvent
from identity.models import Membership, MembershipRole, Team
from tests.builders.identity import create_membership, create_team
from tests.identity.idp import TestIssuer
from tests.identity.test_scim_users import (  # noqa: F401  (fixtures)
    LIST_SCHEMA,
    PATCH_SCHEMA,
    assert_scim_error,
    create_user,
    scim,
    scim_settings,
)

GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"


async def _group(client: httpx.AsyncClient, name: str, *members: str, **more: Any) -> Any:
    body = {
        "schemas": [GROUP_SCHEMA],
        "displayName": name,
        "members": [{"value": member} for member in members],
        **more,
    }
    response = await client.post("/scim/v2/Groups", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def _patch(client: httpx.AsyncClient, group_id: str, *operations: Any) -> httpx.Response:
    return await client.patch(
        f"/scim/v2/Groups/{group_id}",
        json={"schemas": [PATCH_SCHEMA], "Operations": list(operations)},
    )


async def _members(session: AsyncSession, team: Team) -> set[tuple[uuid.UUID, MembershipRole]]:
    rows = await session.execute(
        select(Membership.person_id, Membership.role).where(Membership.team_id == team.id)
    )
    return {(person_id, role) for person_id, role in rows}


async def _people(scim: httpx.AsyncClient, *names: str) -> list[str]:
    return [(await create_user(scim, f"{name}@example.com"))["id"] for name in names]


async def test_okta_pushes_a_group_named_like_a_team_and_its_members_join_the_team(
    scim: httpx.AsyncClient, session: AsyncSession, issuer: TestIssuer
) -> None:
    team = await create_team(session, name="Payments", slug="payments")
    alice, bob = await _people(scim, "alice", "bob")

    created = await _group(scim, "Payments", alice, bob)

    assert created["schemas"] == [GROUP_SCHEMA]
    assert created["displayName"] == "Payments"
    assert created["meta"]["resourceType"] == "Group"
    assert created["meta"]["location"] == f"http://test/scim/v2/Groups/{created['id']}"
    assert sorted((m["value"], m["type"], m["$ref"]) for m in created["members"]) == sorted(
        [
            (alice, "User", f"http://test/scim/v2/Users/{alice}"),
            (bob, "User", f"http://test/scim/v2/Users/{bob}"),
        ]
    )
    assert await _members(session, team) == {
        (uuid.UUID(alice), MembershipRole.ENGINEER),
        (uuid.UUID(bob), MembershipRole.ENGINEER),
    }
    audited = await session.scalars(
        select(AuditEvent).where(AuditEvent.action == "createMembership")
    )
    events = list(audited)
    assert len(events) == 2
    assert events[0].details == {"via": "scim", "group": created["id"], "team": str(team.id)}
    assert events[0].actor == f"client:scim@{issuer.issuer}"


async def test_okta_membership_patches_add_and_remove_team_members(
    scim: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session, name="Payments", slug="payments")
    alice, bob = await _people(scim, "alice", "bob")
    group = await _group(scim, "payments", alice)

    response = await _patch(
        scim,
        group["id"],
        {"op": "add", "path": "members", "value": [{"value": bob, "display": "Bob"}]},
        {"op": "remove", "path": f'members[value eq "{alice}"]'},
    )

    assert response.status_code == 200, response.text
    assert [(m["value"], m["display"]) for m in response.json()["members"]] == [(bob, "Bob")]
    assert await _members(session, team) == {(uuid.UUID(bob), MembershipRole.ENGINEER)}
    removed = await session.scalars(
        select(AuditEvent).where(AuditEvent.action == "deleteMembership")
    )
    assert [event.details["group"] for event in removed] == [group["id"]]


async def test_entra_removes_by_value_renames_and_maps_by_external_id(
    scim: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session, name="Checkout", slug="checkout")
    alice, bob = await _people(scim, "alice", "bob")
    group = await _group(scim, "SG-Checkout", alice, bob, externalId="checkout")

    response = await _patch(
        scim,
        group["id"],
        {"op": "Remove", "path": "members", "value": [{"value": alice}]},
        {"op": "Replace", "path": "displayName", "value": "SG-Checkout-Team"},
    )

    assert response.status_code == 200, response.text
    assert response.json()["displayName"] == "SG-Checkout-Team"
    assert response.json()["externalId"] == "checkout"
    assert await _members(session, team) == {(uuid.UUID(bob), MembershipRole.ENGINEER)}


async def test_a_group_matching_no_team_keeps_its_members_until_it_maps_to_one(
    scim: httpx.AsyncClient, session: AsyncSession
) -> None:
    (alice,) = await _people(scim, "alice")
    group = await _group(scim, "Everyone", alice)
    team = await create_team(session, name="Platform", slug="platform")

    fetched = (await scim.get(f"/scim/v2/Groups/{group['id']}")).json()
    replaced = await scim.put(
        f"/scim/v2/Groups/{group['id']}",
        json={"schemas": [GROUP_SCHEMA], "displayName": "Platform", "members": [{"value": alice}]},
    )

    assert [member["value"] for member in fetched["members"]] == [alice]
    assert replaced.status_code == 200, replaced.text
    assert await _members(session, team) == {(uuid.UUID(alice), MembershipRole.ENGINEER)}


async def test_removing_a_member_keeps_roles_given_in_the_catalog(
    scim: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session, name="Payments", slug="payments")
    (alice,) = await _people(scim, "alice")
    await create_membership(
        session, person_id=uuid.UUID(alice), team_id=team.id, role=MembershipRole.PRODUCT_OWNER
    )
    group = await _group(scim, "Payments", alice)

    await _patch(scim, group["id"], {"op": "remove", "path": f'members[value eq "{alice}"]'})

    assert await _members(session, team) == {(uuid.UUID(alice), MembershipRole.PRODUCT_OWNER)}


async def test_filter_by_display_name_finds_the_group_case_insensitively(
    scim: httpx.AsyncClient,
) -> None:
    group = await _group(scim, "Payments")
    await _group(scim, "Checkout")

    found = await scim.get("/scim/v2/Groups", params={"filter": 'displayName eq "payments"'})
    none = await scim.get("/scim/v2/Groups", params={"filter": 'displayName eq "Nope"'})
    everything = (await scim.get("/scim/v2/Groups")).json()

    assert found.json()["schemas"] == [LIST_SCHEMA]
    assert [item["id"] for item in found.json()["Resources"]] == [group["id"]]
    assert none.json()["totalResults"] == 0
    assert everything["totalResults"] == 2


async def test_bad_group_input_is_refused_and_changes_nothing(
    scim: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session, name="Payments", slug="payments")
    (alice,) = await _people(scim, "alice")
    await _group(scim, "Payments", alice)
    stranger = str(uuid.uuid4())

    unknown_member = await scim.post(
        "/scim/v2/Groups",
        json={"schemas": [GROUP_SCHEMA], "displayName": "Other", "members": [{"value": stranger}]},
    )
    duplicate = await scim.post(
        "/scim/v2/Groups", json={"schemas": [GROUP_SCHEMA], "displayName": "PAYMENTS"}
    )
    same_team = await scim.post(
        "/scim/v2/Groups",
        json={"schemas": [GROUP_SCHEMA], "displayName": "SG", "externalId": "payments"},
    )
    no_name = await scim.post("/scim/v2/Groups", json={"schemas": [GROUP_SCHEMA]})
    bad_filter = await scim.get("/scim/v2/Groups", params={"filter": 'members eq "x"'})

    assert stranger in assert_scim_error(unknown_member, 400, "invalidValue")["detail"]
    assert_scim_error(duplicate, 409, "uniqueness")
    assert_scim_error(same_team, 409, "uniqueness")
    assert_scim_error(no_name, 400, "invalidValue")
    assert_scim_error(bad_filter, 400, "invalidFilter")
    assert (await scim.get("/scim/v2/Groups")).json()["totalResults"] == 1
    assert await _members(session, team) == {(uuid.UUID(alice), MembershipRole.ENGINEER)}
    assert_scim_error(await scim.get(f"/scim/v2/Groups/{stranger}"), 404)
    assert_scim_error(await scim.get("/scim/v2/Groups/not-a-uuid"), 404)


async def test_deleting_the_group_takes_its_members_out_of_the_team(
    scim: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session, name="Payments", slug="payments")
    alice, bob = await _people(scim, "alice", "bob")
    group = await _group(scim, "Payments", alice, bob)

    deleted = await scim.delete(f"/scim/v2/Groups/{group['id']}")

    assert deleted.status_code == 204
    assert await _members(session, team) == set()
    assert_scim_error(await scim.get(f"/scim/v2/Groups/{group['id']}"), 404)


async def test_a_deleted_user_leaves_the_group(scim: httpx.AsyncClient) -> None:
    alice, bob = await _people(scim, "alice", "bob")
    group = await _group(scim, "Everyone", alice, bob)

    await scim.delete(f"/scim/v2/Users/{alice}")
    fetched = (await scim.get(f"/scim/v2/Groups/{group['id']}")).json()

    assert [member["value"] for member in fetched["members"]] == [bob]
