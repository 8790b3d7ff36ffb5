"""Archive hides a record from lists; delete is refused while anything refers to it."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service
from graphql_schema.node import global_id
from identity.models import Team
from tests.builders.catalog import create_org, create_ownership_role, create_service
from tests.builders.identity import create_person, create_team
from tests.graphql import data

ARCHIVE_SERVICE = """
mutation Archive($input: ArchiveInput!) {
  archiveService(input: $input) {
    service { slug archivedAt version }
    userErrors { field message code }
  }
}
"""
DELETE_SERVICE = """
mutation Delete($input: DeleteInput!) {
  deleteService(input: $input) { deletedId userErrors { field message code } }
}
"""
DELETE_TEAM = """
mutation Delete($input: DeleteInput!) {
  deleteTeam(input: $input) { deletedId userErrors { field message code } }
}
"""
DELETE_ORG = """
mutation Delete($input: DeleteInput!) {
  deleteSalesforceOrg(input: $input) { deletedId userErrors { field message code } }
}
"""
ARCHIVE_TEAM = """
mutation Archive($input: ArchiveInput!) {
  archiveTeam(input: $input) { team { slug archivedAt: updatedAt } userErrors { code } }
}
"""
SERVICES = """
query Services($includeArchived: Boolean!) {
  services(filter: {includeArchived: $includeArchived}) { totalCount edges { node { slug } } }
}
"""
TEAMS = """
query Teams($includeArchived: Boolean!) {
  teams(includeArchived: $includeArchived) { edges { node { slug } } }
}
"""


async def test_archived_service_is_hidden_unless_asked_for(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, slug="old-portal")

    archived = await data(
        client, ARCHIVE_SERVICE, {"input": {"id": global_id("Service", service.id), "version": 1}}
    )

    payload = archived["archiveService"]
    assert payload["userErrors"] == []
    assert payload["service"]["slug"] == "old-portal"
    assert payload["service"]["archivedAt"] is not None
    assert payload["service"]["version"] == 2
    hidden = await data(client, SERVICES, {"includeArchived": False})
    assert hidden["services"] == {"totalCount": 0, "edges": []}
    shown = await data(client, SERVICES, {"includeArchived": True})
    assert shown["services"]["edges"] == [{"node": {"slug": "old-portal"}}]


async def test_archive_with_a_stale_version_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)

    refused = await data(
        client, ARCHIVE_SERVICE, {"input": {"id": global_id("Service", service.id), "version": 3}}
    )

    assert refused["archiveService"]["service"] is None
    assert refused["archiveService"]["userErrors"][0]["code"] == "CONFLICT"
    stored = await session.scalar(
        select(Service.archived_at)
        .where(Service.id == service.id)
        .execution_options(populate_existing=True)
    )
    assert stored is None


async def test_deleting_a_service_with_roles_is_refused_with_has_dependents(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)
    person = await create_person(session)
    await create_ownership_role(session, service_id=service.id, person_id=person.id)

    refused = await data(
        client, DELETE_SERVICE, {"input": {"id": global_id("Service", service.id), "version": 1}}
    )

    assert refused["deleteService"] == {
        "deletedId": None,
        "userErrors": [
            {
                "field": ["id"],
                "message": "the service cannot be deleted: ownership role records refer to it",
                "code": "HAS_DEPENDENTS",
            }
        ],
    }
    assert await session.scalar(select(Service.slug).where(Service.id == service.id))


async def test_deleting_a_team_that_owns_services_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    await create_service(session, owner_team_id=team.id)

    refused = await data(
        client, DELETE_TEAM, {"input": {"id": global_id("Team", team.id), "version": 1}}
    )

    assert refused["deleteTeam"]["deletedId"] is None
    assert refused["deleteTeam"]["userErrors"][0]["code"] == "HAS_DEPENDENTS"
    assert await session.scalar(select(Team.slug).where(Team.id == team.id)) == team.slug


async def test_deleting_an_org_a_service_runs_on_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = await create_org(session)
    await create_service(session, orgs=[org])

    refused = await data(
        client, DELETE_ORG, {"input": {"id": global_id("SalesforceOrg", org.id), "version": 1}}
    )

    assert refused["deleteSalesforceOrg"]["userErrors"][0]["code"] == "HAS_DEPENDENTS"


async def test_an_unreferenced_service_is_deleted(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)
    service_id = global_id("Service", service.id)

    deleted = await data(client, DELETE_SERVICE, {"input": {"id": service_id, "version": 1}})

    assert deleted["deleteService"] == {"deletedId": service_id, "userErrors": []}
    assert await session.scalar(select(Service.id).where(Service.id == service.id)) is None
    again = await data(client, DELETE_SERVICE, {"input": {"id": service_id, "version": 1}})
    assert again["deleteService"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_delete_with_a_stale_version_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)

    refused = await data(
        client, DELETE_SERVICE, {"input": {"id": global_id("Service", service.id), "version": 2}}
    )

    assert refused["deleteService"]["userErrors"][0]["code"] == "CONFLICT"
    assert await session.scalar(select(Service.id).where(Service.id == service.id))


async def test_archived_team_leaves_the_team_list(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session, slug="legacy-crm")

    archived = await data(
        client, ARCHIVE_TEAM, {"input": {"id": global_id("Team", team.id), "version": 1}}
    )

    assert archived["archiveTeam"]["userErrors"] == []
    hidden = await data(client, TEAMS, {"includeArchived": False})
    assert {"node": {"slug": "legacy-crm"}} not in hidden["teams"]["edges"]
    shown = await data(client, TEAMS, {"includeArchived": True})
    assert {"node": {"slug": "legacy-crm"}} in shown["teams"]["edges"]
