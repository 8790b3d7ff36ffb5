"""Listing service requests: keyset pages, filters, and a statement count that stays flat."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.node import global_id
from tests.builders.catalog import create_service
from tests.builders.identity import create_person, create_team
from tests.builders.work import create_request
from tests.conftest import StatementCounter
from tests.graphql import data
from tests.graphql_schema.desk import Desk
from work.requests.models import Priority, RequestStatus

LIST = """
query($filter: ServiceRequestFilter, $first: Int, $after: String) {
  serviceRequests(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { node { title } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
NESTED = """
query($first: Int!) {
  serviceRequests(first: $first) {
    edges {
      node {
        title priority
        service { slug }
        requester { displayName }
        assignee { displayName }
        statusHistory { fromStatus toStatus at actor }
      }
    }
  }
}
"""
# The harness's savepoints, and the per-request overhead (identity, read-only transaction).
_NOT_DOMAIN = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "SET TRANSACTION")


def _titles(body: dict[str, Any]) -> list[str]:
    return [edge["node"]["title"] for edge in body["serviceRequests"]["edges"]]


async def test_pages_go_newest_first_without_repeats(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)
    person = await create_person(session)
    for n in range(7):
        await create_request(
            session, service_id=service.id, requester_id=person.id, title=f"request {n}"
        )

    seen: list[str] = []
    after = None
    while True:
        page = await data(client, LIST, {"first": 3, "after": after})
        seen += _titles(page)
        assert page["serviceRequests"]["totalCount"] == 7
        if not page["serviceRequests"]["pageInfo"]["hasNextPage"]:
            break
        after = page["serviceRequests"]["pageInfo"]["endCursor"]

    assert seen == [f"request {n}" for n in reversed(range(7))]


async def test_filters_by_service_status_and_priority(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    crm, erp = await create_service(session), await create_service(session)
    person = await create_person(session)
    await create_request(session, service_id=crm.id, requester_id=person.id, title="crm new")
    await create_request(
        session,
        service_id=crm.id,
        requester_id=person.id,
        title="crm urgent",
        priority=Priority.P1,
        status=RequestStatus.IN_PROGRESS,
    )
    await create_request(session, service_id=erp.id, requester_id=person.id, title="erp new")

    by_service = await data(client, LIST, {"filter": {"serviceId": global_id("Service", crm.id)}})
    by_status = await data(client, LIST, {"filter": {"statuses": ["IN_PROGRESS"]}})
    by_priority = await data(client, LIST, {"filter": {"priorities": ["P3"]}})

    assert _titles(by_service) == ["crm urgent", "crm new"]
    assert _titles(by_status) == ["crm urgent"]
    assert _titles(by_priority) == ["erp new", "crm new"]


async def test_mine_lists_what_the_caller_filed_or_works(desk: Desk, session: AsyncSession) -> None:
    service = await create_service(session)
    alice = await desk.person(session, "support")
    other = await create_person(session)
    assert alice.person is not None
    await create_request(
        session, service_id=service.id, requester_id=alice.person.id, title="filed"
    )
    await create_request(
        session,
        service_id=service.id,
        requester_id=other.id,
        assignee_id=alice.person.id,
        title="worked",
    )
    await create_request(session, service_id=service.id, requester_id=other.id, title="other")

    mine = await alice.data(LIST, {"filter": {"mine": True}})
    assigned = await alice.data(
        LIST, {"filter": {"assigneeId": global_id("Person", alice.person.id)}}
    )

    assert _titles(mine) == ["worked", "filed"]
    assert _titles(assigned) == ["worked"]


async def _domain_statements(
    client: httpx.AsyncClient, counter: StatementCounter, first: int
) -> int:
    counter.reset()
    page = await data(client, NESTED, {"first": first})
    assert len(page["serviceRequests"]["edges"]) == first
    assert all(edge["node"]["statusHistory"] for edge in page["serviceRequests"]["edges"])
    return sum(
        1
        for sql in counter.statements
        if not sql.lstrip().upper().startswith(_NOT_DOMAIN) and "person.issuer =" not in sql
    )


@pytest.mark.read_path("resolvers")  # the prefetch path's statements
async def test_nested_selections_cost_one_statement_per_relation_at_any_page_size(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    teams = [await create_team(session) for _ in range(3)]
    people = [await create_person(session) for _ in range(4)]
    for n in range(50):
        service = await create_service(session, owner_team_id=teams[n % 3].id)
        await create_request(
            session,
            service_id=service.id,
            requester_id=people[n % 4].id,
            assignee_id=people[(n + 1) % 4].id,
            title=f"request {n}",
        )
    await data(client, "{ __typename }")  # provisions the development person first

    five = await _domain_statements(client, count_statements, 5)
    fifty = await _domain_statements(client, count_statements, 50)

    # The page, then service, requester, assignee and status history: one statement each.
    assert (five, fifty) == (5, 5)
