"""Only the owner team (or an ADMIN) changes a service, whatever roles the IdP grants."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service
from graphql_schema.node import global_id
from tests.builders.catalog import create_service
from tests.builders.identity import create_membership, create_person, create_team
from tests.graphql import without_cost
from tests.identity.idp import TestIssuer

RENAME = """
mutation Rename($input: UpdateServiceInput!) {
  updateService(input: $input) { service { name } userErrors { code } }
}
"""


async def _rename(client: httpx.AsyncClient, token: str, service: Service) -> dict[str, object]:
    response = await client.post(
        "/graphql",
        json={
            "query": RENAME,
            "variables": {
                "input": {"id": global_id("Service", service.id), "version": 1, "name": "Renamed"}
            },
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    body: dict[str, object] = without_cost(response.json())
    return body


async def test_a_member_of_another_team_is_refused(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    person = await create_person(session, issuer=issuer.issuer, subject="ted")
    own_team = await create_team(session)
    await create_membership(session, person_id=person.id, team_id=own_team.id)
    foreign = await create_service(session, name="Billing")

    body = await _rename(oidc_client, issuer.token(sub="ted"), foreign)

    assert body["data"] is None
    errors = body["errors"]
    assert isinstance(errors, list)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert await session.scalar(select(Service.name).where(Service.id == foreign.id)) == "Billing"


async def test_a_member_of_the_owner_team_may_change_its_service(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    person = await create_person(session, issuer=issuer.issuer, subject="uma")
    team = await create_team(session)
    await create_membership(session, person_id=person.id, team_id=team.id)
    service = await create_service(session, owner_team_id=team.id)

    body = await _rename(oidc_client, issuer.token(sub="uma"), service)

    assert body == {"data": {"updateService": {"service": {"name": "Renamed"}, "userErrors": []}}}


async def test_an_idp_admin_may_change_any_service(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    service = await create_service(session)

    body = await _rename(oidc_client, issuer.token(sub="root", groups=["catalog-admins"]), service)

    assert body == {"data": {"updateService": {"service": {"name": "Renamed"}, "userErrors": []}}}
