"""The release calendar over GraphQL: `releases(filter: {from, to, serviceIds, teamIds,
kinds})` by each release's day, `Service.releases` and `Team.releases` in calendar order, and
bad ranges refused with a clear error."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from core.settings import Settings
from graphql_schema.node import global_id
from tests.builders.catalog import create_service
from tests.builders.identity import create_team
from tests.builders.work import create_release
from tests.conftest import StatementCounter
from tests.graphql import data, gql
from tests.graphql_schema.compiled.both_paths import MakeClient, assert_both_paths_agree
from work.releases.models import FreezeScope, FreezeWindow, ReleaseKind, ReleaseStatus, Season

CALENDAR = """
query Calendar($filter: ReleaseFilter) {
  releases(filter: $filter) { nodes { name calendarOn } }
}
"""
SERVICE_AND_TEAM = """
query Both($slug: String!) {
  service(slug: $slug) { releases { name calendarOn } }
  teams { nodes { slug releases { name } } }
}
"""


async def _calendar(session: AsyncSession) -> dict[str, Any]:
    """A team's service with a planned, a shipped, a seasonal and an undated release; another
    team's release changing the same service; a third team's release elsewhere."""
    platform = await create_team(session, slug="platform")
    crm = await create_service(session, slug="crm", owner_team_id=platform.id)
    other = await create_service(session, slug="billing")
    on_crm: dict[str, Any] = {"owner_team_id": platform.id, "service_ids": (crm.id,)}
    await create_release(session, name="R1", planned_on=date(2027, 1, 20), **on_crm)
    await create_release(
        session,
        name="Hotfix 7",
        kind=ReleaseKind.HOTFIX,
        status=ReleaseStatus.RELEASED,
        planned_on=date(2026, 12, 1),
        released_at=datetime(2026, 12, 5, 23, 30, tzinfo=UTC),
        **on_crm,
    )
    await create_release(
        session,
        name="Spring '27",
        kind=ReleaseKind.SALESFORCE_SEASONAL,
        season=Season.SPRING,
        season_year=2027,
        sandbox_preview_on=date(2027, 1, 9),
        production_on=date(2027, 2, 13),
        **on_crm,
    )
    await create_release(session, name="Someday", **on_crm)
    integration = await create_team(session, slug="integration")
    await create_release(
        session,
        name="Connector",
        owner_team_id=integration.id,
        service_ids=(crm.id,),
        planned_on=date(2027, 1, 5),
    )
    await create_release(
        session,
        name="Invoices",
        owner_team_id=other.owner_team_id,
        service_ids=(other.id,),
        planned_on=date(2027, 1, 6),
    )
    return {"platform": platform, "crm": crm, "integration": integration}


def _names(result: dict[str, Any]) -> list[tuple[str, str | None]]:
    return sorted((node["name"], node["calendarOn"]) for node in result["releases"]["nodes"])


async def test_the_calendar_lists_releases_by_their_day(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _calendar(session)

    quarter = await data(client, CALENDAR, {"filter": {"from": "2027-01-01", "to": "2027-03-31"}})
    december = await data(client, CALENDAR, {"filter": {"from": "2026-12-05", "to": "2026-12-05"}})
    seasonal = await data(
        client, CALENDAR, {"filter": {"from": "2027-01-01", "kinds": ["SALESFORCE_SEASONAL"]}}
    )

    assert _names(quarter) == [
        ("Connector", "2027-01-05"),
        ("Invoices", "2027-01-06"),
        ("R1", "2027-01-20"),
        ("Spring '27", "2027-02-13"),
    ]
    # Shipped: the UTC day it was released, not the day it was planned.
    assert _names(december) == [("Hotfix 7", "2026-12-05")]
    assert _names(seasonal) == [("Spring '27", "2027-02-13")]


async def test_the_calendar_of_a_team_or_service_includes_releases_changing_them(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    made = await _calendar(session)
    window = {"from": "2027-01-01", "to": "2027-03-31"}

    by_team = await data(
        client,
        CALENDAR,
        {"filter": {**window, "teamIds": [global_id("Team", made["integration"].id)]}},
    )
    by_platform = await data(
        client,
        CALENDAR,
        {"filter": {**window, "teamIds": [global_id("Team", made["platform"].id)]}},
    )
    by_service = await data(
        client,
        CALENDAR,
        {"filter": {**window, "serviceIds": [global_id("Service", made["crm"].id)]}},
    )

    assert _names(by_team) == [("Connector", "2027-01-05")]
    assert [name for name, _ in _names(by_platform)] == ["Connector", "R1", "Spring '27"]
    assert [name for name, _ in _names(by_service)] == ["Connector", "R1", "Spring '27"]


async def test_service_and_team_releases_come_in_calendar_order(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _calendar(session)

    found = await data(client, SERVICE_AND_TEAM, {"slug": "crm"})

    assert found["service"]["releases"] == [
        {"name": "Hotfix 7", "calendarOn": "2026-12-05"},
        {"name": "Connector", "calendarOn": "2027-01-05"},
        {"name": "R1", "calendarOn": "2027-01-20"},
        {"name": "Spring '27", "calendarOn": "2027-02-13"},
        {"name": "Someday", "calendarOn": None},
    ]
    teams = {
        team["slug"]: [item["name"] for item in team["releases"]]
        for team in found["teams"]["nodes"]
    }
    assert teams["platform"] == ["Hotfix 7", "Connector", "R1", "Spring '27", "Someday"]
    assert teams["integration"] == ["Connector"]


async def test_a_backwards_or_too_wide_range_is_a_clear_error(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    backwards = await gql(client, CALENDAR, {"filter": {"from": "2027-02-01", "to": "2027-01-01"}})
    too_wide = await gql(client, CALENDAR, {"filter": {"from": "2027-01-01", "to": "2029-06-01"}})
    bad_team = await gql(client, CALENDAR, {"filter": {"teamIds": ["nope"]}})

    assert backwards["errors"][0]["message"] == "filter: `from` must not be after `to`"
    assert too_wide["errors"][0]["message"] == "filter: a range spans at most two years (731 days)"
    for body in (backwards, too_wide, bad_team):
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


BOTH_PATHS = """
{
  releases(
    filter: {from: "2026-12-01", to: "2027-03-31", kinds: [REGULAR, SALESFORCE_SEASONAL, HOTFIX]}
  ) {
    totalCount nodes { name calendarOn freezeOverrideReason }
  }
  services(first: 5) { nodes { slug releases { name calendarOn ownerTeam { slug } } } }
  teams { nodes { slug releases { name calendarOn services { slug } } } }
  freezeWindows { nodes { reason scope startsAt endsAt service { slug } team { slug } } }
}
"""


async def test_the_compiled_path_answers_the_calendar_as_the_resolvers_do(
    session: AsyncSession, settings: Settings, make_client: MakeClient
) -> None:
    made = await _calendar(session)
    session.add(
        FreezeWindow(
            scope=FreezeScope.SERVICE,
            service_id=made["crm"].id,
            starts_at=datetime(2027, 2, 6, tzinfo=UTC),
            ends_at=datetime(2027, 2, 13, tzinfo=UTC),
            reason="Before Spring '27",
        )
    )
    await session.flush()

    await assert_both_paths_agree(BOTH_PATHS, settings, make_client)


# services, teams, and one per list each with its relations: flat in the number of services.
STATEMENTS = 6
SERVICES_RELEASES = """
{
  services(first: 10) { nodes { slug releases { name services { slug } ownerTeam { slug } } } }
  teams(first: 20) { nodes { slug releases { name } } }
}
"""


@pytest.mark.read_path("resolvers")  # the loaders' statements
@pytest.mark.parametrize("size", [2, 8])
async def test_service_and_team_releases_cost_flat_statements(
    size: int,
    client: httpx.AsyncClient,
    session: AsyncSession,
    count_statements: StatementCounter,
) -> None:
    for n in range(size):
        service = await create_service(session, slug=f"svc-{n}")
        for m in range(3):
            await create_release(
                session,
                name=f"R{n}.{m}",
                owner_team_id=service.owner_team_id,
                service_ids=(service.id,),
                planned_on=date(2027, 1, 1 + m),
            )
    await data(client, "{ viewer { roles } }")

    count_statements.reset()
    result = await data(client, SERVICES_RELEASES)

    assert len(result["services"]["nodes"]) == size
    assert all(len(node["releases"]) == 3 for node in result["services"]["nodes"])
    selects = [s for s in count_statements.statements if s.startswith("SELECT")]
    assert len(selects) == STATEMENTS, "\n\n".join(selects)
