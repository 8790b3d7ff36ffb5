"""SCIM and sign-in together: deactivation locks out on the next request, first sign-in claims."""

# ruff: noqa: F811  (the SCIM fixtures are imported from test_scim_users and used by name)

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.history import RecordVersion
from identity.models import Membership, Person
from tests.builders.identity import create_membership, create_team
from tests.identity.idp import TestIssuer
from tests.identity.test_scim_users import (  # noqa: F401  (fixtures)
    create_user,
    patch,
    scim,
    scim_settings,
    user_payload,
)

VIEWER = "{ viewer { person { displayName email } teams { slug } } }"


async def viewer(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"}
    )


async def _member_of_a_team(session: AsyncSession, person_id: Any, slug: str) -> None:
    team = await create_team(session, slug=slug)
    await create_membership(session, person_id=person_id, team_id=team.id)


async def _memberships(session: AsyncSession, person_id: Any) -> list[Membership]:
    found = await session.scalars(select(Membership).where(Membership.person_id == person_id))
    return list(found)


DEACTIVATIONS = {
    "patch-without-path": lambda client, user: patch(
        client, user["id"], {"op": "Replace", "value": {"active": False}}
    ),
    "patch-active-string": lambda client, user: patch(
        client, user["id"], {"op": "Replace", "path": "active", "value": "False"}
    ),
    "put-inactive": lambda client, user: client.put(
        f"/scim/v2/Users/{user['id']}",
        json=user_payload(user["userName"], externalId=user["externalId"], active=False),
    ),
    "delete": lambda client, user: client.delete(f"/scim/v2/Users/{user['id']}"),
}


@pytest.mark.parametrize("deactivate", DEACTIVATIONS.values(), ids=DEACTIVATIONS.keys())
async def test_deactivation_refuses_the_very_next_request_and_drops_memberships(
    scim: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession, deactivate: Any
) -> None:
    user = await create_user(scim, "nina@example.com", externalId="00u-nina")
    await _member_of_a_team(session, user["id"], "payments")
    token = issuer.token(sub="00u-nina")
    signed_in = await viewer(scim, token)
    assert signed_in.json()["data"]["viewer"]["teams"] == [{"slug": "payments"}]

    response = await deactivate(scim, user)

    assert response.status_code in (200, 204), response.text
    refused = await viewer(scim, token)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert await _memberships(session, user["id"]) == []


async def test_reactivation_lets_the_person_in_again_without_their_old_teams(
    scim: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    user = await create_user(scim, "omar@example.com", externalId="00u-omar")
    await _member_of_a_team(session, user["id"], "billing")
    token = issuer.token(sub="00u-omar")
    await patch(scim, user["id"], {"op": "replace", "path": "active", "value": False})
    assert (await viewer(scim, token)).status_code == 401

    response = await patch(scim, user["id"], {"op": "replace", "path": "active", "value": True})

    assert response.json()["active"] is True
    back = await viewer(scim, token)
    assert back.status_code == 200
    assert back.json()["data"]["viewer"]["teams"] == []


async def test_the_first_sign_in_with_a_verified_email_claims_the_scim_person(
    scim: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    user = await create_user(scim, "Claire@Example.com", displayName="Claire")
    await _member_of_a_team(session, user["id"], "claims")

    response = await viewer(
        scim, issuer.token(sub="claire-sub", email="claire@example.com", email_verified=True)
    )

    assert response.json()["data"]["viewer"] == {
        "person": {"displayName": "Claire", "email": None},
        "teams": [{"slug": "claims"}],
    }
    person = await session.get(Person, user["id"], populate_existing=True)
    assert person is not None
    assert person.subject == "claire-sub"
    again = await viewer(scim, issuer.token(sub="claire-sub"))
    assert again.json()["data"]["viewer"]["teams"] == [{"slug": "claims"}]


async def test_an_unverified_email_claims_nothing(
    scim: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    user = await create_user(scim, "dan@example.com")

    response = await viewer(scim, issuer.token(sub="dan-sub", email="dan@example.com"))

    assert response.status_code == 200
    person = await session.get(Person, user["id"], populate_existing=True)
    assert person is not None
    assert person.subject.startswith("scim:")
    newcomer = await session.scalar(select(Person).where(Person.subject == "dan-sub"))
    assert newcomer is not None
    assert newcomer.id != person.id


async def test_a_deactivated_scim_person_is_claimed_and_refused(
    scim: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    await create_user(scim, "eve@example.com", active=False)

    response = await viewer(
        scim, issuer.token(sub="eve-sub", email="eve@example.com", email_verified=True)
    )

    assert response.status_code == 401


async def test_setting_an_external_id_later_gives_the_placeholder_person_that_subject(
    scim: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    user = await create_user(scim, "fay@example.com")
    await _member_of_a_team(session, user["id"], "late-link")

    await patch(scim, user["id"], {"op": "add", "path": "externalId", "value": "00u-fay"})

    response = await viewer(scim, issuer.token(sub="00u-fay"))
    assert response.json()["data"]["viewer"]["teams"] == [{"slug": "late-link"}]


async def test_history_names_the_scim_client_as_the_actor(
    scim: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    user = await create_user(scim, "gus@example.com")
    await patch(scim, user["id"], {"op": "replace", "path": "active", "value": False})

    versions = await session.scalars(
        select(RecordVersion)
        .where(RecordVersion.record_id == user["id"])
        .order_by(RecordVersion.id)
    )

    assert [(version.action, version.actor) for version in versions] == [
        ("CREATE", f"scim:{issuer.issuer}"),
        ("UPDATE", f"scim:{issuer.issuer}"),
    ]
