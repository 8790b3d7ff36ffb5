"""The demo's backlogs and releases: consistent data, loaded once, telling a story."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from core.db import make_engine, make_sessionmaker
from server.demo.backlog import ITEMS, READINESS, SEASONAL_SERVICES, SPRINTS, seasons_around
from server.demo.organisation import TEAMS
from server.demo.seed import seed_demo_report
from server.demo.services import SERVICES
from work.backlog.models import BacklogItem, BacklogItemStatus, Sprint
from work.backlog.velocity import velocity
from work.releases import repository as release_repository
from work.releases.models import Release, ReleaseKind, ReleaseStatus, Season


def test_the_work_names_demo_teams_services_and_sprints() -> None:
    teams = {team.slug for team in TEAMS}
    services = {service.slug for service in SERVICES}

    assert {sprint.team for sprint in SPRINTS} <= teams
    assert {item.service for item in ITEMS if item.service} <= services
    assert {item.sprint for item in ITEMS if item.sprint} <= {sprint.name for sprint in SPRINTS}
    assert set(SEASONAL_SERVICES) <= services
    assert {slug for slug, *_ in READINESS} <= set(SEASONAL_SERVICES)


@pytest.mark.parametrize(
    ("today", "previous", "upcoming"),
    [
        (date(2026, 3, 1), (Season.SPRING, 2026), (Season.SUMMER, 2026)),
        (date(2026, 6, 13), (Season.SUMMER, 2026), (Season.WINTER, 2027)),
        (date(2026, 12, 1), (Season.WINTER, 2027), (Season.SPRING, 2027)),
        (date(2026, 1, 20), (Season.WINTER, 2026), (Season.SPRING, 2026)),
    ],
)
def test_the_seasons_around_a_day(
    today: date, previous: tuple[Season, int], upcoming: tuple[Season, int]
) -> None:
    last, following = seasons_around(today)

    assert last[:2] == previous
    assert following[:2] == upcoming
    assert last[3] <= today < following[3]


async def test_the_demo_has_sprints_a_shipped_release_an_open_hotfix_and_readiness(
    fresh_database: str,
) -> None:
    now = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    report = await seed_demo_report(fresh_database, now=now)

    engine = make_engine(fresh_database)
    try:
        async with make_sessionmaker(engine)() as session:
            sprint = await session.scalar(select(Sprint).where(Sprint.name == "Sales Sprint 41"))
            assert sprint is not None
            rows = await session.execute(
                select(BacklogItem.status, BacklogItem.estimate).where(
                    BacklogItem.sprint_id == sprint.id
                )
            )
            finished = [(status, estimate) for status, estimate in rows]
            hotfixes = list(await session.scalars(release_repository.open_hotfixes_query()))
            summer = await session.scalar(
                select(Release).where(
                    Release.kind == ReleaseKind.SALESFORCE_SEASONAL, Release.season == Season.SUMMER
                )
            )
            assert summer is not None
            not_ready = await session.scalars(
                release_repository.services_not_ready_query(summer.id)
            )
            shipped = await session.scalar(
                select(Release).where(Release.name == "Sales Cloud 2026.41")
            )
            assert shipped is not None
            released = await session.scalars(
                select(BacklogItem.title).where(
                    BacklogItem.status == BacklogItemStatus.RELEASED,
                    BacklogItem.release_id == shipped.id,
                )
            )
            released_titles = sorted(released)
            not_ready_slugs = sorted(service.slug for service in not_ready)
    finally:
        await engine.dispose()

    assert report.created["sprint"] == len(SPRINTS)
    assert report.created["backlog_item"] == len(ITEMS)
    # and the history's: the backlog team's release and two incidents' hot fix releases
    assert report.created["release"] == 3 + 1 + 2
    assert report.created["readiness_assessment"] == len(SEASONAL_SERVICES) + len(READINESS)
    assert velocity(finished) == 10
    assert sorted(item.title for item in hotfixes) == [
        "Forecast page times out for large territories",
        "Round tiered discounts per quote line",  # an incident's, not yet on every org
    ]
    assert summer.name == "Summer '26"
    assert summer.status is ReleaseStatus.PLANNED
    assert not_ready_slugs == [
        "billing-invoicing",
        "cpq-quoting",
        "knowledge-base",
        "lead-management",
        "omni-channel-routing",
    ]
    assert shipped is not None
    assert shipped.status is ReleaseStatus.RELEASED
    assert released_titles == [
        "Duplicate rule misses accented names",
        "Round-robin assignment by language",
    ]
