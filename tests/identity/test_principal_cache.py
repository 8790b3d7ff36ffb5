"""The person behind a token is cached for the token's lifetime, and forgotten as soon as
who they are changes: in this process at once, in every replica by NOTIFY."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.db import make_engine
from core.settings import Settings
from identity import actions
from identity.models import MembershipRole, Person
from identity.principal import Role, development_principal
from identity.principal_cache import PrincipalCache
from server.app import create_app
from tests.builders.identity import create_team
from tests.conftest import StatementCounter
from tests.graphql import without_cost
from tests.identity.idp import TestIssuer
from tests.lifespan import lifespan

VIEWER = "{ viewer { roles teams { slug } } }"
ADMIN = development_principal(frozenset({Role.ADMIN}))


def _identity_lookups(counter: StatementCounter) -> int:
    return sum("person.issuer =" in " ".join(sql.split()).lower() for sql in counter.statements)


async def _viewer(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"}
    )


async def test_a_repeated_token_is_not_looked_up_again(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, count_statements: StatementCounter
) -> None:
    token = issuer.token(sub="cache-1")
    assert (await _viewer(oidc_client, token)).status_code == 200
    assert _identity_lookups(count_statements) >= 1

    count_statements.reset()
    response = await _viewer(oidc_client, token)

    assert without_cost(response.json()) == {"data": {"viewer": {"roles": ["VIEWER"], "teams": []}}}
    assert _identity_lookups(count_statements) == 0


async def test_a_membership_given_shows_on_the_very_next_request(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    token = issuer.token(sub="cache-2")
    assert (await _viewer(oidc_client, token)).json()["data"]["viewer"]["teams"] == []
    person = await session.scalar(select(Person.id).where(Person.subject == "cache-2"))
    team = await create_team(session, slug="cache-team")
    assert person is not None

    await actions.create_membership(
        session, principal=ADMIN, person_id=person, team_id=team.id, role=MembershipRole.ENGINEER
    )

    viewer = (await _viewer(oidc_client, token)).json()["data"]["viewer"]
    assert viewer == {
        "roles": ["CONTRIBUTOR", "TEAM_MEMBER", "VIEWER"],
        "teams": [{"slug": "cache-team"}],
    }


@dataclass
class Replica:
    app: FastAPI
    client: httpx.AsyncClient
    engine: AsyncEngine
    url: str

    @property
    def principals(self) -> PrincipalCache:
        cache: PrincipalCache = self.app.state.principals
        return cache


@pytest.fixture
async def replica(oidc_settings: Settings, fresh_database: str) -> AsyncIterator[Replica]:
    """The app over a database of its own, where other connections commit."""
    engine = make_engine(fresh_database)
    app = create_app(oidc_settings, engine=engine)
    try:
        async with lifespan(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                url = engine.url.set(drivername="postgresql").render_as_string(False)
                yield Replica(app, client, engine, url)
    finally:
        await engine.dispose()


async def _eventually(condition: object, seconds: float = 5.0) -> None:
    assert callable(condition)
    for _ in range(int(seconds / 0.02)):
        if await condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the condition never held")


async def test_a_deactivation_by_another_replica_is_heard_by_notify(
    replica: Replica, issuer: TestIssuer
) -> None:
    token = issuer.token(sub="cache-3")
    assert (await _viewer(replica.client, token)).status_code == 200
    assert len(replica.principals) == 1

    other = await asyncpg.connect(replica.url)  # another replica's transaction
    try:
        async with other.transaction():
            person: uuid.UUID = await other.fetchval(
                "UPDATE person SET active = false WHERE subject = 'cache-3' RETURNING id"
            )
            await other.execute(
                "SELECT pg_notify('catalog_identity', $1)", f'{{"person_ids": ["{person}"]}}'
            )
    finally:
        await other.close()

    async def refused() -> bool:
        return (await _viewer(replica.client, token)).status_code == 401

    await _eventually(refused)
    assert len(replica.principals) == 0


async def test_while_the_listener_is_down_nothing_is_cached(
    replica: Replica, issuer: TestIssuer
) -> None:
    token = issuer.token(sub="cache-4")
    assert (await _viewer(replica.client, token)).status_code == 200
    assert replica.principals.listening
    assert len(replica.principals) == 1

    killer = await asyncpg.connect(replica.url)
    try:
        await killer.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database()"
            " AND application_name = 'service-catalog listener'"
        )
    finally:
        await killer.close()

    async def forgotten() -> bool:
        return len(replica.principals) == 0

    await _eventually(forgotten)  # what was sent meanwhile is lost: start afresh

    async def listening_again() -> bool:
        return replica.principals.listening

    await _eventually(listening_again)
    assert (await _viewer(replica.client, token)).status_code == 200
    assert len(replica.principals) == 1
