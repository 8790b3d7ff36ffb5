"""Monitoring repeating an alert concurrently still stores one incident (committed, real races)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import make_engine, make_sessionmaker
from graphql_schema.node import global_id
from server.app import create_app
from tests.builders.catalog import create_service
from tests.graphql import gql
from tests.graphql_schema.desk import desk_settings
from tests.identity.idp import TestIssuer
from tests.lifespan import lifespan
from work.incidents.models import Incident, IncidentStatusChange, incident_service

REPORT = """
mutation($input: ReportIncidentInput!) {
  reportIncident(input: $input) { incident { id } userErrors { code message } }
}
"""
REPEATS = 20


@pytest.fixture
async def committed(fresh_database: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(fresh_database)
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def api(issuer: TestIssuer, fresh_database: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app on its own database, with a pool wide enough for every request at once."""
    engine = make_engine(fresh_database, pool_size=REPEATS, max_overflow=5)
    app = create_app(desk_settings(issuer), engine=engine, sessionmaker=make_sessionmaker(engine))
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
    await engine.dispose()


async def test_twenty_concurrent_repeats_of_an_alert_store_one_incident(
    api: httpx.AsyncClient, committed: async_sessionmaker[AsyncSession], issuer: TestIssuer
) -> None:
    async with committed() as session, session.begin():
        service = await create_service(session, slug="checkout")
    token = issuer.token(sub="monitoring-service-account", client_id="monitoring")
    variables = {
        "input": {
            "source": "MONITORING",
            "alertKey": "checkout-5xx",
            "title": "Checkout answers 5xx",
            "severity": "SEV2",
            "serviceIds": [global_id("Service", service.id)],
        }
    }

    bodies = await asyncio.gather(
        *(
            gql(api, REPORT, variables, headers={"Authorization": f"Bearer {token}"})
            for _ in range(REPEATS)
        )
    )

    ids = {body["data"]["reportIncident"]["incident"]["id"] for body in bodies}
    assert [body["data"]["reportIncident"]["userErrors"] for body in bodies] == [[]] * REPEATS
    assert len(ids) == 1
    async with committed() as session:
        (incident,) = (await session.scalars(select(Incident))).all()
        links = await session.scalar(select(func.count()).select_from(incident_service))
        changes = await session.scalar(select(func.count()).select_from(IncidentStatusChange))
    assert incident.alert_count == REPEATS
    assert (links, changes) == (1, 1)
