"""node(id) and nodes(ids): any object by its global id, with the relations its fragments select."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs.models import OrgKind
from catalog.services.models import OwnershipRoleKind
from core.ids import encode_global_id
from graphql_schema.node import global_id
from identity.models import MembershipRole
from tests.builders.catalog import create_org, create_ownership_role, create_service
from tests.builders.identity import (
    create_business_unit,
    create_membership,
    create_person,
    create_team,
)
from tests.conftest import StatementCounter
from tests.graphql import data, gql

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Service {
      slug
      ownerTeam { slug businessUnit { name } }
      salesforceOrgs { name }
      productOwners { displayName }
    }
    ... on Team { slug businessUnit { name } memberships { role person { displayName } } }
    ... on BusinessUnit { name teams { slug } }
    ... on Person { displayName memberships { role team { slug } } }
    ... on Membership { role person { displayName } team { slug } }
    ... on OwnershipRole { ownershipRole: role person { displayName } service { slug } }
    ... on SalesforceOrg { name kind parent { name } }
  }
}
"""
NODE_WITH_NAMED_FRAGMENT = """
query Node($id: ID!) { node(id: $id) { ...ServiceCard } }
fragment ServiceCard on Service { slug ownerTeam { slug } }
"""
NODES = """
query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    ... on Service { slug ownerTeam { slug } productOwners { displayName } }
    ... on Team { slug businessUnit { name } }
    ... on Person { displayName memberships { team { slug } } }
  }
}
"""


@dataclass
class Catalog:
    unit: Any
    team: Any
    person: Any
    membership: Any
    production: Any
    sandbox: Any
    service: Any
    role: Any


async def _catalog(session: AsyncSession, n: int = 0) -> Catalog:
    unit = await create_business_unit(session, name=f"Sales {n}")
    team = await create_team(session, slug=f"revenue-{n}", business_unit_id=unit.id)
    person = await create_person(session, display_name=f"Ada {n}")
    membership = await create_membership(
        session, person_id=person.id, team_id=team.id, role=MembershipRole.PRODUCT_OWNER
    )
    production = await create_org(session, name=f"Production {n}")
    sandbox = await create_org(
        session, name=f"UAT {n}", kind=OrgKind.SANDBOX, parent_id=production.id
    )
    service = await create_service(
        session, slug=f"quote-to-cash-{n}", owner_team_id=team.id, orgs=[production, sandbox]
    )
    role = await create_ownership_role(
        session, service_id=service.id, person_id=person.id, role=OwnershipRoleKind.PRODUCT_OWNER
    )
    return Catalog(unit, team, person, membership, production, sandbox, service, role)


async def _node(client: httpx.AsyncClient, type_name: str, key: uuid.UUID) -> dict[str, Any]:
    result = await data(client, NODE, {"id": global_id(type_name, key)})
    node: dict[str, Any] = result["node"]
    return node


async def test_service_node_with_its_relations(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    made = await _catalog(session)

    node = await _node(client, "Service", made.service.id)

    assert node == {
        "__typename": "Service",
        "id": global_id("Service", made.service.id),
        "slug": "quote-to-cash-0",
        "ownerTeam": {"slug": "revenue-0", "businessUnit": {"name": "Sales 0"}},
        "salesforceOrgs": [{"name": "Production 0"}, {"name": "UAT 0"}],
        "productOwners": [{"displayName": "Ada 0"}],
    }


async def test_team_node_with_its_relations(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    made = await _catalog(session)

    node = await _node(client, "Team", made.team.id)

    assert node == {
        "__typename": "Team",
        "id": global_id("Team", made.team.id),
        "slug": "revenue-0",
        "businessUnit": {"name": "Sales 0"},
        "memberships": [{"role": "PRODUCT_OWNER", "person": {"displayName": "Ada 0"}}],
    }


async def test_business_unit_node_with_its_teams(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    made = await _catalog(session)

    node = await _node(client, "BusinessUnit", made.unit.id)

    assert node == {
        "__typename": "BusinessUnit",
        "id": global_id("BusinessUnit", made.unit.id),
        "name": "Sales 0",
        "teams": [{"slug": "revenue-0"}],
    }


async def test_person_node_with_their_memberships(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    made = await _catalog(session)

    node = await _node(client, "Person", made.person.id)

    assert node == {
        "__typename": "Person",
        "id": global_id("Person", made.person.id),
        "displayName": "Ada 0",
        "memberships": [{"role": "PRODUCT_OWNER", "team": {"slug": "revenue-0"}}],
    }


async def test_membership_node_with_its_person_and_team(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    made = await _catalog(session)

    node = await _node(client, "Membership", made.membership.id)

    assert node == {
        "__typename": "Membership",
        "id": global_id("Membership", made.membership.id),
        "role": "PRODUCT_OWNER",
        "person": {"displayName": "Ada 0"},
        "team": {"slug": "revenue-0"},
    }


async def test_ownership_role_node_with_its_person_and_service(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    made = await _catalog(session)

    node = await _node(client, "OwnershipRole", made.role.id)

    assert node == {
        "__typename": "OwnershipRole",
        "id": global_id("OwnershipRole", made.role.id),
        "ownershipRole": "PRODUCT_OWNER",
        "person": {"displayName": "Ada 0"},
        "service": {"slug": "quote-to-cash-0"},
    }


async def test_salesforce_org_node_with_its_parent(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    made = await _catalog(session)

    node = await _node(client, "SalesforceOrg", made.sandbox.id)

    assert node == {
        "__typename": "SalesforceOrg",
        "id": global_id("SalesforceOrg", made.sandbox.id),
        "name": "UAT 0",
        "kind": "SANDBOX",
        "parent": {"name": "Production 0"},
    }


async def test_named_fragment_selects_relations_too(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    made = await _catalog(session)

    result = await data(
        client, NODE_WITH_NAMED_FRAGMENT, {"id": global_id("Service", made.service.id)}
    )

    assert result == {"node": {"slug": "quote-to-cash-0", "ownerTeam": {"slug": "revenue-0"}}}


async def test_unknown_id_is_null_without_an_error(client: httpx.AsyncClient) -> None:
    body = await gql(client, NODE, {"id": global_id("Service", uuid.uuid4())})

    assert body == {"data": {"node": None}}


async def test_id_of_an_unknown_type_is_null_without_an_error(client: httpx.AsyncClient) -> None:
    body = await gql(client, NODE, {"id": encode_global_id("Spaceship", uuid.uuid4())})

    assert body == {"data": {"node": None}}


async def test_id_of_the_wrong_type_is_null(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)

    body = await gql(client, NODE, {"id": global_id("Service", team.id)})

    assert body == {"data": {"node": None}}


@pytest.mark.parametrize(
    "malformed",
    ["definitely-not-an-id", "???", "", base64.urlsafe_b64encode(b"Service:not-a-uuid").decode()],
)
async def test_malformed_id_is_null_without_an_error(
    client: httpx.AsyncClient, malformed: str
) -> None:
    body = await gql(client, NODE, {"id": malformed})

    assert body == {"data": {"node": None}}


async def test_nodes_keep_the_order_asked_and_null_the_unknown(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    made = await _catalog(session)
    ids = [
        global_id("Person", made.person.id),
        global_id("Service", uuid.uuid4()),
        global_id("Service", made.service.id),
        global_id("Team", made.team.id),
        global_id("Person", made.person.id),
    ]

    result = await data(client, NODES, {"ids": ids})

    person = {
        "__typename": "Person",
        "displayName": "Ada 0",
        "memberships": [{"team": {"slug": "revenue-0"}}],
    }
    assert result["nodes"] == [
        person,
        None,
        {
            "__typename": "Service",
            "slug": "quote-to-cash-0",
            "ownerTeam": {"slug": "revenue-0"},
            "productOwners": [{"displayName": "Ada 0"}],
        },
        {"__typename": "Team", "slug": "revenue-0", "businessUnit": {"name": "Sales 0"}},
        person,
    ]


async def test_nodes_with_one_malformed_id_null_it_alone(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)

    body = await gql(
        client,
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": [global_id("Team", team.id), "???"]},
    )

    assert body == {"data": {"nodes": [{"id": global_id("Team", team.id)}, None]}}


async def test_more_than_one_hundred_nodes_is_bad_user_input(client: httpx.AsyncClient) -> None:
    ids = [global_id("Team", uuid.uuid4()) for _ in range(101)]

    body = await gql(client, NODES, {"ids": ids})

    assert body["data"] is None
    assert [(error["extensions"]["code"], error["message"]) for error in body["errors"]] == [
        ("BAD_USER_INPUT", "nodes takes at most 100 ids")
    ]


async def test_nodes_statement_count_does_not_grow_with_the_ids(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    catalogs = [await _catalog(session, n) for n in range(10)]
    await data(client, "{ viewer { roles } }")  # provisions the development person first

    def ids(of: list[Catalog]) -> list[str]:
        return [
            global_id(type_name, key)
            for made in of
            for type_name, key in (
                ("Service", made.service.id),
                ("Team", made.team.id),
                ("Person", made.person.id),
            )
        ]

    count_statements.reset()
    three = await data(client, NODES, {"ids": ids(catalogs[:1])})
    for_three = count_statements.count

    count_statements.reset()
    thirty = await data(client, NODES, {"ids": ids(catalogs)})
    for_thirty = count_statements.count

    assert len(three["nodes"]) == 3
    assert len(thirty["nodes"]) == 30
    assert None not in thirty["nodes"]
    assert thirty["nodes"][-3]["productOwners"] == [{"displayName": "Ada 9"}]
    assert for_three == for_thirty, (for_three, for_thirty)
