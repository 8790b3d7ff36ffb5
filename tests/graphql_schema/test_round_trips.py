"""Round trips per request over a real engine and pool (not the suite's shared connection):
an operation that reads nothing opens no transaction; a repeated token is not looked up
again; a read sends its domain statements and nothing else; a mutation adds one statement
naming its actor and request id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import make_engine, make_sessionmaker
from core.settings import Settings
from graphql_schema.context import Context
from graphql_schema.node import global_id
from identity.models import Person
from server.app import create_app
from tests.builders.catalog import create_service
from tests.builders.identity import create_team
from tests.dev_token import DEV_AUTHORIZATION, DEV_TOKEN
from tests.graphql import data
from tests.lifespan import lifespan

SERVICE = "query($slug: String!) { service(slug: $slug) { slug name tier } }"
PAGE = "{ services(first: 20) { totalCount edges { node { slug name } } } }"
CREATE = """
mutation($input: CreateServiceInput!) {
  createService(input: $input) { service { slug } userErrors { field code } }
}
"""
HISTORY = """
query($slug: String!) {
  service(slug: $slug) { history(first: 5) { edges { node { version actor requestId } } } }
}
"""


@dataclass
class RoundTrips:
    """Every statement, transaction end and pool checkout on the engine."""

    statements: list[str] = field(default_factory=list)
    transactions: int = 0
    checkouts: int = 0

    def reset(self) -> None:
        self.statements.clear()
        self.transactions = self.checkouts = 0

    @property
    def identity(self) -> list[str]:
        return [sql for sql in self.statements if "person.issuer =" in _flat(sql)]

    @property
    def setup(self) -> list[str]:
        return [
            sql
            for sql in self.statements
            if _flat(sql).startswith(("set transaction", "select set_config", "select pg_"))
        ]

    @property
    def domain(self) -> list[str]:
        return [sql for sql in self.statements if sql not in self.identity + self.setup]


def _flat(sql: str) -> str:
    return " ".join(sql.split()).lower()


@dataclass
class Subject:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    anonymous: httpx.AsyncClient
    developer: httpx.AsyncClient
    trips: RoundTrips


@pytest.fixture
async def subject(settings: Settings, fresh_database: str) -> AsyncIterator[Subject]:
    engine = make_engine(fresh_database)
    sessions = make_sessionmaker(engine)
    app = create_app(settings, engine=engine, sessionmaker=sessions, dev_token=DEV_TOKEN)
    trips = RoundTrips()
    sync = engine.sync_engine

    def statement(*args: Any) -> None:
        trips.statements.append(args[2])

    def transaction(*_: Any) -> None:
        trips.transactions += 1

    def checkout(*_: Any) -> None:
        trips.checkouts += 1

    event.listen(sync, "before_cursor_execute", statement)
    for name in ("begin", "commit", "rollback"):
        event.listen(sync, name, transaction)
    event.listen(sync.pool, "checkout", checkout)
    try:
        async with lifespan(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with (
                httpx.AsyncClient(transport=transport, base_url="http://test") as anonymous,
                httpx.AsyncClient(
                    transport=transport, base_url="http://test", headers=DEV_AUTHORIZATION
                ) as developer,
            ):
                await data(developer, "{ viewer { roles } }")  # provisions the developer
                yield Subject(engine, sessions, anonymous, developer, trips)
    finally:
        await engine.dispose()


async def test_typename_alone_makes_no_round_trip(subject: Subject) -> None:
    subject.trips.reset()
    assert await data(subject.anonymous, "{ __typename }") == {"__typename": "Query"}
    assert subject.trips == RoundTrips()


async def test_typename_with_a_known_token_makes_no_round_trip(subject: Subject) -> None:
    subject.trips.reset()
    assert await data(subject.developer, "{ __typename }") == {"__typename": "Query"}
    # The caller is the one the first request looked up (cached for the token's lifetime).
    assert subject.trips == RoundTrips()


@pytest.mark.read_path(
    "resolvers"
)  # the compiled path's: tests/graphql_schema/compiled/test_wire.py
@pytest.mark.parametrize("caller", ["anonymous", "developer"])
async def test_a_read_sends_its_domain_statements_and_no_setup(
    subject: Subject, caller: str
) -> None:
    async with subject.sessions() as session, session.begin():
        await create_service(session, slug="checkout")
    client: httpx.AsyncClient = getattr(subject, caller)

    subject.trips.reset()
    result = await data(client, SERVICE, {"slug": "checkout"})
    assert result["service"]["slug"] == "checkout"
    assert subject.trips.setup == []  # `BEGIN READ ONLY`: no `SET TRANSACTION` of its own
    assert subject.trips.identity == []  # the token's person is cached
    assert len(subject.trips.domain) == 1
    assert subject.trips.checkouts == 1  # and no pre-ping

    subject.trips.reset()
    page = await data(client, PAGE)
    assert page["services"]["totalCount"] == 1
    assert subject.trips.setup == []
    assert subject.trips.identity == []
    assert len(subject.trips.domain) == 2  # the page and its count
    assert subject.trips.transactions == 2  # BEGIN READ ONLY and ROLLBACK


async def test_a_read_runs_read_only(subject: Subject, settings: Settings) -> None:
    pid = text("SELECT pg_backend_pid()")
    context = Context(settings=settings, sessionmaker=subject.sessions, principal=None)
    async with context.db() as session:
        assert await session.scalar(text("SHOW transaction_read_only")) == "on"
        reader = await session.scalar(pid)
    await context.finish(commit=True)
    writer = Context(settings=settings, sessionmaker=subject.sessions, principal=None)
    writer.read_only = False
    async with writer.db() as session:
        assert await session.scalar(text("SHOW transaction_read_only")) == "off"
        assert await session.scalar(pid) == reader  # the same pooled connection
    await writer.finish(commit=False)
    # The option went back with the connection: a plain session writes again.
    async with subject.sessions() as session:
        assert await session.scalar(text("SHOW transaction_read_only")) == "off"
        assert await session.scalar(pid) == reader


async def test_a_mutation_names_its_actor_and_request_id_in_one_statement(
    subject: Subject,
) -> None:
    async with subject.sessions() as session, session.begin():
        team = await create_team(session)
    variables = {
        "input": {
            "slug": "quote-to-cash",
            "name": "Quote to cash",
            "ownerTeamId": global_id("Team", team.id),
            "tier": "TIER_1",
        }
    }

    subject.trips.reset()
    response = await subject.developer.post(
        "/graphql",
        json={"query": CREATE, "variables": variables},
        headers={"X-Request-ID": "req-round-trips"},
    )
    assert response.json()["data"]["createService"]["userErrors"] == []
    assert len(subject.trips.setup) == 1  # both set_config calls in one statement

    history = await data(subject.developer, HISTORY, {"slug": "quote-to-cash"})
    (version,) = (edge["node"] for edge in history["service"]["history"]["edges"])
    async with subject.sessions() as session:
        developer = await session.scalar(select(Person.id).where(Person.subject == "developer"))
    assert version["requestId"] == "req-round-trips"
    assert version["actor"] == f"person:{developer}"
