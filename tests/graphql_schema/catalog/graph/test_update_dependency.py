"""`updateDependency`: a dependency's kind, criticality and description change in place (its
ends do not), with history; stale versions, duplicates and strangers change nothing."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.graph.models import DependencyCriticality, DependencyKind
from graphql_schema.node import global_id
from tests.builders.catalog import create_dependency, create_service
from tests.builders.identity import create_team
from tests.graphql import data
from tests.graphql_schema.desk import Desk

UPDATE = """
mutation Update($input: UpdateDependencyInput!) {
  updateDependency(input: $input) {
    dependency {
      kind criticality description version
      source { slug }
      target { ... on Service { slug } }
    }
    userErrors { field message code }
  }
}
"""
CREATE = """
mutation Create($input: CreateDependencyInput!) {
  createDependency(input: $input) { dependency { kind criticality } userErrors { code } }
}
"""
HISTORY = """
query History($id: ID!) {
  node(id: $id) { ... on Dependency { history { nodes { version changes { field from to } } } } }
}
"""


async def _update(client: httpx.AsyncClient, **given: Any) -> dict[str, Any]:
    result = await data(client, UPDATE, {"input": given})
    payload: dict[str, Any] = result["updateDependency"]
    return payload


async def test_kind_criticality_and_description_change_with_history(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    portal = await create_service(session, slug="portal")
    crm = await create_service(session, slug="crm")
    dependency = await create_dependency(session, portal, crm, description="Reads accounts")
    dependency_id = global_id("Dependency", dependency.id)

    updated = await _update(
        client,
        id=dependency_id,
        version=1,
        kind="DATA",
        criticality="CRITICAL",
        description="  Reads and writes accounts ",
    )
    cleared = await _update(client, id=dependency_id, version=2, description=None)
    history = await data(client, HISTORY, {"id": dependency_id})

    assert updated == {
        "dependency": {
            "kind": "DATA",
            "criticality": "CRITICAL",
            "description": "Reads and writes accounts",
            "version": 2,
            "source": {"slug": "portal"},
            "target": {"slug": "crm"},
        },
        "userErrors": [],
    }
    assert cleared["dependency"]["description"] is None
    assert cleared["dependency"]["criticality"] == "CRITICAL"
    versions = history["node"]["history"]["nodes"]
    assert versions[0]["version"] == 3
    assert {change["field"]: change["to"] for change in versions[1]["changes"]} == {
        "criticality": "CRITICAL",
        "description": "Reads and writes accounts",
        "kind": "DATA",
    }


async def test_a_new_dependency_is_of_medium_criticality_unless_told(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    portal = await create_service(session, slug="portal")
    crm = await create_service(session, slug="crm")
    given = {"sourceId": global_id("Service", portal.id), "targetId": global_id("Service", crm.id)}

    plain = await data(client, CREATE, {"input": {**given, "kind": "RUNTIME"}})
    told = await data(client, CREATE, {"input": {**given, "kind": "AUTH", "criticality": "HIGH"}})

    assert plain["createDependency"]["dependency"] == {"kind": "RUNTIME", "criticality": "MEDIUM"}
    assert told["createDependency"]["dependency"] == {"kind": "AUTH", "criticality": "HIGH"}


async def test_stale_duplicate_and_null_changes_are_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    portal = await create_service(session, slug="portal")
    crm = await create_service(session, slug="crm")
    runtime = await create_dependency(session, portal, crm)
    await create_dependency(session, portal, crm, DependencyKind.DATA)
    runtime_id = global_id("Dependency", runtime.id)

    stale = await _update(client, id=runtime_id, version=7, criticality="LOW")
    duplicate = await _update(client, id=runtime_id, version=1, kind="DATA")
    null_kind = await _update(client, id=runtime_id, version=1, kind=None)
    too_long = await _update(client, id=runtime_id, version=1, description="x" * 2001)
    unknown = await _update(client, id=global_id("Dependency", portal.id), version=1, kind="DATA")

    assert stale["dependency"] is None
    assert stale["userErrors"][0]["code"] == "CONFLICT"
    assert duplicate["userErrors"] == [
        {
            "field": ["kind"],
            "message": "this DATA dependency is already recorded",
            "code": "DUPLICATE",
        }
    ]
    assert null_kind["userErrors"][0]["code"] == "REQUIRED"
    assert too_long["userErrors"][0]["code"] == "TOO_LONG"
    assert unknown["userErrors"][0]["code"] == "NOT_FOUND"
    await session.refresh(runtime)
    assert (runtime.kind, runtime.criticality, runtime.version) == (
        DependencyKind.RUNTIME,
        DependencyCriticality.MEDIUM,
        1,
    )


async def test_only_the_source_owner_team_changes_a_dependency(
    desk: Desk, session: AsyncSession
) -> None:
    owners = await create_team(session)
    portal = await create_service(session, slug="portal", owner_team_id=owners.id)
    crm = await create_service(session, slug="crm")
    dependency = await create_dependency(session, portal, crm)
    stranger = await desk.person(session, teams=[crm.owner_team_id])
    member = await desk.person(session, teams=[owners.id])
    given = {"id": global_id("Dependency", dependency.id), "version": 1, "criticality": "HIGH"}

    refused = await stranger.gql(UPDATE, {"input": given})
    allowed = await member.data(UPDATE, {"input": given})

    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert allowed["updateDependency"]["dependency"]["criticality"] == "HIGH"
