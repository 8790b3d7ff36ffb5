"""Control characters in GraphQL input strings: refused before anything runs, naming the path."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
)
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service
from graphql_schema.node import global_id
from graphql_schema.schema import build_schema
from graphql_schema.text_inputs import format_path
from identity.models import Team
from tests.builders.identity import create_business_unit, create_team
from tests.graphql import data, gql
from tests.graphql_schema.schema_walk import SAMPLE_ID, SCHEMA, document, put, sample, string_places

SERVICE_BY_SLUG = """
query Service($slug: String!) {
  service(slug: $slug) { name }
}
"""
CREATE_SERVICE = """
mutation CreateService($input: CreateServiceInput!) {
  createService(input: $input) {
    service { name description tags }
    userErrors { field message code }
  }
}
"""


def _codes(body: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in body.get("errors", [])]


async def _team(session: AsyncSession) -> Team:
    unit = await create_business_unit(session, name="Sales")
    return await create_team(session, slug="revenue", business_unit_id=unit.id)


def _service_input(team: Team, **overrides: Any) -> dict[str, Any]:
    return {
        "slug": "quote-to-cash",
        "name": "Quote to cash",
        "ownerTeamId": global_id("Team", team.id),
        "tier": "TIER_1",
        **overrides,
    }


async def _service_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Service)) or 0)


# --- the refusal ------------------------------------------------------------------------------


async def test_a_nul_in_a_slug_literal_is_refused_for_an_anonymous_caller(
    client: httpx.AsyncClient,
) -> None:
    del client.headers["authorization"]  # no development token: anonymous

    body = await gql(client, '{ service(slug: "quote\\u0000") { name } }')

    assert body == {
        "data": None,
        "errors": [
            {
                "message": "slug of service contains U+0000 (NUL): control characters are not"
                " accepted",
                "locations": [{"line": 1, "column": 11}],
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ],
    }


async def test_a_nul_in_a_slug_variable_is_refused_for_an_admin(
    client: httpx.AsyncClient,
) -> None:
    body = await gql(client, SERVICE_BY_SLUG, {"slug": "quote\x00to-cash"})

    assert body["data"] is None
    assert [(e["message"], e["extensions"]) for e in body["errors"]] == [
        (
            "slug of service contains U+0000 (NUL): control characters are not accepted",
            {"code": "BAD_USER_INPUT"},
        )
    ]


async def test_a_nul_inside_an_input_object_is_refused_and_nothing_changes(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)

    body = await gql(
        client, CREATE_SERVICE, {"input": _service_input(team, tags=["sales", "bill\x00ing"])}
    )

    assert body["data"] is None
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        (
            "input.tags[1] of createService contains U+0000 (NUL): control characters are not"
            " accepted",
            "BAD_USER_INPUT",
        )
    ]
    assert await _service_count(session) == 0


async def test_a_line_break_in_a_name_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)

    body = await gql(client, CREATE_SERVICE, {"input": _service_input(team, name="Quote\nto cash")})

    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        (
            "input.name of createService contains U+000A (line feed): only free text"
            " (a description, body or note) may hold tabs or line breaks",
            "BAD_USER_INPUT",
        )
    ]
    assert await _service_count(session) == 0


async def test_line_breaks_and_tabs_in_a_description_are_stored(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)
    description = "Quotes and orders.\r\n\tInvoices, too."

    result = await data(
        client, CREATE_SERVICE, {"input": _service_input(team, description=description)}
    )

    assert result["createService"] == {
        "service": {"name": "Quote to cash", "description": description, "tags": []},
        "userErrors": [],
    }


async def test_a_nul_in_a_multiline_description_names_its_line(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)

    body = await gql(
        client, CREATE_SERVICE, {"input": _service_input(team, description="one\ntwo\x00")}
    )

    assert [e["message"] for e in body["errors"]] == [
        "input.description of createService contains U+0000 (NUL) on line 2: control"
        " characters are not accepted"
    ]


async def test_a_variable_default_is_checked_where_it_is_used(client: httpx.AsyncClient) -> None:
    query = 'query($slug: String = "a\\u007f") { service(slug: $slug) { name } }'

    body = await gql(client, query)

    assert [e["message"] for e in body["errors"]] == [
        "slug of service contains U+007F (DEL): control characters are not accepted"
    ]


async def test_a_lone_surrogate_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        content=b'{"query": "query($s: String!) { service(slug: $s) { name } }",'
        b' "variables": {"s": "a\\ud800"}}',
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 200
    assert [e["message"] for e in response.json()["errors"]] == [
        "slug of service contains U+D800 (a lone surrogate): control characters are not accepted"
    ]


async def test_the_json_scalar_strings_are_checked(client: httpx.AsyncClient) -> None:
    query = """
    mutation($input: RecordMeasurementInput!) { recordMeasurement(input: $input) { created } }
    """
    measurement = {
        "metric": "COST",
        "serviceId": SAMPLE_ID,
        "at": "2026-01-01T00:00:00Z",
        "value": 1,
        "details": {"parts": [{"label\x00": 1}]},
    }

    body = await gql(client, query, {"input": measurement})

    assert [e["message"] for e in body["errors"]] == [
        "input.details.parts[0].label\\u0000 of recordMeasurement contains U+0000 (NUL):"
        " control characters are not accepted"
    ]


async def test_a_refusal_is_a_400_under_graphql_response_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        json={"query": SERVICE_BY_SLUG, "variables": {"slug": "a\x00"}},
        headers={"accept": "application/graphql-response+json"},
    )

    assert response.status_code == 400
    assert "data" not in response.json()
    assert _codes(response.json()) == ["BAD_USER_INPUT"]


async def test_a_refusal_is_not_masked_in_prod() -> None:
    schema = build_schema(mask_errors=True)

    result = await schema.execute(SERVICE_BY_SLUG, variable_values={"slug": "a\x00"})

    assert [(e.message, e.extensions) for e in result.errors or []] == [
        (
            "slug of service contains U+0000 (NUL): control characters are not accepted",
            {"code": "BAD_USER_INPUT"},
        )
    ]


@pytest.mark.parametrize("field", sorted(SCHEMA.subscription_type.fields))  # type: ignore[union-attr]
async def test_subscriptions_go_through_the_same_check(field: str) -> None:
    schema = build_schema()
    query = f"subscription($id: ID) {{ {field}(serviceId: $id) {{ __typename }} }}"

    stream = await schema.subscribe(query, variable_values={"id": "a\x00"})
    first = await anext(aiter(stream))

    assert [(e.message, e.extensions) for e in first.errors or []] == [
        (
            f"serviceId of {field} contains U+0000 (NUL): control characters are not accepted",
            {"code": "BAD_USER_INPUT"},
        )
    ]


# --- the sweep: every String/ID argument of every root field ----------------------------------


def _nul(scalar: str) -> Any:
    return {"JSON": {"key": "a\x00"}}.get(scalar, "a\x00b")


def _root_fields() -> Iterator[tuple[str, str, GraphQLField]]:
    for kind, root in (("query", SCHEMA.query_type), ("mutation", SCHEMA.mutation_type)):
        assert isinstance(root, GraphQLObjectType)
        for name, field in root.fields.items():
            if any(True for arg in field.args.values() for _ in string_places(arg.type)):
                yield kind, name, field


ROOT_FIELDS = {f"{kind} {name}": (kind, name, field) for kind, name, field in _root_fields()}


def _cases(field: GraphQLField) -> Iterator[tuple[str, dict[str, Any], str]]:
    """For each string place of each argument: the variables with a NUL there, and the path."""
    samples = {
        arg: sample(spec.type)
        for arg, spec in field.args.items()
        if isinstance(spec.type, GraphQLNonNull)
    }
    for arg, spec in field.args.items():
        for path, scalar in string_places(spec.type):
            variables = dict(samples)
            variables[arg] = put(samples.get(arg), spec.type, path, _nul(scalar))
            shown = (arg, *path, "key") if scalar == "JSON" else (arg, *path)
            yield arg, variables, format_path(shown)


def test_the_sweep_covers_the_schema() -> None:
    places = sum(len(list(_cases(field))) for _, _, field in ROOT_FIELDS.values())
    assert len(ROOT_FIELDS) >= 60
    assert places >= 300


@pytest.mark.parametrize("root_field", sorted(ROOT_FIELDS))
async def test_a_nul_in_any_string_argument_is_bad_user_input(
    client: httpx.AsyncClient, root_field: str
) -> None:
    kind, name, field = ROOT_FIELDS[root_field]
    query = document(kind, name, field)
    wrong: list[tuple[str, Any]] = []

    for _arg, variables, shown in _cases(field):
        body = await gql(client, query, variables)
        expected = f"{shown} of {name} contains U+0000 (NUL)"
        errors = body.get("errors", [])
        if (
            body.get("data") is not None
            or _codes(body) != ["BAD_USER_INPUT"]
            or not errors[0]["message"].startswith(expected)
        ):
            wrong.append((shown, body))

    assert wrong == []
