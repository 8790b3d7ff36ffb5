"""No pool pre-ping: a pooled connection that died is recovered by running the work once
more on a new connection, and the client never sees it.

The app runs over its own engine and pool on a database of its own; another connection
then terminates every backend of that pool (`pg_terminate_backend`, what PostgreSQL does
to its clients when it restarts), and the next requests must answer as if nothing happened.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catalog.services.models import Service
from core.db import make_engine, make_sessionmaker
from core.settings import Settings
from graphql_schema.node import global_id
from server.app import create_app
from tests.builders.catalog import create_service
from tests.builders.identity import create_team
from tests.dev_token import DEV_TOKEN
from tests.graphql import data
from tests.lifespan import developer_client

SERVICES = "{ services(first: 5) { totalCount edges { node { slug name } } } }"
SERVICE = "query($slug: String!) { service(slug: $slug) { slug name tier } }"
CREATE = """
mutation($input: CreateServiceInput!) {
  createService(input: $input) { service { slug } userErrors { field code } }
}
"""
POOLED = 3
ROUNDS = 500  # requests per worker at most, under load
RESTARTS = 5  # every connection of the pool killed at once, 0.4 s apart


@dataclass
class Subject:
    app: FastAPI
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    client: httpx.AsyncClient
    url: str


@pytest.fixture
async def subject(settings: Settings, fresh_database: str) -> AsyncIterator[Subject]:
    engine = make_engine(fresh_database)
    sessions = make_sessionmaker(engine)
    app = create_app(settings, engine=engine, sessionmaker=sessions, dev_token=DEV_TOKEN)
    try:
        async with developer_client(app) as client:
            await data(client, "{ viewer { roles } }")  # provisions the developer
            yield Subject(app, engine, sessions, client, fresh_database)
    finally:
        await engine.dispose()


async def _fill_the_pool(subject: Subject) -> None:
    """Hold POOLED connections at once, so that the pool keeps that many."""
    connections = [await subject.engine.connect() for _ in range(POOLED)]
    for connection in connections:
        await connection.close()
    assert subject.engine.pool.checkedin() >= POOLED  # type: ignore[attr-defined]


async def _terminate_the_pool(subject: Subject) -> int:
    """Kill every backend of the app's pool from another connection; how many died."""
    url = subject.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    killer = await asyncpg.connect(url)
    try:
        killed: int = await killer.fetchval(
            """
            SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))
            FROM pg_stat_activity
            WHERE datname = current_database()
              AND application_name = 'service-catalog'
              AND pid <> pg_backend_pid()
            """
        )
    finally:
        await killer.close()
    return killed


async def test_a_query_on_a_dead_pooled_connection_still_answers(subject: Subject) -> None:
    async with subject.sessions() as session, session.begin():
        await create_service(session, slug="checkout", name="Checkout")
    await _fill_the_pool(subject)

    assert await _terminate_the_pool(subject) >= POOLED

    page = await data(subject.client, SERVICES)
    assert page == {
        "services": {"totalCount": 1, "edges": [{"node": {"slug": "checkout", "name": "Checkout"}}]}
    }
    one = await data(subject.client, SERVICE, {"slug": "checkout"})
    assert one == {"service": {"slug": "checkout", "name": "Checkout", "tier": "TIER_2"}}


async def test_a_mutation_on_a_dead_pooled_connection_is_written_once(subject: Subject) -> None:
    async with subject.sessions() as session, session.begin():
        team = await create_team(session)
    await _fill_the_pool(subject)
    variables = {
        "input": {
            "slug": "quote-to-cash",
            "name": "Quote to cash",
            "ownerTeamId": global_id("Team", team.id),
            "tier": "TIER_1",
        }
    }

    assert await _terminate_the_pool(subject) >= POOLED

    created = await data(subject.client, CREATE, variables)
    assert created == {"createService": {"service": {"slug": "quote-to-cash"}, "userErrors": []}}
    async with subject.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(Service).where(Service.slug == "quote-to-cash")
        )
    assert count == 1


async def test_the_caller_is_looked_up_on_a_new_connection_when_the_pooled_one_died(
    subject: Subject,
) -> None:
    subject.app.state.principals.forget(None)  # the next request looks the developer up
    await _fill_the_pool(subject)

    assert await _terminate_the_pool(subject) >= POOLED

    viewer = await data(subject.client, "{ viewer { roles } }")
    assert "ADMIN" in viewer["viewer"]["roles"]


# The default path: verify mode would compare two reads taken while writers change the data.
@pytest.mark.read_path("compiled")
async def test_under_load_no_read_fails_and_no_acknowledged_write_is_lost(
    subject: Subject,
) -> None:
    """4 readers and 4 writers while every connection of the pool is killed, a few times
    (what a PostgreSQL restart does to a pool, idle or busy): what a pre-ping used to
    guarantee. A write killed mid-way may fail (it is not acknowledged); a read may not."""
    async with subject.sessions() as session, session.begin():
        team = await create_team(session)
        await create_service(session, slug="checkout", name="Checkout")
    owner = global_id("Team", team.id)
    stop = asyncio.Event()
    reads: list[bool] = []
    acknowledged: list[str] = []

    async def reader() -> None:
        for _ in range(ROUNDS):
            if stop.is_set():
                return
            body = (await subject.client.post("/graphql", json={"query": SERVICES})).json()
            reads.append("errors" not in body and body["data"]["services"]["totalCount"] >= 1)
            await asyncio.sleep(0)  # the killer runs even if a request never waits

    async def writer(number: int) -> None:
        for index in range(ROUNDS):
            if stop.is_set():
                return
            await asyncio.sleep(0)
            slug = f"load-{number}-{index}"
            variables = {
                "input": {"slug": slug, "name": slug, "ownerTeamId": owner, "tier": "TIER_3"}
            }
            response = await subject.client.post(
                "/graphql", json={"query": CREATE, "variables": variables}
            )
            body = response.json()
            if "errors" not in body and not body["data"]["createService"]["userErrors"]:
                acknowledged.append(slug)

    async def killer() -> int:
        url = subject.engine.url.set(drivername="postgresql").render_as_string(False)
        connection = await asyncpg.connect(url)
        killed = 0
        try:
            for _ in range(RESTARTS):
                await asyncio.sleep(0.4)
                killed += await connection.fetchval(
                    """
                    SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))
                    FROM pg_stat_activity
                    WHERE datname = current_database()
                      AND application_name = 'service-catalog' AND pid <> pg_backend_pid()
                    """
                )
        finally:
            await connection.close()
            stop.set()
        return killed

    killing = asyncio.create_task(killer())
    await asyncio.gather(*[reader() for _ in range(4)], *[writer(n) for n in range(4)])

    assert await killing > 0
    assert reads
    assert all(reads), f"{reads.count(False)} of {len(reads)} reads failed"
    assert acknowledged
    async with subject.sessions() as session:
        stored = set(
            await session.scalars(select(Service.slug).where(Service.slug.in_(acknowledged)))
        )
    assert stored == set(acknowledged)
