from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.builders.catalog import create_org, create_ownership_role, create_service
from tests.builders.identity import create_business_unit, create_person, create_team
from tests.conftest import StatementCounter
from tests.graphql import data, gql

SERVICES_WITH_RELATIONS = """
query Services($first: Int!) {
  services(first: $first) {
    totalCount
    edges {
      cursor
      node {
        slug
        ownerTeam { name businessUnit { name } }
        ownershipRoles { role person { displayName } }
        productOwners { displayName }
        salesforceOrgs { orgId kind }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def _populate(session: AsyncSession, count: int) -> None:
    unit = await create_business_unit(session)
    teams = [await create_team(session, business_unit_id=unit.id) for _ in range(3)]
    org = await create_org(session)
    person = await create_person(session)
    for index in range(count):
        service = await create_service(session, owner_team_id=teams[index % 3].id, orgs=[org])
        await create_ownership_role(session, service_id=service.id, person_id=person.id)


async def test_statement_count_does_not_grow_with_page_size(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    await _populate(session, 100)
    await data(client, "{ viewer { roles } }")  # provisions the development person first

    count_statements.reset()
    small = await data(client, SERVICES_WITH_RELATIONS, {"first": 5})
    at_five = count_statements.count

    count_statements.reset()
    large = await data(client, SERVICES_WITH_RELATIONS, {"first": 100})
    at_hundred = count_statements.count

    assert len(small["services"]["edges"]) == 5
    assert len(large["services"]["edges"]) == 100
    assert large["services"]["totalCount"] == 100
    first = large["services"]["edges"][0]["node"]
    assert first["ownerTeam"]["businessUnit"]["name"]
    assert first["ownershipRoles"][0]["role"] == "PRODUCT_OWNER"
    assert first["productOwners"][0]["displayName"]
    assert first["salesforceOrgs"][0]["kind"] == "PRODUCTION"
    assert at_five == at_hundred, (at_five, at_hundred)


async def test_page_size_over_100_is_refused(client: httpx.AsyncClient) -> None:
    body = await gql(client, "{ services(first: 101) { edges { cursor } } }")
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "PAGE_SIZE_EXCEEDED"
