"""Only the owner team and its product owner plan; only a DESIGN_AUTHORITY reviews.

Real tokens from a real issuer: roles come from the people's memberships.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.node import global_id
from identity.models import MembershipRole
from tests.builders.catalog import create_ownership_role, create_service
from tests.builders.identity import create_membership, create_person, create_team
from tests.builders.work import create_item, create_release
from tests.graphql import without_cost
from tests.identity.idp import TestIssuer
from work.backlog.models import BacklogItem, BacklogItemStatus
from work.releases.models import ReleaseStatus

CREATE_ITEM = """
mutation($input: CreateBacklogItemInput!) {
  createBacklogItem(input: $input) { backlogItem { title } userErrors { code } }
}
"""
TRANSITION = """
mutation($input: TransitionBacklogItemInput!) {
  transitionBacklogItem(input: $input) { backlogItem { status } userErrors { code } }
}
"""
CREATE_SPRINT = """
mutation($input: CreateSprintInput!) {
  createSprint(input: $input) { sprint { name } userErrors { code } }
}
"""
SHIP = """
mutation($input: ReleaseStepInput!) {
  shipRelease(input: $input) { release { status } userErrors { code } }
}
"""
REVIEW = """
mutation($input: RecordDesignReviewInput!) {
  recordDesignReview(input: $input) { designReview { outcome } userErrors { code } }
}
"""
ASSESS = """
mutation($input: AssessReadinessInput!) {
  assessReadiness(input: $input) { readinessAssessment { ready } userErrors { code } }
}
"""


class Caller:
    """Someone signed in through the issuer, posting GraphQL."""

    def __init__(self, client: httpx.AsyncClient, token: str, person_id: Any) -> None:
        self.client, self.token, self.person_id = client, token, person_id

    async def post(self, query: str, given: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": {"input": given}},
            headers={"Authorization": f"Bearer {self.token}"},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = without_cost(response.json())
        return body


async def _member(
    session: AsyncSession,
    client: httpx.AsyncClient,
    issuer: TestIssuer,
    team_id: Any,
    role: MembershipRole = MembershipRole.ENGINEER,
) -> Caller:
    person = await create_person(session, issuer=issuer.issuer)
    await create_membership(session, person_id=person.id, team_id=team_id, role=role)
    return Caller(client, issuer.token(sub=person.subject), person.id)


def _forbidden(body: dict[str, Any]) -> bool:
    errors = body.get("errors") or []
    return body.get("data") is None and [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]


def _id(record: Any) -> str:
    return global_id(type(record).__name__, record.id)


async def test_another_team_cannot_put_work_on_a_service_backlog(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    service = await create_service(session)
    outsider = await _member(session, oidc_client, issuer, (await create_team(session)).id)
    owner = await _member(session, oidc_client, issuer, service.owner_team_id)
    given = {"title": "Bulk edit", "serviceId": _id(service)}

    refused = await outsider.post(CREATE_ITEM, given)
    accepted = await owner.post(CREATE_ITEM, given)

    assert _forbidden(refused), refused
    assert accepted == {
        "data": {"createBacklogItem": {"backlogItem": {"title": "Bulk edit"}, "userErrors": []}}
    }
    assert await session.scalar(select(func.count()).select_from(BacklogItem)) == 1


async def test_the_product_owner_of_the_service_plans_without_being_in_the_team(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    service = await create_service(session)
    elsewhere = await create_team(session)
    product_owner = await _member(session, oidc_client, issuer, elsewhere.id)
    await create_ownership_role(session, service_id=service.id, person_id=product_owner.person_id)
    item = await create_item(session, team_id=service.owner_team_id, service_id=service.id)

    moved = await product_owner.post(TRANSITION, {"id": _id(item), "to": "READY"})

    assert moved == {
        "data": {"transitionBacklogItem": {"backlogItem": {"status": "READY"}, "userErrors": []}}
    }


async def test_another_team_cannot_move_an_item_or_plan_a_sprint(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    team = await create_team(session)
    item = await create_item(session, team_id=team.id)
    outsider = await _member(session, oidc_client, issuer, (await create_team(session)).id)
    sprint = {"teamId": _id(team), "name": "S1", "startsOn": "2026-03-02", "endsOn": "2026-03-13"}

    moved = await outsider.post(TRANSITION, {"id": _id(item), "to": "READY"})
    planned = await outsider.post(CREATE_SPRINT, sprint)

    assert _forbidden(moved), moved
    assert _forbidden(planned), planned
    await session.refresh(item)
    assert item.status is BacklogItemStatus.NEW


async def test_another_team_cannot_ship_a_release(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    team = await create_team(session)
    release = await create_release(session, owner_team_id=team.id, status=ReleaseStatus.IN_PROGRESS)
    outsider = await _member(session, oidc_client, issuer, (await create_team(session)).id)
    owner = await _member(session, oidc_client, issuer, team.id, MembershipRole.PRODUCT_OWNER)

    refused = await outsider.post(SHIP, {"id": _id(release)})
    shipped = await owner.post(SHIP, {"id": _id(release)})

    assert _forbidden(refused), refused
    assert shipped == {
        "data": {"shipRelease": {"release": {"status": "RELEASED"}, "userErrors": []}}
    }


async def test_only_a_design_authority_reviews(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    team = await create_team(session)
    item = await create_item(session, team_id=team.id, status=BacklogItemStatus.IN_DESIGN_REVIEW)
    engineer = await _member(session, oidc_client, issuer, team.id)
    architect = await _member(
        session,
        oidc_client,
        issuer,
        (await create_team(session)).id,
        MembershipRole.DESIGN_AUTHORITY,
    )
    given = {"itemId": _id(item), "outcome": "APPROVED"}

    refused = await engineer.post(REVIEW, given)
    reviewed = await architect.post(REVIEW, given)

    assert _forbidden(refused), refused
    assert reviewed == {
        "data": {"recordDesignReview": {"designReview": {"outcome": "APPROVED"}, "userErrors": []}}
    }


async def test_another_team_cannot_assess_a_service_readiness(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    service = await create_service(session)
    release = await create_release(
        session,
        owner_team_id=service.owner_team_id,
        kind="SALESFORCE_SEASONAL",
        season="WINTER",
        season_year=2027,
        service_ids=(service.id,),
    )
    outsider = await _member(session, oidc_client, issuer, (await create_team(session)).id)

    refused = await outsider.post(
        ASSESS, {"releaseId": _id(release), "serviceId": _id(service), "risk": "LOW"}
    )

    assert _forbidden(refused), refused
