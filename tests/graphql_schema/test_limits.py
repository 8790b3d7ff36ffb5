"""Limits refuse an operation before it runs, each naming its limit with its code."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest
import strawberry
from fastapi import FastAPI
from graphql import build_schema as build_sdl_schema
from graphql import get_introspection_query, parse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from core.db import make_engine, make_sessionmaker
from core.settings import Settings, load_settings
from graphql_schema.context import Info
from graphql_schema.cost import estimate
from graphql_schema.errors import BadUserInput
from graphql_schema.http import graphql_router
from graphql_schema.limits import Limits, guard_extensions
from graphql_schema.observability import CatalogSchema
from identity.principal import Principal
from server.app import create_app
from server.request_id import add_request_id
from tests.dev_token import DEV_TOKEN
from tests.graphql import gql, without_cost
from tests.lifespan import developer_client, lifespan


def _team_chain(pairs: int) -> str:
    """A query `2 + 2 * pairs` deep: teams, nodes, then memberships and team, repeated."""
    inner = "memberships { team { " * pairs + "name" + " } }" * pairs
    return "{ teams(first: 1) { nodes { " + inner + " } } }"


DEPTH_14 = _team_chain(6)
DEPTH_12 = _team_chain(5)
ALIASES_31 = "{ " + " ".join(f"a{n}: __typename" for n in range(31)) + " }"
ALIASES_30 = "{ " + " ".join(f"a{n}: __typename" for n in range(30)) + " }"
TOKENS_2002 = "{ " + "__typename " * 2000 + "}"
COSTLY = """
query Costly($first: Int = 100) {
  services(first: $first) {
    edges { node { name history(first: 100) { edges { node { changes { field } } } } } }
  }
}
"""
PAGE = """
query Page($first: Int) {
  services(first: $first) { totalCount }
}
"""
PAGE_IN_FRAGMENT = """
query { ...Services }
fragment Services on Query { services(last: 500) { totalCount } }
"""


def _refusal(message: str, code: str, line: int = 1, column: int = 1) -> dict[str, Any]:
    return {
        "data": None,
        "errors": [
            {
                "message": message,
                "locations": [{"line": line, "column": column}],
                "extensions": {"code": code},
            }
        ],
    }


@pytest.fixture
async def roomy_client(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with no cost limit to speak of, to test the other limits alone."""
    settings = load_settings(
        database_url="postgresql://unused/unused", max_cost=10**12, _env_file=None
    )
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker, dev_token=DEV_TOKEN)
    async with developer_client(app) as client:
        yield client


async def test_a_query_deeper_than_the_limit_is_refused(roomy_client: httpx.AsyncClient) -> None:
    body = await gql(roomy_client, DEPTH_14)

    message = "query depth 14 exceeds the limit of 12 (CATALOG_MAX_DEPTH)"
    assert body == _refusal(message, "DEPTH_LIMIT_EXCEEDED", column=148)


async def test_a_query_as_deep_as_the_limit_runs(roomy_client: httpx.AsyncClient) -> None:
    body = await gql(roomy_client, DEPTH_12)

    assert body == {"data": {"teams": {"nodes": []}}}


async def test_more_aliases_than_the_limit_are_refused(client: httpx.AsyncClient) -> None:
    body = await gql(client, ALIASES_31)

    message = "31 aliases exceed the limit of 30 (CATALOG_MAX_ALIASES)"
    assert body == {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": "ALIAS_LIMIT_EXCEEDED"}}],
    }


async def test_as_many_aliases_as_the_limit_run(client: httpx.AsyncClient) -> None:
    body = await gql(client, ALIASES_30)

    assert body == {"data": {f"a{n}": "Query" for n in range(30)}}


async def test_a_document_over_the_token_limit_is_refused(client: httpx.AsyncClient) -> None:
    body = await gql(client, TOKENS_2002)

    message = "the document exceeds the limit of 2000 tokens (CATALOG_MAX_TOKENS)"
    assert body == {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": "TOKEN_LIMIT_EXCEEDED"}}],
    }


async def test_an_operation_over_the_cost_limit_is_refused(client: httpx.AsyncClient) -> None:
    body = await gql(client, COSTLY)

    message = "query cost 110201 exceeds the limit of 25000 (CATALOG_MAX_COST)"
    assert body == _refusal(message, "COST_LIMIT_EXCEEDED", line=2)


async def test_the_cost_reads_the_page_sizes_from_the_variables(
    client: httpx.AsyncClient,
) -> None:
    body = await gql(client, COSTLY, {"first": 10})

    assert body == {"data": {"services": {"edges": []}}}


@pytest.mark.parametrize(
    ("document", "variables", "asked", "line", "column"),
    [
        (PAGE, {"first": 101}, 101, 3, 3),
        ("{ services(first: 1000) { totalCount } }", {}, 1000, 1, 3),
        ("query ($n: Int = 250) { services(first: $n) { totalCount } }", {}, 250, 1, 25),
        (PAGE_IN_FRAGMENT, {}, 500, 3, 30),
    ],
)
async def test_a_page_over_one_hundred_is_refused_before_it_runs(
    client: httpx.AsyncClient,
    document: str,
    variables: dict[str, Any],
    asked: int,
    line: int,
    column: int,
) -> None:
    body = await gql(client, document, variables)

    message = f"a page holds at most 100 items; {asked} were asked for"
    assert body == _refusal(message, "PAGE_SIZE_EXCEEDED", line=line, column=column)


async def test_ordinary_validation_errors_carry_their_code(client: httpx.AsyncClient) -> None:
    body = await gql(client, "{ xyzzy }")

    assert body == _refusal(
        "Cannot query field 'xyzzy' on type 'Query'.", "GRAPHQL_VALIDATION_FAILED", column=3
    )


async def test_a_syntax_error_is_a_validation_failure(client: httpx.AsyncClient) -> None:
    body = await gql(client, "{")

    assert body == _refusal(
        "Syntax Error: Expected Name, found <EOF>.", "GRAPHQL_VALIDATION_FAILED", column=2
    )


async def test_variables_that_cannot_be_coerced_are_bad_user_input(
    client: httpx.AsyncClient,
) -> None:
    body = await gql(client, PAGE, {"first": "many"})

    message = "Variable '$first' has invalid value: Int cannot represent non-integer value: 'many'"
    assert body == _refusal(message, "BAD_USER_INPUT", line=2, column=12)


# The estimator, on a schema small enough to count by hand.
SDL = """
type Query {
  items(first: Int, last: Int): ItemConnection!
  things(ids: [ID!]): [Thing]!
  thing: Thing
  tags: [String!]!
}
type ItemConnection { edges: [ItemEdge!]! nodes: [Item!]! pageInfo: PageInfo! totalCount: Int! }
type ItemEdge { cursor: String! node: Item! }
type PageInfo { hasNextPage: Boolean! }
type Item { name: String! children: [Item!]! }
type Thing { name: String! thing: Thing }
"""
SMALL = build_sdl_schema(SDL)


FRAGMENT_F = "fragment F on ItemConnection { nodes { name } }"


def _cost(document: str, variables: dict[str, Any] | None = None) -> int:
    parsed = parse(document)
    return estimate(SMALL, parsed, parsed.definitions[0], variables).cost  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("document", "variables", "cost"),
    [
        ("{ tags }", None, 0),
        ("{ thing { name } }", None, 1),
        ("{ thing { __typename } }", None, 1),
        ("{ items { totalCount } }", None, 1),
        ("{ items(first: 5) { pageInfo { hasNextPage } } }", None, 1),
        ("{ items(first: 5) { edges { cursor node { name } } } }", None, 1 + 5 * 1),
        ("{ items(last: 5) { nodes { children { name } } } }", None, 1 + 5 * (1 + 10)),
        ("query ($n: Int = 3) { items(first: $n) { nodes { name } } }", None, 1 + 3),
        ("query ($n: Int = 3) { items(first: $n) { nodes { name } } }", {"n": 7}, 1 + 7),
        ("query ($n: Int) { items(first: $n) { nodes { name } } }", {"n": None}, 1 + 20),
        ('{ things(ids: ["a", "b", "c"]) { name } }', None, 3),
        ("{ things { name } }", None, 10),
        ("{ items(first: 2) { ...F } } fragment F on ItemConnection { nodes { name } }", None, 3),
        ("{ items(first: 2) { ...F } items(first: 4) { ...F } } " + FRAGMENT_F, None, 3 + 5),
        ("{ thing { ... on Thing { thing { name } } ... on Thing { thing { name } } } }", None, 3),
        ("{ thing { nope { deeper } } }", None, 1),
    ],
)
def test_the_estimate_counts_the_objects_fetched(
    document: str, variables: dict[str, Any] | None, cost: int
) -> None:
    assert _cost(document, variables) == cost


def test_a_plain_list_is_sized_by_what_the_schema_knows_of_it() -> None:
    parsed = parse("{ items(first: 2) { nodes { children { name } } } }")
    sizes = {"Item.children": 3}

    found = estimate(SMALL, parsed, parsed.definitions[0], sizes=lambda t, f: sizes.get(f"{t}.{f}"))  # type: ignore[arg-type]

    assert found.cost == 1 + 2 * (1 + 3)


def test_fragment_cycles_end_and_repeated_fragments_are_counted_once() -> None:
    cycle = "{ thing { ...A } } fragment A on Thing { ...B } fragment B on Thing { name ...A }"
    fragments = " ".join(
        f"fragment F{n} on Thing {{ thing {{ ...F{n + 1} ...F{n + 1} }} }}" for n in range(40)
    )
    doubling = "{ thing { ...F0 } } " + fragments + " fragment F40 on Thing { name }"

    started = time.monotonic()
    assert _cost(cycle) == 1
    assert _cost(doubling) == 2**40
    assert time.monotonic() - started < 1


def test_introspection_reads_the_schema_at_a_cost_of_one() -> None:
    assert _cost(get_introspection_query(descriptions=True)) == 1


# Execution time: a test schema whose resolver sleeps in PostgreSQL.
BACKENDS: list[int] = []  # the server process of each `sleep`'s connection


@strawberry.type
class SlowQuery:
    @strawberry.field
    async def sleep(self, info: Info, seconds: float) -> str | None:
        async with info.context.db() as session:
            BACKENDS.append(await session.scalar(text("SELECT pg_backend_pid()")))
            await session.execute(text("SELECT pg_sleep(:seconds)"), {"seconds": seconds})
        return "awake"

    @strawberry.field
    async def nap(self, info: Info, seconds: float) -> str | None:
        """Holds its connection, idle in its transaction, while Python sleeps."""
        async with info.context.db() as session:
            BACKENDS.append(await session.scalar(text("SELECT pg_backend_pid()")))
            await asyncio.sleep(seconds)
        return "awake"

    @strawberry.field
    async def refused(self) -> str | None:
        raise BadUserInput("no")

    @strawberry.field
    async def broken(self) -> str | None:
        raise RuntimeError("a secret detail")


async def _nobody(request: HTTPConnection, settings: Settings) -> Principal | None:
    return None


def _slow_app(settings: Settings, engine: AsyncEngine, *, mask_errors: bool) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.sessionmaker = make_sessionmaker(engine)
        yield

    schema = CatalogSchema(
        query=SlowQuery, extensions=guard_extensions(Limits(), mask_errors=mask_errors)
    )
    app = FastAPI(lifespan=lifespan)
    router = graphql_router(schema, settings=settings, principal_for=_nobody)
    router.mount_on(app, prefix="/graphql")
    add_request_id(app)
    return app


SlowClient = Callable[..., Any]


@pytest.fixture
async def slow(fresh_database: str) -> AsyncIterator[SlowClient]:
    """`slow(timeout_s, statement_timeout_ms)`: a client of the sleeping schema, one connection."""
    engines: list[AsyncEngine] = []

    @asynccontextmanager
    async def open_client(
        timeout_s: float, statement_timeout_ms: int = 60_000, mask_errors: bool = True
    ) -> AsyncIterator[tuple[httpx.AsyncClient, AsyncEngine]]:
        engine = make_engine(
            fresh_database,
            statement_timeout_ms=statement_timeout_ms,
            pool_size=1,
            max_overflow=0,
            pool_timeout=3,
        )
        engines.append(engine)
        settings = load_settings(
            database_url=fresh_database, execution_timeout_s=timeout_s, _env_file=None
        )
        app = _slow_app(settings, engine, mask_errors=mask_errors)
        async with lifespan(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                yield client, engine

    yield open_client
    for engine in engines:
        await engine.dispose()


async def _backends(url: str) -> set[int]:
    """The server processes connected to the test database, but this one."""
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {row["pid"] for row in rows}
    finally:
        await connection.close()


@pytest.mark.parametrize("field", ["sleep", "nap"])
async def test_an_operation_past_the_time_limit_is_stopped_and_its_connection_dropped(
    slow: SlowClient, fresh_database: str, field: str
) -> None:
    async with slow(timeout_s=0.3) as (client, engine):
        started = time.monotonic()
        body = await gql(client, f"{{ {field}(seconds: 30) }}")
        elapsed = time.monotonic() - started
        cancelled = BACKENDS[-1]

        message = (
            "the operation ran longer than 0.3 s (CATALOG_EXECUTION_TIMEOUT_S)"
            " and was stopped; nothing was changed"
        )
        assert body == {
            "data": None,
            "errors": [{"message": message, "extensions": {"code": "TIMEOUT"}}],
        }
        assert elapsed < 3
        assert engine.pool.checkedout() == 0
        # The connection was closed, not returned to the pool: its server process ends.
        for _ in range(50):
            if cancelled not in await _backends(fresh_database):
                break
            await asyncio.sleep(0.1)
        assert cancelled not in await _backends(fresh_database)
        # The pool's one connection was replaced: the next operation gets a working one.
        assert await gql(client, "{ sleep(seconds: 0) }") == {"data": {"sleep": "awake"}}
        assert BACKENDS[-1] != cancelled


async def test_a_timeout_is_504_without_data_under_the_spec_media_type(slow: SlowClient) -> None:
    async with slow(timeout_s=0.2) as (client, _):
        response = await client.post(
            "/graphql",
            json={"query": "{ nap(seconds: 30) }"},
            headers={"accept": "application/graphql-response+json"},
        )

    assert response.status_code == 504
    assert without_cost(response.json()) == {
        "errors": [
            {
                "message": "the operation ran longer than 0.2 s (CATALOG_EXECUTION_TIMEOUT_S)"
                " and was stopped; nothing was changed",
                "extensions": {"code": "TIMEOUT"},
            }
        ]
    }


async def test_a_statement_past_the_statement_timeout_is_a_timeout_error(
    slow: SlowClient,
) -> None:
    async with slow(timeout_s=10, statement_timeout_ms=100) as (client, engine):
        body = await gql(client, "{ sleep(seconds: 5) }")

        message = (
            "a database statement ran longer than CATALOG_STATEMENT_TIMEOUT_MS and was stopped"
        )
        assert body == {
            "data": {"sleep": None},
            "errors": [
                {
                    "message": message,
                    "locations": [{"line": 1, "column": 3}],
                    "path": ["sleep"],
                    "extensions": {"code": "TIMEOUT"},
                }
            ],
        }
        assert await gql(client, "{ sleep(seconds: 0) }") == {"data": {"sleep": "awake"}}
        assert engine.pool.checkedout() == 0


def _broken(mask_errors: bool, request_id: str) -> dict[str, Any]:
    message = "Unexpected error." if mask_errors else "a secret detail"
    # A masked error carries the request id, to find the message in the logs.
    masked_extensions = {"requestId": request_id} if mask_errors else {}
    return {
        "data": {"broken": None, "refused": None},
        "errors": [
            {
                "message": message,
                "locations": [{"line": 1, "column": 3}],
                "path": ["broken"],
                "extensions": {"code": "INTERNAL_SERVER_ERROR", **masked_extensions},
            },
            {
                "message": "no",
                "locations": [{"line": 1, "column": 10}],
                "path": ["refused"],
                "extensions": {"code": "BAD_USER_INPUT"},
            },
        ],
    }


@pytest.mark.parametrize("mask_errors", [True, False])
async def test_masking_hides_unexpected_messages_and_keeps_coded_ones(
    slow: SlowClient, mask_errors: bool
) -> None:
    async with slow(timeout_s=10, mask_errors=mask_errors) as (client, _):
        response = await client.post("/graphql", json={"query": "{ broken refused }"})

    assert without_cost(response.json()) == _broken(mask_errors, response.headers["x-request-id"])


@pytest.fixture
def prod_settings() -> Settings:
    return load_settings(
        database_url="postgresql://unused/unused",
        env="prod",
        oidc_issuers=[{"issuer": "https://idp.example", "audience": "catalog"}],
        session_secret="a-long-random-session-secret-for-tests-only",
        anonymous_read=True,
        _env_file=None,
    )


@pytest.fixture
async def prod_client(
    prod_settings: Settings,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(prod_settings, engine=engine, sessionmaker=sessionmaker)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            "{ servics { totalCount } }",
            _refusal(
                "Cannot query field 'servics' on type 'Query'.",
                "GRAPHQL_VALIDATION_FAILED",
                column=3,
            ),
        ),
        (
            ALIASES_31,
            {
                "data": None,
                "errors": [
                    {
                        "message": "31 aliases exceed the limit of 30 (CATALOG_MAX_ALIASES)",
                        "extensions": {"code": "ALIAS_LIMIT_EXCEEDED"},
                    }
                ],
            },
        ),
        (
            "{ services(first: 101) { totalCount } }",
            _refusal(
                "a page holds at most 100 items; 101 were asked for", "PAGE_SIZE_EXCEEDED", column=3
            ),
        ),
    ],
)
async def test_prod_keeps_validation_and_limit_messages(
    prod_client: httpx.AsyncClient, document: str, expected: dict[str, Any]
) -> None:
    """Masking is on in prod; refusals still say why (and suggest no field names)."""
    assert await gql(prod_client, document) == expected
