"""Every path of the service request table through GraphQL: who may, who may not, and why not."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service
from core.clock import utcnow
from core.events import BacklogItemsReleased, BacklogItemsUnreleased, publish
from graphql_schema.node import global_id
from server import subscribers
from tests.builders.catalog import create_service
from tests.builders.identity import create_team
from tests.builders.work import create_request
from tests.graphql_schema.desk import Caller, Desk
from work.backlog.models import BacklogItem
from work.requests.models import RequestStatus as S
from work.requests.models import ServiceRequest

TRANSITION = """
mutation($input: TransitionServiceRequestInput!) {
  transitionServiceRequest(input: $input) {
    serviceRequest {
      status assignee { id }
      backlogItem { type status title sourceType sourceId team { id } }
      statusHistory { fromStatus toStatus actor note }
    }
    userErrors { field message code }
  }
}
"""
READ = """
query($id: ID!) {
  node(id: $id) {
    ... on ServiceRequest { status fulfilledAt statusHistory { fromStatus toStatus actor } }
  }
}
"""

AGENT, OWNER, ASSIGNEE, REQUESTER = "SUPPORT_AGENT", "OWNER_TEAM", "ASSIGNEE", "REQUESTER"
PARTIES = (AGENT, OWNER, ASSIGNEE, REQUESTER)
# SPEC's table, written out again here: (from, to, who may).
MOVES = [
    (S.NEW, S.TRIAGED, {AGENT, OWNER}),
    (S.NEW, S.REJECTED, {AGENT, OWNER}),
    (S.TRIAGED, S.IN_PROGRESS, {AGENT, OWNER}),
    (S.TRIAGED, S.ASSIGNED_TO_BACKLOG, {AGENT, OWNER}),
    (S.TRIAGED, S.REJECTED, {AGENT, OWNER}),
    (S.IN_PROGRESS, S.WAITING_ON_REQUESTER, {ASSIGNEE, OWNER}),
    (S.IN_PROGRESS, S.FULFILLED, {ASSIGNEE, OWNER}),
    (S.WAITING_ON_REQUESTER, S.IN_PROGRESS, {REQUESTER, ASSIGNEE}),
    (S.ESCALATED_TO_VENDOR, S.IN_PROGRESS, {ASSIGNEE}),
    (S.ESCALATED_TO_VENDOR, S.FULFILLED, {ASSIGNEE}),
    (S.FULFILLED, S.CLOSED, {REQUESTER, ASSIGNEE}),
    (S.FULFILLED, S.IN_PROGRESS, {REQUESTER, ASSIGNEE}),
]
CASES = [
    pytest.param(before, after, party, party in who, id=f"{before}->{after}-by-{party}")
    for before, after, who in MOVES
    for party in PARTIES
]


async def _setup(
    desk: Desk, session: AsyncSession, status: S, party: str, **overrides: Any
) -> tuple[ServiceRequest, Caller]:
    """A request in `status` (with a requester and an assignee) and a caller standing as `party`."""
    team = await create_team(session)
    service = await create_service(session, owner_team_id=team.id)
    callers = {
        AGENT: await desk.person(session, "support"),
        OWNER: await desk.person(session, teams=[team.id]),
        ASSIGNEE: await desk.person(session, "contributors"),
        REQUESTER: await desk.person(session, "contributors"),
    }
    requester, assignee = callers[REQUESTER].person, callers[ASSIGNEE].person
    assert requester is not None
    assert assignee is not None
    request = await create_request(
        session,
        service_id=service.id,
        requester_id=requester.id,
        status=status,
        **{"assignee_id": assignee.id, **overrides},
    )
    return request, callers[party]


def _move(request: ServiceRequest, to: S, **extra: Any) -> dict[str, Any]:
    return {
        "input": {"id": global_id("ServiceRequest", request.id), "version": 1, "to": to, **extra}
    }


@pytest.mark.parametrize(("before", "after", "party", "allowed"), CASES)
async def test_each_move_is_made_only_by_the_parties_of_the_table(
    desk: Desk, session: AsyncSession, before: S, after: S, party: str, allowed: bool
) -> None:
    request, caller = await _setup(desk, session, before, party)

    body = await caller.gql(TRANSITION, _move(request, after, note="moved"))

    if not allowed:
        assert body["data"] is None
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert error["message"].startswith(f"moving a {before} request to {after} is reserved to")
        return
    assert caller.person is not None
    moved = body["data"]["transitionServiceRequest"]
    assert moved["userErrors"] == []
    assert moved["serviceRequest"]["status"] == after
    assert moved["serviceRequest"]["statusHistory"][-1] == {
        "fromStatus": before,
        "toStatus": after,
        "actor": f"person:{caller.person.id}",
        "note": "moved",
    }


# For each state, a move the table does not make, and the allowed next states it names.
REFUSALS = [
    (S.NEW, S.FULFILLED, "TRIAGED, REJECTED"),
    (S.TRIAGED, S.CLOSED, "IN_PROGRESS, ESCALATED_TO_VENDOR, ASSIGNED_TO_BACKLOG, REJECTED"),
    (S.IN_PROGRESS, S.TRIAGED, "WAITING_ON_REQUESTER, FULFILLED, ESCALATED_TO_VENDOR"),
    (S.WAITING_ON_REQUESTER, S.FULFILLED, "IN_PROGRESS"),
    (S.ESCALATED_TO_VENDOR, S.CLOSED, "IN_PROGRESS, FULFILLED"),
    (S.ASSIGNED_TO_BACKLOG, S.IN_PROGRESS, "FULFILLED"),
    (S.FULFILLED, S.REJECTED, "CLOSED, IN_PROGRESS"),
    (S.CLOSED, S.IN_PROGRESS, "none"),
    (S.REJECTED, S.TRIAGED, "none"),
]


@pytest.mark.parametrize(("before", "after", "allowed"), REFUSALS)
async def test_a_move_off_the_table_names_the_allowed_next_states(
    desk: Desk, session: AsyncSession, before: S, after: S, allowed: str
) -> None:
    request, caller = await _setup(desk, session, before, AGENT)

    body = await caller.data(TRANSITION, _move(request, after))

    assert body["transitionServiceRequest"] == {
        "serviceRequest": None,
        "userErrors": [
            {
                "field": ["to"],
                "message": f"a {before} request cannot become {after}; allowed next: {allowed}",
                "code": "INVALID_TRANSITION",
            }
        ],
    }


@pytest.mark.parametrize(
    ("before", "after", "because"),
    [
        (S.TRIAGED, S.ESCALATED_TO_VENDOR, "except by escalateToSalesforceSupport"),
        (S.IN_PROGRESS, S.ESCALATED_TO_VENDOR, "except by escalateToSalesforceSupport"),
        (S.ASSIGNED_TO_BACKLOG, S.FULFILLED, "except when its backlog item is released"),
    ],
)
async def test_moves_made_elsewhere_are_refused_saying_how_they_are_made(
    desk: Desk, session: AsyncSession, before: S, after: S, because: str
) -> None:
    request, caller = await _setup(desk, session, before, AGENT)

    body = await caller.data(TRANSITION, _move(request, after))

    (error,) = body["transitionServiceRequest"]["userErrors"]
    assert error["code"] == "INVALID_TRANSITION"
    assert error["message"].startswith(f"a {before} request cannot become {after} {because};")


async def test_an_admin_makes_any_manual_move(desk: Desk, session: AsyncSession) -> None:
    request, _ = await _setup(desk, session, S.ESCALATED_TO_VENDOR, AGENT)
    admin = await desk.person(session, "admins")

    body = await admin.data(TRANSITION, _move(request, S.FULFILLED))

    assert body["transitionServiceRequest"]["serviceRequest"]["status"] == "FULFILLED"


async def test_a_reopen_within_fourteen_days_goes_back_in_progress(
    desk: Desk, session: AsyncSession
) -> None:
    fulfilled = utcnow() - timedelta(days=13, hours=23)
    request, caller = await _setup(desk, session, S.FULFILLED, REQUESTER, fulfilled_at=fulfilled)

    body = await caller.data(TRANSITION, _move(request, S.IN_PROGRESS))
    after = await caller.data(READ, {"id": global_id("ServiceRequest", request.id)})

    assert body["transitionServiceRequest"]["serviceRequest"]["status"] == "IN_PROGRESS"
    assert after["node"]["fulfilledAt"] is None


async def test_a_reopen_after_fourteen_days_is_refused(desk: Desk, session: AsyncSession) -> None:
    fulfilled = utcnow() - timedelta(days=14, minutes=1)
    request, caller = await _setup(desk, session, S.FULFILLED, REQUESTER, fulfilled_at=fulfilled)

    body = await caller.data(TRANSITION, _move(request, S.IN_PROGRESS))

    assert body["transitionServiceRequest"]["userErrors"] == [
        {
            "field": ["to"],
            "message": "a FULFILLED request cannot become IN_PROGRESS after 14 days;"
            " allowed next: CLOSED",
            "code": "INVALID_TRANSITION",
        }
    ]


async def test_taking_a_request_in_progress_assigns_whoever_took_it(
    desk: Desk, session: AsyncSession
) -> None:
    request, caller = await _setup(desk, session, S.TRIAGED, AGENT, assignee_id=None)
    assert caller.person is not None

    body = await caller.data(TRANSITION, _move(request, S.IN_PROGRESS))

    assignee = body["transitionServiceRequest"]["serviceRequest"]["assignee"]
    assert assignee == {"id": global_id("Person", caller.person.id)}


async def _assigned_to_backlog(
    desk: Desk, session: AsyncSession
) -> tuple[ServiceRequest, Caller, dict[str, Any]]:
    request, caller = await _setup(desk, session, S.TRIAGED, OWNER, kind="DEFECT")
    body = await caller.data(TRANSITION, _move(request, S.ASSIGNED_TO_BACKLOG))
    return request, caller, body["transitionServiceRequest"]["serviceRequest"]


async def test_assignment_to_a_backlog_creates_a_linked_item(
    desk: Desk, session: AsyncSession
) -> None:
    request, _, moved = await _assigned_to_backlog(desk, session)
    service = await session.get(Service, request.service_id)
    assert service is not None

    assert moved["status"] == "ASSIGNED_TO_BACKLOG"
    assert moved["backlogItem"] == {
        "type": "DEFECT",
        "status": "NEW",
        "title": "Give me access",
        "sourceType": "REQUEST",
        "sourceId": global_id("ServiceRequest", request.id),
        "team": {"id": global_id("Team", service.owner_team_id)},
    }


async def _item_id(session: AsyncSession, request_id: uuid.UUID) -> uuid.UUID:
    item_id = await session.scalar(
        select(BacklogItem.id).where(
            BacklogItem.source_type == "REQUEST", BacklogItem.source_id == request_id
        )
    )
    assert item_id is not None
    return item_id


async def test_a_released_item_fulfils_its_request_and_a_rollback_returns_it(
    desk: Desk, session: AsyncSession
) -> None:
    request, caller, _ = await _assigned_to_backlog(desk, session)
    item_id = await _item_id(session, request.id)
    subscribers.wire()
    node = {"id": global_id("ServiceRequest", request.id)}

    await publish(session, BacklogItemsReleased((item_id,)))
    await session.flush()
    released = await caller.data(READ, node)
    await publish(session, BacklogItemsUnreleased((item_id,)))
    await session.flush()
    rolled_back = await caller.data(READ, node)

    assert released["node"]["status"] == "FULFILLED"
    assert released["node"]["fulfilledAt"] is not None
    assert released["node"]["statusHistory"][-1] == {
        "fromStatus": "ASSIGNED_TO_BACKLOG",
        "toStatus": "FULFILLED",
        "actor": "system:release",
    }
    assert rolled_back["node"]["status"] == "ASSIGNED_TO_BACKLOG"
    assert rolled_back["node"]["fulfilledAt"] is None


async def test_a_release_leaves_requests_in_other_states_alone(
    desk: Desk, session: AsyncSession
) -> None:
    request, caller, _ = await _assigned_to_backlog(desk, session)
    item_id = await _item_id(session, request.id)
    await session.execute(
        update(ServiceRequest).where(ServiceRequest.id == request.id).values(status=S.CLOSED)
    )
    subscribers.wire()

    await publish(session, BacklogItemsReleased((item_id,)))
    await session.flush()

    after = await caller.data(READ, {"id": global_id("ServiceRequest", request.id)})
    assert after["node"]["status"] == "CLOSED"
