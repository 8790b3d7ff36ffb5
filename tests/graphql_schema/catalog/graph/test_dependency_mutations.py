"""Shared resources and dependencies changed over GraphQL: bad input changes nothing."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.graph.models import Dependency, DependencyKind, SharedResource
from graphql_schema.node import global_id
from tests.builders.catalog import create_dependency, create_service, create_shared_resource
from tests.builders.identity import create_team
from tests.graphql import data

CREATE_RESOURCE = """
mutation Create($input: CreateSharedResourceInput!) {
  createSharedResource(input: $input) {
    sharedResource { name kind description version ownerTeam { slug } }
    userErrors { field message code }
  }
}
"""
UPDATE_RESOURCE = """
mutation Update($input: UpdateSharedResourceInput!) {
  updateSharedResource(input: $input) {
    sharedResource { name kind version }
    userErrors { field code }
  }
}
"""
ARCHIVE_RESOURCE = """
mutation Archive($input: ArchiveInput!) {
  archiveSharedResource(input: $input) { sharedResource { archivedAt } userErrors { code } }
}
"""
DELETE_RESOURCE = """
mutation Delete($input: DeleteInput!) {
  deleteSharedResource(input: $input) { deletedId userErrors { field message code } }
}
"""
CREATE_DEPENDENCY = """
mutation Create($input: CreateDependencyInput!) {
  createDependency(input: $input) {
    dependency {
      kind
      description
      source { slug }
      target { __typename ... on Service { slug } ... on SharedResource { name } }
    }
    userErrors { field message code }
  }
}
"""
DELETE_DEPENDENCY = """
mutation Delete($input: DeleteInput!) {
  deleteDependency(input: $input) { deletedId userErrors { field code } }
}
"""
DELETE_SERVICE = """
mutation Delete($input: DeleteInput!) {
  deleteService(input: $input) { deletedId userErrors { field message code } }
}
"""
HISTORY = """
query History($id: ID!) {
  recordHistory(id: $id) { edges { node { version action changes { field to } } } }
}
"""


async def _count(session: AsyncSession, model: type[Any]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_shared_resource_is_created_renamed_and_archived(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session, slug="integration")

    created = await data(
        client,
        CREATE_RESOURCE,
        {
            "input": {
                "name": " MuleSoft Anypoint ",
                "kind": "INTEGRATION",
                "ownerTeamId": global_id("Team", team.id),
                "description": "The integration layer",
            }
        },
    )
    resource = await session.scalar(select(SharedResource))
    assert resource is not None
    resource_id = global_id("SharedResource", resource.id)
    renamed = await data(
        client,
        UPDATE_RESOURCE,
        {"input": {"id": resource_id, "version": 1, "name": "MuleSoft", "kind": "MIDDLEWARE"}},
    )
    archived = await data(client, ARCHIVE_RESOURCE, {"input": {"id": resource_id, "version": 2}})

    assert created == {
        "createSharedResource": {
            "sharedResource": {
                "name": "MuleSoft Anypoint",
                "kind": "INTEGRATION",
                "description": "The integration layer",
                "version": 1,
                "ownerTeam": {"slug": "integration"},
            },
            "userErrors": [],
        }
    }
    assert renamed == {
        "updateSharedResource": {
            "sharedResource": {"name": "MuleSoft", "kind": "MIDDLEWARE", "version": 2},
            "userErrors": [],
        }
    }
    assert archived["archiveSharedResource"]["sharedResource"]["archivedAt"] is not None


async def test_a_shared_resource_name_is_taken_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    await create_shared_resource(session, name="Okta")

    refused = await data(
        client,
        CREATE_RESOURCE,
        {
            "input": {
                "name": "Okta",
                "kind": "IDENTITY_PROVIDER",
                "ownerTeamId": global_id("Team", team.id),
            }
        },
    )

    assert refused == {
        "createSharedResource": {
            "sharedResource": None,
            "userErrors": [
                {
                    "field": ["name"],
                    "message": "a shared resource named 'Okta' already exists",
                    "code": "DUPLICATE",
                }
            ],
        }
    }
    assert await _count(session, SharedResource) == 1


async def test_a_dependency_is_created_with_its_history(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    portal = await create_service(session, slug="portal")
    okta = await create_shared_resource(session, name="Okta")

    created = await data(
        client,
        CREATE_DEPENDENCY,
        {
            "input": {
                "sourceId": global_id("Service", portal.id),
                "targetId": global_id("SharedResource", okta.id),
                "kind": "AUTH",
                "description": "Employees sign in with Okta",
            }
        },
    )
    dependency = await session.scalar(select(Dependency))
    assert dependency is not None
    history = await data(client, HISTORY, {"id": global_id("Dependency", dependency.id)})

    assert created == {
        "createDependency": {
            "dependency": {
                "kind": "AUTH",
                "description": "Employees sign in with Okta",
                "source": {"slug": "portal"},
                "target": {"__typename": "SharedResource", "name": "Okta"},
            },
            "userErrors": [],
        }
    }
    assert history["recordHistory"]["edges"] == [
        {
            "node": {
                "version": 1,
                "action": "CREATE",
                "changes": [
                    {"field": "criticality", "to": "MEDIUM"},
                    {"field": "description", "to": "Employees sign in with Okta"},
                    {"field": "kind", "to": "AUTH"},
                    {"field": "sourceServiceId", "to": str(portal.id)},
                    {"field": "targetResourceId", "to": str(okta.id)},
                ],
            }
        }
    ]


SELF, DUPLICATE, NO_SOURCE, NO_TARGET, WRONG_TYPE, MALFORMED = (
    "self",
    "duplicate",
    "no-source",
    "no-target",
    "wrong-type",
    "malformed",
)


@pytest.mark.parametrize(
    ("case", "error"),
    [
        (
            SELF,
            {
                "field": ["targetId"],
                "message": "a service cannot depend on itself",
                "code": "INVALID",
            },
        ),
        (
            DUPLICATE,
            {
                "field": ["targetId"],
                "message": "this RUNTIME dependency is already recorded",
                "code": "DUPLICATE",
            },
        ),
        (NO_SOURCE, {"field": ["sourceId"], "message": "service not found", "code": "NOT_FOUND"}),
        (NO_TARGET, {"field": ["targetId"], "message": "target not found", "code": "NOT_FOUND"}),
        (
            WRONG_TYPE,
            {
                "field": ["targetId"],
                "message": "targetId names neither a Service nor a SharedResource",
                "code": "NOT_FOUND",
            },
        ),
        (
            MALFORMED,
            {"field": ["targetId"], "message": "targetId is not a valid id", "code": "NOT_FOUND"},
        ),
    ],
)
async def test_a_bad_dependency_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession, case: str, error: dict[str, Any]
) -> None:
    source = await create_service(session)
    target = await create_service(session)
    await create_dependency(session, source, target, DependencyKind.RUNTIME)
    source_id: str = global_id("Service", source.id)
    target_id: str = global_id("Service", target.id)
    if case == SELF:
        target_id = source_id
    elif case == NO_SOURCE:
        source_id = global_id("Service", uuid.uuid4())
    elif case == NO_TARGET:
        target_id = global_id("SharedResource", uuid.uuid4())
    elif case == WRONG_TYPE:
        target_id = global_id("Team", target.owner_team_id)
    elif case == MALFORMED:
        target_id = "not an id"

    refused = await data(
        client,
        CREATE_DEPENDENCY,
        {"input": {"sourceId": source_id, "targetId": target_id, "kind": "RUNTIME"}},
    )

    assert refused == {"createDependency": {"dependency": None, "userErrors": [error]}}
    assert await _count(session, Dependency) == 1


async def test_deleting_a_dependency_keeps_its_history(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    dependency = await create_dependency(
        session, await create_service(session), await create_service(session)
    )
    dependency_id = global_id("Dependency", dependency.id)

    stale = await data(client, DELETE_DEPENDENCY, {"input": {"id": dependency_id, "version": 7}})
    deleted = await data(client, DELETE_DEPENDENCY, {"input": {"id": dependency_id, "version": 1}})
    history = await data(client, HISTORY, {"id": dependency_id})

    assert stale == {
        "deleteDependency": {
            "deletedId": None,
            "userErrors": [{"field": ["version"], "code": "CONFLICT"}],
        }
    }
    assert deleted == {"deleteDependency": {"deletedId": dependency_id, "userErrors": []}}
    assert [edge["node"]["action"] for edge in history["recordHistory"]["edges"]] == [
        "DELETE",
        "CREATE",
    ]
    assert await _count(session, Dependency) == 0


async def test_what_a_service_depends_on_cannot_be_deleted(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    needed = await create_service(session)
    okta = await create_shared_resource(session)
    dependent = await create_service(session)
    await create_dependency(session, dependent, needed)
    await create_dependency(session, dependent, okta, DependencyKind.AUTH)

    service = await data(
        client, DELETE_SERVICE, {"input": {"id": global_id("Service", needed.id), "version": 1}}
    )
    resource = await data(
        client,
        DELETE_RESOURCE,
        {"input": {"id": global_id("SharedResource", okta.id), "version": 1}},
    )

    assert service == {
        "deleteService": {
            "deletedId": None,
            "userErrors": [
                {
                    "field": ["id"],
                    "message": "the service cannot be deleted: dependency records refer to it",
                    "code": "HAS_DEPENDENTS",
                }
            ],
        }
    }
    assert resource == {
        "deleteSharedResource": {
            "deletedId": None,
            "userErrors": [
                {
                    "field": ["id"],
                    "message": "the shared resource cannot be deleted: dependency records refer"
                    " to it",
                    "code": "HAS_DEPENDENTS",
                }
            ],
        }
    }
    assert await _count(session, SharedResource) == 1
