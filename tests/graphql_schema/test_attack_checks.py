"""graphql-cop's twelve checks, as the app answers them: each attack refused, or harmless.

The documents are graphql-cop's own where it has one (`query cop { ... }`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.settings import Settings, load_settings
from identity import models, repository
from server.app import create_app
from tests.conftest import StatementCounter
from tests.graphql import gql, without_cost
from tests.lifespan import lifespan


def _settings(**overrides: Any) -> Settings:
    return load_settings(database_url="postgresql://unused/unused", _env_file=None, **overrides)


def _prod(**overrides: Any) -> Settings:
    return _settings(
        env="prod",
        oidc_issuers=[{"issuer": "https://idp.example", "audience": "catalog"}],
        session_secret="a-long-random-session-secret-for-tests-only",
        anonymous_read=True,
        **overrides,
    )


def _on(*settings: Settings, ids: list[str]) -> pytest.MarkDecorator:
    """Run the test against apps built with these settings (`client`, `anonymous`)."""
    return pytest.mark.parametrize("settings", settings, ids=ids)


in_prod = _on(_prod(), ids=["prod"])


@pytest.fixture
async def anonymous(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    """A caller without a token (from another machine, too)."""
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, client=("203.0.113.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def _refused(message: str, code: str, *, line: int = 1, column: int | None = None) -> Any:
    error: dict[str, Any] = {"message": message}
    if column is not None:
        error["locations"] = [{"line": line, "column": column}]
    return {"data": None, "errors": [{**error, "extensions": {"code": code}}]}


# 1. Alias overloading: 101 aliases of one field.
ALIASES_101 = "query cop { " + " ".join(f"alias{n}: __typename" for n in range(101)) + " }"


async def test_alias_overloading_is_refused_before_anything_runs(
    client: httpx.AsyncClient,
) -> None:
    body = await gql(client, ALIASES_101)

    message = "101 aliases exceed the limit of 30 (CATALOG_MAX_ALIASES)"
    assert body == _refused(message, "ALIAS_LIMIT_EXCEEDED")


# 2. Batching: an array of operations, and many operations in one document.
TYPENAME = "query cop { __typename }"
TWO_OPERATIONS = """
query Teams { teams(first: 1) { totalCount } }
query Units { businessUnits(first: 1) { totalCount } }
"""
UNITS = "query Units { businessUnits(first: 1) { totalCount } }"


async def test_an_array_of_operations_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=[{"query": TYPENAME}] * 10)

    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": "Batching is not enabled", "extensions": {"code": "BAD_USER_INPUT"}}]
    }


async def test_of_many_operations_in_a_document_only_the_named_one_runs(
    client: httpx.AsyncClient, count_statements: StatementCounter
) -> None:
    await gql(client, TYPENAME)  # the first request also looks its caller up
    count_statements.reset()
    alone = await gql(client, UNITS)
    statements = count_statements.count
    count_statements.reset()

    named = {"query": TWO_OPERATIONS, "operationName": "Units"}
    body = without_cost((await client.post("/graphql", json=named)).json())

    assert body == alone == {"data": {"businessUnits": {"totalCount": 0}}}
    assert count_statements.count == statements


async def test_of_many_operations_without_a_name_only_the_first_runs(
    client: httpx.AsyncClient,
) -> None:
    """Strawberry's choice: the GraphQL spec would refuse the document, never run them all."""
    body = await gql(client, TWO_OPERATIONS)

    assert body == {"data": {"teams": {"totalCount": 0}}}


# 3. Directive overloading.
DIRECTIVES_10 = "query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }"
INCLUDES_60 = "{ __typename" + " @include(if: true)" * 60 + " }"
INCLUDED_FIELDS = " ".join(f"a{n}: __typename @include(if: true)" for n in range(30))
SKIPPED_SPREADS = " ...F @skip(if: false)" * 25
SPREAD_DIRECTIVES = (
    "{ " + INCLUDED_FIELDS + SKIPPED_SPREADS + " } fragment F on Query { __typename }"
)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (DIRECTIVES_10, "10 directives at one location exceed the limit of 4"),
        (INCLUDES_60, "60 directives exceed the limit of 50 per document"),
        (SPREAD_DIRECTIVES, "55 directives exceed the limit of 50 per document"),
    ],
    ids=["graphql-cop", "dozens-on-one-field", "spread-over-a-document"],
)
async def test_directive_overloading_is_refused_with_one_error(
    client: httpx.AsyncClient, document: str, message: str
) -> None:
    assert await gql(client, document) == _refused(message, "GRAPHQL_VALIDATION_FAILED")


async def test_thousands_of_directives_stop_at_the_token_limit(
    client: httpx.AsyncClient,
) -> None:
    body = await gql(client, "{ __typename" + " @aa" * 5000 + " }")

    message = "the document exceeds the limit of 2000 tokens (CATALOG_MAX_TOKENS)"
    assert body == {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": "TOKEN_LIMIT_EXCEEDED"}}],
    }


async def test_include_and_skip_once_each_still_work(client: httpx.AsyncClient) -> None:
    body = await gql(client, "{ __typename @include(if: true) @skip(if: false) }")

    assert body == {"data": {"__typename": "Query"}}


# 4. Circular fragments and circular introspection.
CIRCULAR_FRAGMENTS = """
query cop { ...A }
fragment A on Query { __typename ...B }
fragment B on Query { __typename ...A }
"""
CIRCULAR_INTROSPECTION = (
    "query cop { __schema { types { fields { type { fields { type { fields { type {"
    " fields { type { name } } } } } } } } } } }"
)
HIDDEN_IN_FRAGMENTS = """
query cop { __type(name: "Service") { ...Expand } }
fragment Expand on __Type { fields { type { ofType { ...Again } } } }
fragment Again on __Type { interfaces { ...Once } }
fragment Once on __Type { possibleTypes { name } }
"""
NESTED_TOO_DEEPLY = "query cop { " + "... on Query { " * 300 + "__typename" + " }" * 300 + " }"


async def test_circular_fragments_are_refused_by_validation(client: httpx.AsyncClient) -> None:
    body = await gql(client, CIRCULAR_FRAGMENTS)

    assert body == {
        "data": None,
        "errors": [
            {
                "message": "Cannot spread fragment 'A' within itself via 'B'.",
                "locations": [{"line": 3, "column": 34}, {"line": 4, "column": 34}],
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
            }
        ],
    }


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [(CIRCULAR_INTROSPECTION, 1, 13), (HIDDEN_IN_FRAGMENTS, 2, 13)],
    ids=["graphql-cop", "through-fragments"],
)
async def test_circular_introspection_is_refused_by_validation(
    client: httpx.AsyncClient, document: str, line: int, column: int
) -> None:
    """graphql-core's own rule: lists of types inside one another at most two deep."""
    body = await gql(client, document)

    message = "Maximum introspection depth exceeded"
    assert body == _refused(message, "GRAPHQL_VALIDATION_FAILED", line=line, column=column)


async def test_the_standard_introspection_query_still_runs(client: httpx.AsyncClient) -> None:
    body = await gql(
        client, get_introspection_query(descriptions=True, input_value_deprecation=True)
    )

    assert "errors" not in body
    assert len(body["data"]["__schema"]["types"]) > 100


# 5. Field duplication.
DUPLICATED_TYPENAME = "query cop { " + "__typename \n" * 500 + "} "


def _duplicated(times: int) -> str:
    return "{ " + "teams(first: 1) { totalCount } " * times + "}"


async def test_a_field_repeated_500_times_is_answered_once(client: httpx.AsyncClient) -> None:
    assert await gql(client, DUPLICATED_TYPENAME) == {"data": {"__typename": "Query"}}


async def test_a_duplicated_field_runs_once(
    client: httpx.AsyncClient, count_statements: StatementCounter
) -> None:
    await gql(client, TYPENAME)  # the first request also looks its caller up
    count_statements.reset()
    await gql(client, _duplicated(1))
    once = count_statements.count
    count_statements.reset()

    body = await gql(client, _duplicated(200))

    assert body == {"data": {"teams": {"totalCount": 0}}}
    assert count_statements.count == once


async def test_a_resolved_field_cannot_be_repeated_500_times(client: httpx.AsyncClient) -> None:
    body = await gql(client, _duplicated(500))

    message = "the document exceeds the limit of 2000 tokens (CATALOG_MAX_TOKENS)"
    assert body == {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": "TOKEN_LIMIT_EXCEEDED"}}],
    }


# 6. Deep recursion: types that lead back to each other, and selections nested deeply.
def _recursion(levels: int) -> str:
    inner = "memberships { team { " * levels + "name" + " } }" * levels
    return "query cop { teams(first: 1) { nodes { " + inner + " } } }"


@_on(_settings(max_cost=10**12), ids=["no-cost-limit"])
async def test_deep_recursion_is_refused_before_anything_runs(client: httpx.AsyncClient) -> None:
    body = await gql(client, _recursion(7))

    message = "query depth 16 exceeds the limit of 12 (CATALOG_MAX_DEPTH)"
    assert body == _refused(message, "DEPTH_LIMIT_EXCEEDED", column=158)


async def test_selections_nested_hundreds_deep_stop_the_parser(client: httpx.AsyncClient) -> None:
    """Inline fragments add no depth to count; the parser refuses such nesting itself."""
    body = await gql(client, NESTED_TOO_DEEPLY)

    message = "Syntax Error: Document is nested too deeply. Parsing aborted."
    assert body == _refused(message, "GRAPHQL_VALIDATION_FAILED", column=3011)


# 7 and 8. Mutations over GET, and POST bodies a browser sends cross-site without asking.
FORGED = 'mutation cop { createBusinessUnit(input: {name: "Forged"}) { businessUnit { name } } }'


async def _forged_units(session: AsyncSession) -> int:
    query = select(func.count()).where(models.BusinessUnit.name == "Forged")
    return (await session.scalar(query)) or 0


async def test_a_mutation_over_get_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await client.get("/graphql", params={"query": FORGED})

    assert (response.status_code, response.headers["allow"]) == (405, "POST")
    assert response.json() == {
        "errors": [
            {
                "message": "GET serves queries only: send mutations with POST",
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ]
    }
    assert await _forged_units(session) == 0


@pytest.mark.parametrize(
    "request_body",
    [
        {"content": FORGED, "headers": {"content-type": "text/plain"}},
        {"data": {"query": FORGED}},
        {"files": {"query": (None, FORGED)}},
    ],
    ids=["text/plain", "form-urlencoded", "multipart/form-data"],
)
async def test_a_cross_site_form_post_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession, request_body: dict[str, Any]
) -> None:
    response = await client.post("/graphql", **request_body)

    assert response.status_code == 415
    assert response.json() == {
        "errors": [
            {
                "message": "send the request body as application/json in UTF-8",
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ]
    }
    assert await _forged_units(session) == 0


async def test_the_same_mutation_as_json_does_change_something(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """The forged requests above would have worked, had they been accepted."""
    body = await gql(client, FORGED)

    assert body == {"data": {"createBusinessUnit": {"businessUnit": {"name": "Forged"}}}}
    assert await _forged_units(session) == 1


# 9. Trace mode and debug details, in prod.
@in_prod
async def test_prod_answers_carry_no_tracing_and_no_exception_details(
    anonymous: httpx.AsyncClient,
) -> None:
    answered = await gql(anonymous, TYPENAME)
    refused = await gql(anonymous, "qwerty cop { abc }")

    assert answered == {"data": {"__typename": "Query"}}
    assert refused == _refused(
        "Syntax Error: Unexpected Name 'qwerty'.", "GRAPHQL_VALIDATION_FAILED", column=1
    )


# 10. Field suggestions.
MISSPELT = "query cop { __schema { directive } }"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (_prod(introspection="public"), "Cannot query field 'directive' on type '__Schema'."),
        (
            _settings(),
            "Cannot query field 'directive' on type '__Schema'. Did you mean 'directives'?",
        ),
    ],
    ids=["prod", "dev"],
)
async def test_fields_are_suggested_in_dev_only(anonymous: httpx.AsyncClient, message: str) -> None:
    body = await gql(anonymous, MISSPELT)

    assert body == _refused(message, "GRAPHQL_VALIDATION_FAILED", column=24)


@in_prod
async def test_prod_suggests_no_field_of_the_catalog_either(anonymous: httpx.AsyncClient) -> None:
    body = await gql(anonymous, "query cop { servics { totalCount } }")

    message = "Cannot query field 'servics' on type 'Query'."
    assert body == _refused(message, "GRAPHQL_VALIDATION_FAILED", column=13)


# 11. Introspection, by CATALOG_INTROSPECTION.
INTROSPECTION = "query cop { __schema { queryType { name } } }"
TYPE = 'query cop { __type(name: "Service") { name } }'
INTROSPECTED = {"data": {"__schema": {"queryType": {"name": "Query"}}}}


@_on(_prod(), _settings(introspection="authenticated"), ids=["prod-default", "dev"])
async def test_anonymous_callers_cannot_introspect_where_it_needs_a_sign_in(
    anonymous: httpx.AsyncClient,
) -> None:
    message = "sign in to introspect the schema (CATALOG_INTROSPECTION=authenticated)"
    for document in (INTROSPECTION, TYPE):
        body = await gql(anonymous, document)

        assert body == _refused(message, "UNAUTHENTICATED", column=13)
    assert await gql(anonymous, TYPENAME) == {"data": {"__typename": "Query"}}


@in_prod
async def test_introspecting_anonymously_is_a_401_under_the_spec_media_type(
    anonymous: httpx.AsyncClient,
) -> None:
    accept = {"accept": "application/graphql-response+json"}
    response = await anonymous.post("/graphql", json={"query": TYPE}, headers=accept)

    assert (response.status_code, response.headers["www-authenticate"]) == (401, "Bearer")


@_on(_settings(introspection="authenticated"), ids=["authenticated"])
async def test_signed_in_callers_introspect_where_it_needs_a_sign_in(
    client: httpx.AsyncClient,
) -> None:
    assert await gql(client, INTROSPECTION) == INTROSPECTED


async def test_anyone_introspects_where_it_is_public(anonymous: httpx.AsyncClient) -> None:
    assert await gql(anonymous, INTROSPECTION) == INTROSPECTED


@_on(_settings(introspection="off"), ids=["off"])
async def test_nobody_introspects_where_it_is_off(client: httpx.AsyncClient) -> None:
    message = "introspection is off (CATALOG_INTROSPECTION=off)"
    for document in (INTROSPECTION, TYPE):
        body = await gql(client, document)

        assert body == _refused(message, "GRAPHQL_VALIDATION_FAILED", column=13)
    assert await gql(client, TYPENAME) == {"data": {"__typename": "Query"}}


# 12. Unexpected errors: masked in prod, with the request id that finds their log line.


def _broken(**_: Any) -> Any:
    raise RuntimeError("a secret detail")


@in_prod
async def test_an_unexpected_error_is_masked_and_carries_the_request_id_of_its_log_line(
    anonymous: httpx.AsyncClient, json_logs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(repository, "teams_query", _broken)

    response = await anonymous.post(
        "/graphql", json={"query": "query cop { teams { totalCount } }"}
    )

    request_id = response.headers["x-request-id"]
    assert without_cost(response.json()) == {
        "data": None,
        "errors": [
            {
                "message": "Unexpected error.",
                "locations": [{"line": 1, "column": 13}],
                "path": ["teams"],
                "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
            }
        ],
    }
    [logged] = [line for line in json_logs() if line["logger"] == "strawberry.execution"]
    assert (logged["level"], logged["request_id"]) == ("error", request_id)
    assert logged["event"].startswith("a secret detail")
    assert "RuntimeError: a secret detail" in logged["exception"]
