"""Every change to a versioned record is kept, with who made it, and outlives a delete."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.history import RecordVersion
from graphql_schema.node import global_id
from identity.models import Person
from tests.builders.catalog import create_org
from tests.builders.identity import create_team
from tests.graphql import data

CREATE = """
mutation Create($input: CreateServiceInput!) {
  createService(input: $input) { service { id version } userErrors { code } }
}
"""
UPDATE = """
mutation Update($input: UpdateServiceInput!) {
  updateService(input: $input) { service { id version } userErrors { code field } }
}
"""
HISTORY = """
query History($slug: String!) {
  service(slug: $slug) {
    version
    history(first: 10) {
      totalCount
      edges { node { version action actor requestId changes { field from to } } }
    }
  }
}
"""
DELETE = """
mutation Delete($input: DeleteInput!) {
  deleteService(input: $input) { deletedId userErrors { code message } }
}
"""
RECORD_HISTORY = """
query RecordHistory($id: ID!) {
  recordHistory(id: $id) { edges { node { version action changes { field from to } } } }
}
"""


async def _create(client: httpx.AsyncClient, session: AsyncSession) -> dict[str, object]:
    team = await create_team(session)
    created = await data(
        client,
        CREATE,
        {
            "input": {
                "slug": "quote-to-cash",
                "name": "Quote to cash",
                "ownerTeamId": global_id("Team", team.id),
                "tier": "TIER_1",
            }
        },
    )
    service: dict[str, object] = created["createService"]["service"]
    return service


async def test_each_change_is_a_version_numbered_like_the_record(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await _create(client, session)
    await data(client, UPDATE, {"input": {"id": service["id"], "version": 1, "name": "Q2C"}})

    result = await data(client, HISTORY, {"slug": "quote-to-cash"})

    history = result["service"]["history"]
    assert result["service"]["version"] == 2
    assert history["totalCount"] == 2
    latest, first = (edge["node"] for edge in history["edges"])
    assert latest["version"] == 2
    assert latest["action"] == "UPDATE"
    assert latest["changes"] == [{"field": "name", "from": "Quote to cash", "to": "Q2C"}]
    developer = await session.scalar(select(Person.id).where(Person.subject == "developer"))
    assert latest["actor"] == f"person:{developer}"
    assert latest["requestId"]
    assert first["version"] == 1
    assert first["action"] == "CREATE"
    fields = {change["field"]: change["to"] for change in first["changes"]}
    assert fields["slug"] == "quote-to-cash"
    assert fields["tier"] == "TIER_1"
    assert "version" not in fields
    assert "updatedAt" not in fields


async def test_request_id_header_is_recorded(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await _create(client, session)
    response = await client.post(
        "/graphql",
        json={
            "query": UPDATE,
            "variables": {"input": {"id": service["id"], "version": 1, "name": "X"}},
        },
        headers={"X-Request-ID": "req-42"},
    )
    assert response.json()["data"]["updateService"]["userErrors"] == []

    result = await data(client, HISTORY, {"slug": "quote-to-cash"})

    assert result["service"]["history"]["edges"][0]["node"]["requestId"] == "req-42"


async def test_changing_orgs_is_one_version_with_the_org_list(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await _create(client, session)
    org = await create_org(session)

    await data(
        client,
        UPDATE,
        {
            "input": {
                "id": service["id"],
                "version": 1,
                "salesforceOrgIds": [global_id("SalesforceOrg", org.id)],
            }
        },
    )
    result = await data(client, HISTORY, {"slug": "quote-to-cash"})

    latest = result["service"]["history"]["edges"][0]["node"]
    assert latest["version"] == 2 == result["service"]["version"]
    assert latest["changes"] == [{"field": "salesforceOrgIds", "from": [], "to": [str(org.id)]}]


async def test_refused_update_writes_no_version(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await _create(client, session)

    refused = await data(
        client, UPDATE, {"input": {"id": service["id"], "version": 7, "name": "X"}}
    )

    assert refused["updateService"]["userErrors"] == [{"code": "CONFLICT", "field": ["version"]}]
    count = await session.scalar(select(func.count()).where(RecordVersion.table_name == "service"))
    assert count == 1


async def test_history_outlives_a_delete(client: httpx.AsyncClient, session: AsyncSession) -> None:
    service = await _create(client, session)

    deleted = await data(client, DELETE, {"input": {"id": service["id"], "version": 1}})
    assert deleted["deleteService"] == {"deletedId": service["id"], "userErrors": []}

    result = await data(client, RECORD_HISTORY, {"id": service["id"]})

    actions = [
        (edge["node"]["version"], edge["node"]["action"])
        for edge in result["recordHistory"]["edges"]
    ]
    assert actions == [(2, "DELETE"), (1, "CREATE")]
    gone = result["recordHistory"]["edges"][0]["node"]["changes"]
    assert {"field": "slug", "from": "quote-to-cash", "to": None} in gone
