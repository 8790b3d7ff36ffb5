"""Service requests through GraphQL: filing, triage, updates, tiers, history."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.node import global_id
from tests.builders.catalog import create_service
from tests.builders.identity import create_person, create_team
from tests.builders.work import create_request
from tests.graphql_schema.desk import Desk
from work.requests.models import RequestStatus

CREATE = """
mutation($input: CreateServiceRequestInput!) {
  createServiceRequest(input: $input) {
    serviceRequest {
      title kind impact urgency priority supportTier valueStream status version
      requester { displayName } assignee { displayName }
      statusHistory { fromStatus toStatus actor }
    }
    userErrors { field message code }
  }
}
"""
UPDATE = """
mutation($input: UpdateServiceRequestInput!) {
  updateServiceRequest(input: $input) {
    serviceRequest { impact urgency priority supportTier status version
                     assignee { displayName } statusHistory { toStatus } }
    userErrors { field message code }
  }
}
"""
TRANSITION = """
mutation($input: TransitionServiceRequestInput!) {
  transitionServiceRequest(input: $input) {
    serviceRequest { status priority supportTier assignee { displayName } }
    userErrors { field message code }
  }
}
"""
HISTORY = """
query($id: ID!) {
  node(id: $id) {
    ... on ServiceRequest {
      history { edges { node { version action actor changes { field from to } } } }
    }
  }
}
"""


async def test_a_filed_request_is_new_with_the_priority_of_the_matrix(
    desk: Desk, session: AsyncSession
) -> None:
    service = await create_service(session)
    alice = await desk.person(session, "contributors")
    assert alice.person is not None

    body = await alice.data(
        CREATE,
        {
            "input": {
                "serviceId": global_id("Service", service.id),
                "title": "Export of Q3 opportunities",
                "kind": "DATA",
                "impact": "HIGH",
                "urgency": "CRITICAL",
            }
        },
    )

    actor = f"person:{alice.person.id}"
    assert body["createServiceRequest"] == {
        "serviceRequest": {
            "title": "Export of Q3 opportunities",
            "kind": "DATA",
            "impact": "HIGH",
            "urgency": "CRITICAL",
            "priority": "P1",
            "supportTier": "L1",
            "valueStream": "REQUEST_TO_FULFIL",
            "status": "NEW",
            "version": 1,
            "requester": {"displayName": alice.person.display_name},
            "assignee": None,
            "statusHistory": [{"fromStatus": None, "toStatus": "NEW", "actor": actor}],
        },
        "userErrors": [],
    }


async def test_a_defect_belongs_to_detect_to_correct(desk: Desk, session: AsyncSession) -> None:
    service = await create_service(session)
    alice = await desk.person(session, "contributors")

    body = await alice.data(
        CREATE,
        {
            "input": {
                "serviceId": global_id("Service", service.id),
                "title": "Quotes lose their discount",
                "kind": "DEFECT",
            }
        },
    )

    request = body["createServiceRequest"]["serviceRequest"]
    assert (request["valueStream"], request["priority"]) == ("DETECT_TO_CORRECT", "P3")


async def test_a_viewer_may_not_file_a_request(desk: Desk, session: AsyncSession) -> None:
    service = await create_service(session)
    viewer = await desk.person(session)

    body = await viewer.gql(
        CREATE, {"input": {"serviceId": global_id("Service", service.id), "title": "x"}}
    )

    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]
    assert "CONTRIBUTOR or SUPPORT_AGENT" in body["errors"][0]["message"]


async def test_an_empty_title_is_refused(desk: Desk, session: AsyncSession) -> None:
    service = await create_service(session)
    alice = await desk.person(session, "contributors")

    body = await alice.data(
        CREATE, {"input": {"serviceId": global_id("Service", service.id), "title": "  "}}
    )

    assert body["createServiceRequest"] == {
        "serviceRequest": None,
        "userErrors": [
            {"field": ["title"], "message": "title must not be empty", "code": "REQUIRED"}
        ],
    }


async def test_triage_sets_priority_tier_and_assignee(desk: Desk, session: AsyncSession) -> None:
    service = await create_service(session)
    requester = await create_person(session)
    request = await create_request(session, service_id=service.id, requester_id=requester.id)
    agent = await desk.person(session, "support")
    engineer = await create_person(session, display_name="Erin Engineer")

    body = await agent.data(
        TRANSITION,
        {
            "input": {
                "id": global_id("ServiceRequest", request.id),
                "version": 1,
                "to": "TRIAGED",
                "impact": "CRITICAL",
                "urgency": "LOW",
                "supportTier": "L2",
                "assigneeId": global_id("Person", engineer.id),
            }
        },
    )

    assert body["transitionServiceRequest"] == {
        "serviceRequest": {
            "status": "TRIAGED",
            "priority": "P2",
            "supportTier": "L2",
            "assignee": {"displayName": "Erin Engineer"},
        },
        "userErrors": [],
    }


async def test_triage_fields_are_refused_after_triage(desk: Desk, session: AsyncSession) -> None:
    service = await create_service(session)
    requester = await create_person(session)
    request = await create_request(
        session, service_id=service.id, requester_id=requester.id, status=RequestStatus.TRIAGED
    )
    agent = await desk.person(session, "support")

    body = await agent.data(
        TRANSITION,
        {
            "input": {
                "id": global_id("ServiceRequest", request.id),
                "version": 1,
                "to": "IN_PROGRESS",
                "urgency": "HIGH",
            }
        },
    )

    assert body["transitionServiceRequest"] == {
        "serviceRequest": None,
        "userErrors": [
            {
                "field": ["urgency"],
                "message": "priority, tier and assignee are set at triage;"
                " use updateServiceRequest",
                "code": "INVALID",
            }
        ],
    }


async def test_new_impact_and_urgency_recompute_the_priority(
    desk: Desk, session: AsyncSession
) -> None:
    team = await create_team(session)
    service = await create_service(session, owner_team_id=team.id)
    requester = await create_person(session)
    request = await create_request(
        session, service_id=service.id, requester_id=requester.id, status=RequestStatus.TRIAGED
    )
    owner = await desk.person(session, teams=[team.id])
    variables = {"id": global_id("ServiceRequest", request.id), "version": 1}

    body = await owner.data(UPDATE, {"input": {**variables, "impact": "LOW", "urgency": "HIGH"}})

    updated = body["updateServiceRequest"]["serviceRequest"]
    assert (updated["impact"], updated["urgency"], updated["priority"]) == ("LOW", "HIGH", "P3")
    assert updated["version"] == 2


async def test_escalating_to_l2_changes_the_tier_not_the_status(
    desk: Desk, session: AsyncSession
) -> None:
    service = await create_service(session)
    requester = await create_person(session)
    agent = await desk.person(session, "support")
    assert agent.person is not None
    request = await create_request(
        session,
        service_id=service.id,
        requester_id=requester.id,
        status=RequestStatus.IN_PROGRESS,
        assignee_id=agent.person.id,
    )
    request_id = global_id("ServiceRequest", request.id)

    body = await agent.data(
        UPDATE, {"input": {"id": request_id, "version": 1, "supportTier": "L2"}}
    )
    history = await agent.data(HISTORY, {"id": request_id})

    updated = body["updateServiceRequest"]["serviceRequest"]
    assert (updated["supportTier"], updated["status"]) == ("L2", "IN_PROGRESS")
    assert updated["statusHistory"] == [{"toStatus": "IN_PROGRESS"}]
    latest = history["node"]["history"]["edges"][0]["node"]
    assert latest == {
        "version": 2,
        "action": "UPDATE",
        "actor": f"person:{agent.person.id}",
        "changes": [{"field": "supportTier", "from": "L1", "to": "L2"}],
    }


async def test_the_requester_may_edit_their_words_only_while_new(
    desk: Desk, session: AsyncSession
) -> None:
    service = await create_service(session)
    alice = await desk.person(session, "contributors")
    assert alice.person is not None
    new = await create_request(session, service_id=service.id, requester_id=alice.person.id)
    triaged = await create_request(
        session, service_id=service.id, requester_id=alice.person.id, status=RequestStatus.TRIAGED
    )

    edited = await alice.gql(
        UPDATE, {"input": {"id": global_id("ServiceRequest", new.id), "version": 1, "title": "Hi"}}
    )
    own_priority = await alice.gql(
        UPDATE,
        {"input": {"id": global_id("ServiceRequest", new.id), "version": 2, "impact": "HIGH"}},
    )
    late = await alice.gql(
        UPDATE,
        {"input": {"id": global_id("ServiceRequest", triaged.id), "version": 1, "title": "Hi"}},
    )

    assert edited["data"]["updateServiceRequest"]["userErrors"] == []
    for refused in (own_priority, late):
        assert refused["data"] is None
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_stale_version_is_refused_with_conflict(desk: Desk, session: AsyncSession) -> None:
    service = await create_service(session)
    requester = await create_person(session)
    request = await create_request(session, service_id=service.id, requester_id=requester.id)
    agent = await desk.person(session, "support")

    body = await agent.data(
        TRANSITION,
        {"input": {"id": global_id("ServiceRequest", request.id), "version": 7, "to": "TRIAGED"}},
    )

    (error,) = body["transitionServiceRequest"]["userErrors"]
    assert (error["code"], error["field"]) == ("CONFLICT", ["version"])


async def test_a_closed_request_no_longer_changes(desk: Desk, session: AsyncSession) -> None:
    service = await create_service(session)
    requester = await create_person(session)
    request = await create_request(
        session, service_id=service.id, requester_id=requester.id, status=RequestStatus.CLOSED
    )
    agent = await desk.person(session, "support")

    body = await agent.data(
        UPDATE,
        {
            "input": {
                "id": global_id("ServiceRequest", request.id),
                "version": 1,
                "supportTier": "L2",
            }
        },
    )

    assert body["updateServiceRequest"]["userErrors"] == [
        {"field": ["id"], "message": "a CLOSED request no longer changes", "code": "INVALID"}
    ]
