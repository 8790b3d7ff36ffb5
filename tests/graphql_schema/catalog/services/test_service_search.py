"""Service filters beyond the basics: text search, classification, compliance regime."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import DataClassification
from tests.builders.catalog import create_service
from tests.graphql import data, gql

SEARCH = """
query Search($filter: ServiceFilter!) {
  services(filter: $filter, first: 50) { edges { node { slug } } }
}
"""


def _slugs(result: dict[str, object]) -> list[str]:
    services = result["services"]
    assert isinstance(services, dict)
    return sorted(edge["node"]["slug"] for edge in services["edges"])


async def _catalog(session: AsyncSession) -> None:
    await create_service(
        session,
        slug="cpq",
        name="CPQ quoting",
        description="Configure, price, quote for the sales floor",
        compliance_regimes=["SOX"],
        data_classification=DataClassification.CONFIDENTIAL,
    )
    await create_service(
        session,
        slug="case-management",
        name="Case management",
        description="Service Cloud cases 100% of the time",
        compliance_regimes=["GDPR"],
    )


async def test_search_matches_name_or_description_case_insensitively(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _catalog(session)

    by_name = await data(client, SEARCH, {"filter": {"search": "quoting"}})
    by_description = await data(client, SEARCH, {"filter": {"search": "SERVICE CLOUD"}})

    assert _slugs(by_name) == ["cpq"]
    assert _slugs(by_description) == ["case-management"]


async def test_search_treats_wildcards_literally(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _catalog(session)

    percent = await data(client, SEARCH, {"filter": {"search": "100%"}})
    underscore = await data(client, SEARCH, {"filter": {"search": "_"}})

    assert _slugs(percent) == ["case-management"]
    assert _slugs(underscore) == []


async def test_filter_by_compliance_regime_and_classification(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _catalog(session)

    gdpr = await data(client, SEARCH, {"filter": {"complianceRegime": "gdpr"}})
    confidential = await data(
        client, SEARCH, {"filter": {"dataClassifications": ["CONFIDENTIAL", "RESTRICTED"]}}
    )

    assert _slugs(gdpr) == ["case-management"]
    assert _slugs(confidential) == ["cpq"]


async def test_a_cursor_from_another_search_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _catalog(session)
    first = await data(
        client,
        '{ services(first: 1, filter: {search: "a"}) { pageInfo { endCursor } } }',
    )
    cursor = first["services"]["pageInfo"]["endCursor"]

    body = await gql(
        client,
        'query($after: String!) { services(first: 1, after: $after, filter: {search: "c"}) '
        "{ edges { cursor } } }",
        {"after": cursor},
    )

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
