"""Who records measurements: the service's owner team, an ADMIN, or a machine feed granted
TEAM_MEMBER. Real tokens from a real issuer; a refusal is FORBIDDEN and writes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.oidc_settings import IssuerConfig
from core.settings import load_settings
from graphql_schema.node import global_id
from identity.audit import AuditEvent, AuditOutcome
from service_levels.models import Measurement
from tests.builders.catalog import create_service
from tests.builders.identity import create_team
from tests.graphql import gql
from tests.graphql_schema.desk import GROUPS, Desk, desk_client
from tests.identity.idp import TestIssuer

RECORD = """
mutation($input: RecordMeasurementInput!) {
  recordMeasurement(input: $input) { measurement { value } created userErrors { code } }
}
"""
IMPORT = """
mutation($input: ImportMeasurementsInput!) {
  importMeasurements(input: $input) { created updated unchanged userErrors { field code } }
}
"""
FINANCE_FEED = "finance-feed"


@pytest.fixture
async def desk(
    issuer: TestIssuer, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Desk]:
    """Anonymous reads are on: the public catalog is readable, measurements are not."""
    config = IssuerConfig(
        issuer=issuer.issuer,
        audience="catalog-api",
        role_map=GROUPS,
        machine_clients={FINANCE_FEED: ("TEAM_MEMBER",), "monitoring": ("SUPPORT_AGENT",)},
    )
    settings = load_settings(
        database_url="postgresql://unused/unused",
        oidc_issuers=(config,),
        anonymous_read=True,
        _env_file=None,
    )
    async with desk_client(issuer, engine, sessionmaker, settings) as desk:
        yield desk


def _record(service: Any, value: float = 10.0) -> dict[str, Any]:
    return {
        "input": {
            "metric": "COST",
            "serviceId": global_id("Service", service.id),
            "at": "2026-10-01T00:00:00Z",
            "value": value,
        }
    }


def _codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors") or []]


async def _count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Measurement)) or 0)


async def test_the_owner_team_records_and_another_team_is_forbidden(
    desk: Desk, session: AsyncSession
) -> None:
    service = await create_service(session)
    owner = await desk.person(session, teams=[service.owner_team_id])
    outsider = await desk.person(session, teams=[(await create_team(session)).id])

    refused = await outsider.gql(RECORD, _record(service))
    recorded = await owner.data(RECORD, _record(service))

    assert refused["data"] is None
    assert _codes(refused) == ["FORBIDDEN"]
    assert "reserved to the owner team" in refused["errors"][0]["message"]
    assert recorded["recordMeasurement"] == {
        "measurement": {"value": 10.0},
        "created": True,
        "userErrors": [],
    }
    assert await _count(session) == 1
    denied = await session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == "recordMeasurement",
            AuditEvent.outcome == AuditOutcome.DENIED,
        )
    )
    assert denied == 1


async def test_a_contributor_or_support_agent_may_not_record(
    desk: Desk, session: AsyncSession
) -> None:
    service = await create_service(session)
    contributor = await desk.person(session, "contributors")
    monitoring = desk.machine("monitoring")

    for caller in (contributor, monitoring):
        body = await caller.gql(RECORD, _record(service))
        assert _codes(body) == ["FORBIDDEN"], body

    assert await _count(session) == 0


async def test_a_machine_feed_with_team_member_records_for_any_service(
    desk: Desk, session: AsyncSession
) -> None:
    service = await create_service(session, slug="billing")
    feed = desk.machine(FINANCE_FEED)

    recorded = await feed.data(RECORD, _record(service))
    imported = await feed.data(
        IMPORT,
        {
            "input": {
                "format": "CSV",
                "content": "metric,service,at,value\nCOST,billing,2026-10-02T00:00:00Z,5\n",
            }
        },
    )

    assert recorded["recordMeasurement"]["created"] is True
    assert imported["importMeasurements"] == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "userErrors": [],
    }
    by = await session.scalars(select(Measurement.recorded_by).distinct())
    assert list(by) == [f"client:{FINANCE_FEED}@{desk.issuer.issuer}"]


async def test_an_import_naming_a_service_of_another_team_is_forbidden_whole(
    desk: Desk, session: AsyncSession
) -> None:
    ours = await create_service(session, slug="ours")
    await create_service(session, slug="theirs")
    member = await desk.person(session, teams=[ours.owner_team_id])
    content = (
        "metric,service,at,value\n"
        "COST,ours,2026-10-01T00:00:00Z,5\n"
        "COST,theirs,2026-10-01T00:00:00Z,5\n"
    )

    body = await member.gql(IMPORT, {"input": {"format": "CSV", "content": content}})

    assert _codes(body) == ["FORBIDDEN"]
    assert body["errors"][0]["message"].endswith("not yours: theirs")
    assert await _count(session) == 0


async def test_an_admin_records_for_any_service(desk: Desk, session: AsyncSession) -> None:
    service = await create_service(session)
    admin = await desk.person(session, "admins")

    recorded = await admin.data(RECORD, _record(service, 3.5))

    assert recorded["recordMeasurement"]["measurement"] == {"value": 3.5}


async def test_anonymous_callers_see_services_but_not_their_measurements(
    desk: Desk, session: AsyncSession
) -> None:
    await create_service(session, slug="billing")
    query = '{ service(slug: "billing") { slug %s } }'

    public = await gql(desk.client, query % "")
    private = await gql(desk.client, query % "measurements { totalCount }")

    assert public == {"data": {"service": {"slug": "billing"}}}
    assert private["data"] is None
    assert _codes(private) == ["UNAUTHENTICATED"]
