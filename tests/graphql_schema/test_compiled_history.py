"""`recordHistory` on the compiled read path: versions page by their integer keys with the
resolvers' cursors, and each change (field names camel-cased, values of every JSON kind,
nulls, the org list kept outside the row) answers the resolvers' JSON from one statement."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from core.settings import ReadPath, Settings
from graphql_schema.compiled.extension import PLAN_HEADER, _first_difference
from graphql_schema.node import global_id
from tests.builders.catalog import create_org
from tests.builders.identity import create_team
from tests.conftest import StatementCounter
from tests.graphql import data, gql

MakeClient = Callable[[Settings], Awaitable[httpx.AsyncClient]]

CREATE = """
mutation Create($input: CreateServiceInput!) {
  createService(input: $input) { service { id } userErrors { code } }
}
"""
UPDATE = """
mutation Update($input: UpdateServiceInput!) {
  updateService(input: $input) { service { version } userErrors { code field } }
}
"""
HISTORY = """
query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  recordHistory(id: $id, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges {
      cursor
      node {
        __typename version at actor requestId action
        changes { __typename field from to }
        again: changes { ... on FieldChange { was: from } }
      }
    }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
CHANGES: list[dict[str, Any]] = [
    {"name": "Q2C", "description": 'Line one\nand "quotes"', "tags": ["emea", "Ünicode"]},
    {"reviewIntervalDays": 45, "complianceRegimes": ["SOX"], "description": None},
    {
        "businessCalendar": {
            "timeZone": "Europe/Zurich",
            "weeklyHours": [{"day": "MONDAY", "start": "08:00", "end": "17:30"}],
            "holidays": ["2026-12-25"],
        },
        "backupPolicy": {"rpoSeconds": 900},
    },
]


@pytest.fixture
async def changed(client: httpx.AsyncClient, session: AsyncSession) -> str:
    """A service created and changed four times (names, texts, lists, numbers, a calendar,
    its orgs); its global id."""
    team = await create_team(session)
    org = await create_org(session)
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
    service_id: str = created["createService"]["service"]["id"]
    orgs = {"salesforceOrgIds": [global_id("SalesforceOrg", org.id)]}
    for version, change in enumerate([*CHANGES, orgs], start=1):
        updated = await data(
            client, UPDATE, {"input": {"id": service_id, "version": version, **change}}
        )
        assert updated["updateService"]["userErrors"] == [], updated
    return service_id


async def _both(
    settings: Settings, make_client: MakeClient, variables: dict[str, Any]
) -> dict[str, Any]:
    compiled = await make_client(settings.model_copy(update={"read_path": ReadPath.COMPILED}))
    resolved = await make_client(settings.model_copy(update={"read_path": ReadPath.RESOLVERS}))
    answer = await gql(compiled, HISTORY, variables, headers={PLAN_HEADER: "1"})
    plan = answer.pop("extensions", {}).get("plan")
    assert plan == {"path": "compiled", "fields": {"recordHistory": "compiled"}}, plan
    expected = await gql(resolved, HISTORY, variables)
    assert "errors" not in expected, expected["errors"]
    assert json.dumps(answer) == json.dumps(expected), _first_difference(expected, answer, ())
    return answer


async def test_versions_page_both_ways_with_the_resolvers_changes_and_cursors(
    changed: str, settings: Settings, make_client: MakeClient
) -> None:
    versions: list[int] = []
    pages: list[dict[str, Any]] = []
    variables: dict[str, Any] = {"id": changed, "first": 2}
    while True:
        page = (await _both(settings, make_client, variables))["data"]["recordHistory"]
        pages.append(page)
        versions += [edge["node"]["version"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        variables["after"] = page["pageInfo"]["endCursor"]
    assert versions == [5, 4, 3, 2, 1]

    before = pages[-1]["pageInfo"]["startCursor"]
    back = await _both(settings, make_client, {"id": changed, "last": 2, "before": before})
    assert [edge["node"]["version"] for edge in back["data"]["recordHistory"]["edges"]] == [3, 2]

    every = await _both(settings, make_client, {"id": changed, "first": 6})
    by_version = {
        edge["node"]["version"]: edge["node"] for edge in every["data"]["recordHistory"]["edges"]
    }
    fields = {change["field"] for change in by_version[3]["changes"]}
    assert {"reviewIntervalDays", "complianceRegimes", "description"} <= fields
    assert by_version[5]["changes"][0]["field"] == "salesforceOrgIds"


async def test_a_malformed_id_is_refused_as_the_resolvers_refuse_it(
    settings: Settings, make_client: MakeClient
) -> None:
    compiled = await make_client(settings.model_copy(update={"read_path": ReadPath.COMPILED}))
    resolved = await make_client(settings.model_copy(update={"read_path": ReadPath.RESOLVERS}))
    for variables in ({"id": "nope"}, {"id": global_id("Service", uuid.UUID(int=0)), "after": "x"}):
        answer = await gql(compiled, HISTORY, variables)
        assert "errors" in answer, answer
        assert json.dumps(answer) == json.dumps(await gql(resolved, HISTORY, variables))


_HARNESS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "SET TRANSACTION")


@pytest.mark.read_path("compiled")
async def test_a_page_of_history_is_one_statement(
    changed: str, client: httpx.AsyncClient, count_statements: StatementCounter
) -> None:
    for first in (1, 6):
        count_statements.reset()
        await data(client, HISTORY, {"id": changed, "first": first})
        statements = [
            sql for sql in count_statements.statements if not sql.lstrip().startswith(_HARNESS)
        ]
        assert len(statements) == 1, statements
