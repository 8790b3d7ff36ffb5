"""Every mutation names the role it needs; anonymous callers see only the public catalog."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from core.oidc_settings import IssuerConfig
from core.settings import Settings, load_settings
from graphql_schema.node import global_id
from tests.builders.catalog import create_org, create_service
from tests.builders.identity import create_person, create_team
from tests.graphql import gql
from tests.graphql_schema.schema_walk import SCHEMA, document, sample

MUTATIONS = sorted(SCHEMA.mutation_type.fields) if SCHEMA.mutation_type else []


def _document(name: str) -> tuple[str, dict[str, Any]]:
    field = SCHEMA.mutation_type.fields[name]  # type: ignore[union-attr]
    return document("mutation", name, field), {
        arg: sample(spec.type) for arg, spec in field.args.items()
    }


def _settings(**overrides: Any) -> Settings:
    return load_settings(database_url="postgresql://unused/unused", _env_file=None, **overrides)


def test_the_schema_has_mutations_to_walk() -> None:
    assert len(MUTATIONS) >= 20


@pytest.mark.parametrize("mutation", MUTATIONS)
async def test_a_viewer_is_refused_every_mutation(mutation: str, make_client: Any) -> None:
    client = await make_client(_settings(dev_roles="VIEWER"))
    query, variables = _document(mutation)

    body = await gql(client, query, variables)

    assert body["data"] is None, body
    assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]


@pytest.mark.parametrize("mutation", MUTATIONS)
async def test_an_admin_is_never_refused_for_lack_of_a_role(
    mutation: str, make_client: Any
) -> None:
    client = await make_client(_settings(dev_roles="ADMIN"))
    query, variables = _document(mutation)

    body = await gql(client, query, variables)

    codes = [error.get("extensions", {}).get("code") for error in body.get("errors", [])]
    assert "FORBIDDEN" not in codes, body


ANONYMOUS_ALLOWED = """
{
  services(first: 5) {
    totalCount
    edges { node { slug name tier links { runbook } ownerTeam { name businessUnit { name } }
                   salesforceOrgs { name kind } } }
  }
  teams { edges { node { slug } } }
}
"""


@pytest.fixture
async def anonymous(make_client: Any) -> httpx.AsyncClient:
    # With an issuer configured there is no development identity: callers are anonymous.
    issuer = IssuerConfig(issuer="https://idp.example.test", audience="catalog-api")
    client: httpx.AsyncClient = await make_client(
        _settings(oidc_issuers=(issuer,), anonymous_read=True)
    )
    return client


async def test_anonymous_callers_read_the_public_catalog(
    anonymous: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = await create_org(session, name="EMEA production")
    await create_service(session, slug="partner-portal", orgs=[org])

    body = await gql(anonymous, ANONYMOUS_ALLOWED)

    assert "errors" not in body, body
    node = body["data"]["services"]["edges"][0]["node"]
    assert node["slug"] == "partner-portal"
    assert node["salesforceOrgs"] == [{"name": "EMEA production", "kind": "PRODUCTION"}]


@pytest.mark.parametrize(
    "query",
    [
        "{ services { edges { node { productOwners { displayName } } } } }",
        "{ services { edges { node { ownershipRoles { role } } } } }",
        "{ services { edges { node { history { totalCount } } } } }",
        "{ services { edges { node { salesforceOrgs { orgId } } } } }",
        "{ salesforceOrgs { edges { node { credentialsRef } } } }",
        "{ people { totalCount } }",
        "{ teams { edges { node { memberships { role } } } } }",
        '{ recordHistory(id: "x") { totalCount } }',
    ],
)
async def test_anonymous_callers_are_refused_private_fields_before_anything_runs(
    anonymous: httpx.AsyncClient, query: str
) -> None:
    body = await gql(anonymous, query)

    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["UNAUTHENTICATED"]


async def test_anonymous_mutations_are_refused(anonymous: httpx.AsyncClient) -> None:
    query, variables = _document("createBusinessUnit")

    body = await gql(anonymous, query, variables)

    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_person_id_is_invisible_to_anonymous_callers(
    anonymous: httpx.AsyncClient, session: AsyncSession
) -> None:
    person = await create_person(session)
    team = await create_team(session)

    body = await gql(
        anonymous,
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": [global_id("Person", person.id), global_id("Team", team.id)]},
    )

    assert body["data"]["nodes"] == [None, {"id": global_id("Team", team.id)}]


async def test_the_viewer_of_an_anonymous_caller_is_null(anonymous: httpx.AsyncClient) -> None:
    body = await gql(anonymous, "{ viewer { roles } }")

    assert body == {"data": {"viewer": None}}
