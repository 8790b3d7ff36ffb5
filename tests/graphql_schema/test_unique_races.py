"""A unique key taken by a concurrent writer between an action's check and its insert is
still refused on its field (committed transactions, a real race)."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from catalog.services.models import Service
from core.db import make_engine, make_sessionmaker
from core.settings import Settings
from graphql_schema.node import global_id
from server.app import create_app
from tests.builders.catalog import create_service
from tests.builders.identity import create_team
from tests.dev_token import DEV_TOKEN
from tests.graphql import gql
from tests.lifespan import developer_client

CREATE = """
mutation($input: CreateServiceInput!) {
  createService(input: $input) { service { slug } userErrors { field code } }
}
"""


async def test_a_slug_taken_while_a_create_waits_is_refused_on_the_slug(
    settings: Settings, fresh_database: str
) -> None:
    engine = make_engine(fresh_database)
    sessions = make_sessionmaker(engine)
    app = create_app(settings, engine=engine, sessionmaker=sessions, dev_token=DEV_TOKEN)
    try:
        async with sessions() as session, session.begin():
            team = await create_team(session)
        variables = {
            "input": {
                "slug": "checkout",
                "name": "Checkout",
                "ownerTeamId": global_id("Team", team.id),
                "tier": "TIER_1",
            }
        }
        async with developer_client(app) as client:
            async with sessions() as rival, rival.begin():
                # The rival holds the slug, not yet committed: the create's check sees
                # nothing, and its insert waits on the rival's key.
                await create_service(rival, slug="checkout", owner_team_id=team.id)
                create = asyncio.create_task(gql(client, CREATE, variables))
                await asyncio.sleep(0.5)
                assert not create.done()
            body = await create

        assert body["data"]["createService"] == {
            "service": None,
            "userErrors": [{"field": ["slug"], "code": "DUPLICATE"}],
        }
        async with sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Service)) == 1
    finally:
        await engine.dispose()
