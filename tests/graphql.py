"""Send GraphQL over HTTP the way a frontend does."""

from __future__ import annotations

from typing import Any

import httpx


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return without_cost(body)


def without_cost(body: dict[str, Any]) -> dict[str, Any]:
    """The body with its `extensions.cost` taken out, once checked to be there: every
    response reports what its operation cost (tests/graphql_schema/test_cost.py says how
    much)."""
    extensions = body.get("extensions")
    assert isinstance(extensions, dict), body
    cost = extensions.pop("cost")
    assert isinstance(cost["requested"], int), cost
    assert cost["requested"] >= 0, cost
    assert isinstance(cost["limit"], int), cost
    assert cost["limit"] > 0, cost
    if not extensions:
        del body["extensions"]
    return body


async def data(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> Any:
    """The `data` of a response that must carry no errors."""
    body = await gql(client, query, variables)
    assert "errors" not in body, body["errors"]
    return body["data"]
