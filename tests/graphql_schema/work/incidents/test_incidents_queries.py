"""Listing incidents: filters, and a statement count that stays flat with nested relations."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.node import global_id
from tests.builders.catalog import create_service
from tests.builders.identity import create_person, create_team
from tests.builders.work import create_incident
from tests.conftest import StatementCounter
from tests.graphql import data
from tests.graphql_schema.desk import Desk
from work.backlog.actions import create_item_for_source
from work.incidents.models import IncidentStatus, Severity

LIST = """
query($filter: IncidentFilter) {
  incidents(filter: $filter, first: 50) { totalCount edges { node { title } } }
}
"""
NESTED = """
query($first: Int!) {
  incidents(first: $first) {
    edges {
      node {
        title severity restoreTimeSeconds cost { amount }
        services { slug }
        commander { displayName }
        statusHistory { toStatus at }
        hotfixes { title }
      }
    }
  }
}
"""
_NOT_DOMAIN = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "SET TRANSACTION")


def _titles(body: dict[str, Any]) -> list[str]:
    return [edge["node"]["title"] for edge in body["incidents"]["edges"]]


async def test_filters_by_service_status_severity_and_alert(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    checkout = await create_service(session)
    payments = await create_service(session)
    await create_incident(session, service_ids=[checkout.id], title="checkout sev2")
    await create_incident(
        session,
        service_ids=[checkout.id, payments.id],
        title="both sev1",
        severity=Severity.SEV1,
        status=IncidentStatus.MITIGATED,
        alert_key="both-down",
    )
    await create_incident(session, service_ids=[payments.id], title="payments sev2")

    by_service = await data(
        client, LIST, {"filter": {"serviceId": global_id("Service", payments.id)}}
    )
    by_status = await data(client, LIST, {"filter": {"statuses": ["DETECTED"]}})
    by_severity = await data(client, LIST, {"filter": {"severities": ["SEV1"]}})
    by_alert = await data(client, LIST, {"filter": {"alertKey": "both-down"}})

    assert _titles(by_service) == ["payments sev2", "both sev1"]
    assert _titles(by_status) == ["payments sev2", "checkout sev2"]
    assert _titles(by_severity) == _titles(by_alert) == ["both sev1"]


async def test_mine_lists_what_the_caller_commands_or_their_teams_own(
    desk: Desk, session: AsyncSession
) -> None:
    team = await create_team(session)
    owned = await create_service(session, owner_team_id=team.id)
    other = await create_service(session)
    alice = await desk.person(session, teams=[team.id])
    assert alice.person is not None
    await create_incident(session, service_ids=[owned.id], title="on our service")
    await create_incident(
        session, service_ids=[other.id], title="commanded", commander_id=alice.person.id
    )
    await create_incident(session, service_ids=[other.id], title="not ours")

    body = await alice.data(LIST, {"filter": {"mine": True}})

    assert _titles(body) == ["commanded", "on our service"]


async def _domain_statements(
    client: httpx.AsyncClient, counter: StatementCounter, first: int
) -> int:
    counter.reset()
    page = await data(client, NESTED, {"first": first})
    edges = page["incidents"]["edges"]
    assert len(edges) == first
    assert all(edge["node"]["hotfixes"] and edge["node"]["services"] for edge in edges)
    return _domain(counter)


@pytest.mark.read_path("resolvers")  # the prefetch path's statements
async def test_nested_selections_cost_one_statement_per_relation_at_any_page_size(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    services = [await create_service(session) for _ in range(5)]
    people = [await create_person(session) for _ in range(3)]
    for n in range(50):
        incident = await create_incident(
            session,
            service_ids=[services[n % 5].id, services[(n + 1) % 5].id],
            title=f"incident {n}",
            commander_id=people[n % 3].id,
            people_hours=float(n),
        )
        await create_item_for_source(
            session,
            service_id=services[n % 5].id,
            item_type="HOTFIX",
            title=f"fix {n}",
            description="",
            source_type="INCIDENT",
            source_id=incident.id,
        )
    await data(client, "{ __typename }")

    five = await _domain_statements(client, count_statements, 5)
    fifty = await _domain_statements(client, count_statements, 50)

    # The page, then services, commander, status history and hot fixes: one statement each.
    assert (five, fifty) == (5, 5)


OPEN_ON_SERVICES = """
query($first: Int!) {
  services(first: $first, orderBy: { field: SLUG }) {
    edges { node { slug openIncidents { title services { slug } } } }
  }
}
"""


@pytest.mark.read_path("resolvers")  # the prefetch path's statements
async def test_services_list_their_open_incidents_in_one_statement(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    services = [await create_service(session, slug=f"svc-{n:02d}") for n in range(12)]
    for n, service in enumerate(services):
        await create_incident(session, service_ids=[service.id], title=f"open {n}")
        await create_incident(
            session, service_ids=[service.id], title=f"done {n}", status=IncidentStatus.RESOLVED
        )
    await data(client, "{ __typename }")

    counts = []
    for first in (3, 12):
        count_statements.reset()
        page = await data(client, OPEN_ON_SERVICES, {"first": first})
        counts.append(_domain(count_statements))

    first_node = page["services"]["edges"][0]["node"]
    assert first_node == {
        "slug": "svc-00",
        "openIncidents": [{"title": "open 0", "services": [{"slug": "svc-00"}]}],
    }
    # The page, its open incidents, and their services, whatever the page size.
    assert counts[0] == counts[1] == 3


def _domain(counter: StatementCounter) -> int:
    return sum(
        1
        for sql in counter.statements
        if not sql.lstrip().upper().startswith(_NOT_DOMAIN) and "person.issuer =" not in sql
    )
