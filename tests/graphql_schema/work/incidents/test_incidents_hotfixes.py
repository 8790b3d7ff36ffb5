"""Hot fixes: HOTFIX and VULNERABILITY backlog items made for an incident, listed on it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.node import global_id
from tests.builders.catalog import create_service
from tests.builders.identity import create_team
from tests.builders.work import create_incident
from tests.graphql_schema.desk import Desk
from work.backlog.actions import create_item_for_source

CREATE = """
mutation($input: CreateHotfixInput!) {
  createHotfix(input: $input) {
    backlogItem { type status title needsDesignReview sourceType sourceId team { id } }
    userErrors { field message code }
  }
}
"""
HOTFIXES = """
query($id: ID!) {
  node(id: $id) { ... on Incident { hotfixes { title type service { slug } } } }
}
"""


def _input(incident_id: Any, **fields: Any) -> dict[str, Any]:
    return {"input": {"incidentId": global_id("Incident", incident_id), **fields}}


async def test_a_hot_fix_goes_to_the_owner_teams_backlog_linked_to_the_incident(
    desk: Desk, session: AsyncSession
) -> None:
    team = await create_team(session)
    checkout = await create_service(session, owner_team_id=team.id)
    incident = await create_incident(session, service_ids=[checkout.id])
    engineer = await desk.person(session, teams=[team.id])

    body = await engineer.data(CREATE, _input(incident.id, type="HOTFIX", title="Retry payments"))

    assert body["createHotfix"] == {
        "backlogItem": {
            "type": "HOTFIX",
            "status": "NEW",
            "title": "Retry payments",
            "needsDesignReview": False,
            "sourceType": "INCIDENT",
            "sourceId": global_id("Incident", incident.id),
            "team": {"id": global_id("Team", team.id)},
        },
        "userErrors": [],
    }


async def test_the_incident_lists_its_hot_fixes_and_nothing_else(
    desk: Desk, session: AsyncSession
) -> None:
    checkout = await create_service(session, slug="checkout")
    payments = await create_service(session, slug="payments")
    incident = await create_incident(session, service_ids=[checkout.id, payments.id])
    other = await create_incident(session, service_ids=[checkout.id])
    agent = await desk.person(session, "support")
    for incident_id, kind, title, service in (
        (incident.id, "HOTFIX", "Retry payments", payments),
        (incident.id, "VULNERABILITY", "Patch the gateway", checkout),
        (other.id, "HOTFIX", "Someone else's", checkout),
    ):
        made = await agent.data(
            CREATE,
            _input(incident_id, type=kind, title=title, serviceId=global_id("Service", service.id)),
        )
        assert made["createHotfix"]["userErrors"] == []
    await create_item_for_source(  # a follow-up feature: linked, but no hot fix
        session,
        service_id=checkout.id,
        item_type="FEATURE",
        title="Better alerts",
        description="",
        source_type="INCIDENT",
        source_id=incident.id,
    )

    body = await agent.data(HOTFIXES, {"id": global_id("Incident", incident.id)})

    # Oldest first; made in one test transaction, they tie on time, so compare as a set.
    assert sorted(body["node"]["hotfixes"], key=lambda fix: fix["title"]) == [
        {"title": "Patch the gateway", "type": "VULNERABILITY", "service": {"slug": "checkout"}},
        {"title": "Retry payments", "type": "HOTFIX", "service": {"slug": "payments"}},
    ]


async def test_a_hot_fix_is_a_hotfix_or_a_vulnerability(desk: Desk, session: AsyncSession) -> None:
    checkout = await create_service(session)
    incident = await create_incident(session, service_ids=[checkout.id])
    agent = await desk.person(session, "support")

    body = await agent.data(CREATE, _input(incident.id, type="FEATURE", title="Nicer"))

    assert body["createHotfix"]["userErrors"] == [
        {
            "field": ["type"],
            "message": "a hot fix is a HOTFIX or a VULNERABILITY item",
            "code": "INVALID",
        }
    ]


async def test_with_several_services_the_hot_fix_names_one_of_them(
    desk: Desk, session: AsyncSession
) -> None:
    checkout = await create_service(session)
    payments = await create_service(session)
    elsewhere = await create_service(session)
    incident = await create_incident(session, service_ids=[checkout.id, payments.id])
    agent = await desk.person(session, "support")

    unnamed = await agent.data(CREATE, _input(incident.id, type="HOTFIX", title="Fix"))
    unaffected = await agent.data(
        CREATE,
        _input(
            incident.id, type="HOTFIX", title="Fix", serviceId=global_id("Service", elsewhere.id)
        ),
    )

    assert unnamed["createHotfix"]["userErrors"] == [
        {
            "field": ["serviceId"],
            "message": "the incident affects several services: name one",
            "code": "REQUIRED",
        }
    ]
    assert unaffected["createHotfix"]["userErrors"] == [
        {
            "field": ["serviceId"],
            "message": "the service is not one the incident affects",
            "code": "INVALID",
        }
    ]


async def test_an_outsider_may_not_create_a_hot_fix(desk: Desk, session: AsyncSession) -> None:
    checkout = await create_service(session)
    incident = await create_incident(session, service_ids=[checkout.id])
    outsider = await desk.person(session, "contributors")

    body = await outsider.gql(CREATE, _input(incident.id, type="HOTFIX", title="Fix"))

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
