"""Seasonal releases on autopilot: the Trust calendar's major releases become the seasonal
releases with each org's sandbox preview and production dates, a readiness assessment opened
for every active service on an upgraded org, nothing twice on a re-run; and the readiness
notice two weeks before an org's upgrade, once per (release, org)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs.models import OrgKind
from catalog.services.models import Lifecycle
from catalog.trust.models import VendorMaintenance
from identity.models import TeamKind
from notifications.notices.release_readiness import org_upgrade_notices
from tests.builders.catalog import create_org, create_service
from tests.builders.identity import create_team
from work.releases.models import (
    FreezeScope,
    FreezeWindow,
    ReadinessAssessment,
    Release,
    ReleaseOrgSchedule,
    Season,
)
from work.releases.seasonal_autopilot import plan_seasonal_releases, season_of

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


async def maintenance(
    session: AsyncSession, name: str, keys: list[str], day: date, release_type: str = "Major"
) -> None:
    start = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
    session.add(
        VendorMaintenance(
            trust_id=uuid.uuid4().int % 10**9,
            name=name,
            instance_keys=keys,
            planned_start=start,
            planned_end=start + timedelta(hours=5),
            event_type="release",
            release_type=release_type,
            availability="available",
            synced_at=NOW,
        )
    )
    await session.flush()


def test_a_maintenance_name_gives_its_season() -> None:
    assert season_of("Spring '27 Major Release") == (Season.SPRING, 2027)
    assert season_of("Winter 2028 release") == (Season.WINTER, 2028)
    assert season_of("Database maintenance") is None


async def test_next_seasons_releases_exist_with_per_org_dates_and_open_assessments(
    session: AsyncSession,
) -> None:
    platform = await create_team(session, kind=TeamKind.PLATFORM)
    production = await create_org(session, instance_key="NA135")
    sandbox = await create_org(
        session, instance_key="CS42", kind=OrgKind.SANDBOX, parent_id=production.id
    )
    elsewhere = await create_org(session, instance_key="AP7")  # no release announced for it
    live = await create_service(session, orgs=[production, sandbox])
    await create_service(session, orgs=[production], lifecycle=Lifecycle.RETIRED)
    await create_service(session, orgs=[elsewhere])
    await maintenance(session, "Winter '27 Major Release", ["NA135"], date(2026, 10, 10))  # past
    await maintenance(session, "Spring '27 Major Release", ["CS42"], date(2027, 1, 9))
    await maintenance(session, "Spring '27 Major Release", ["NA135"], date(2027, 2, 13))
    await maintenance(session, "Summer '27 Major Release", ["CS42", "NA135"], date(2027, 5, 15))
    await maintenance(session, "Winter '28 Major Release", ["NA135"], date(2027, 10, 9))
    await maintenance(session, "Spring '27 Patch 3", ["NA135"], date(2027, 3, 1), "Patch")

    first = await plan_seasonal_releases(session, now=NOW)
    again = await plan_seasonal_releases(session, now=NOW)
    releases = (await session.scalars(select(Release).order_by(Release.production_on))).all()
    schedule = (
        await session.execute(
            select(
                Release.name,
                ReleaseOrgSchedule.salesforce_org_id,
                ReleaseOrgSchedule.sandbox_preview_on,
                ReleaseOrgSchedule.production_on,
            ).join(Release, Release.id == ReleaseOrgSchedule.release_id)
        )
    ).all()
    assessments = (
        await session.execute(select(ReadinessAssessment.service_id, ReadinessAssessment.ready))
    ).all()

    assert first.summary() == (
        "3 seasonal releases planned (Spring '27, Summer '27, Winter '28); 3 created,"
        " 5 org dates, 3 readiness assessments opened, 3 upgrade freezes made or moved"
    )
    assert again.summary() == (
        "3 seasonal releases planned (Spring '27, Summer '27, Winter '28); 0 created,"
        " 5 org dates, 0 readiness assessments opened, 0 upgrade freezes made or moved"
    )
    assert [
        (r.name, r.season, r.season_year, r.sandbox_preview_on, r.production_on, r.owner_team_id)
        for r in releases
    ] == [
        ("Spring '27", Season.SPRING, 2027, date(2027, 1, 9), date(2027, 2, 13), platform.id),
        ("Summer '27", Season.SUMMER, 2027, date(2027, 5, 15), date(2027, 5, 15), platform.id),
        ("Winter '28", Season.WINTER, 2028, None, date(2027, 10, 9), platform.id),
    ]
    assert {(name, org): (preview, upgrade) for name, org, preview, upgrade in schedule} == {
        ("Spring '27", sandbox.id): (date(2027, 1, 9), date(2027, 2, 13)),
        ("Spring '27", production.id): (date(2027, 1, 9), date(2027, 2, 13)),
        ("Summer '27", sandbox.id): (date(2027, 5, 15), date(2027, 5, 15)),
        ("Summer '27", production.id): (date(2027, 5, 15), date(2027, 5, 15)),
        ("Winter '28", production.id): (None, date(2027, 10, 9)),
    }
    assert sorted(assessments) == [(live.id, False)] * 3


async def test_services_on_an_upgraded_production_org_are_frozen_around_its_upgrade(
    session: AsyncSession,
) -> None:
    await create_team(session, kind=TeamKind.PLATFORM)
    production = await create_org(session, instance_key="NA135", name="Global CRM")
    sandbox = await create_org(
        session, instance_key="CS42", kind=OrgKind.SANDBOX, parent_id=production.id
    )
    checkout = await create_service(session, orgs=[production, sandbox])
    only_sandbox = await create_service(session, orgs=[sandbox])
    await maintenance(session, "Spring '27 Major Release", ["CS42"], date(2027, 1, 9))
    await maintenance(session, "Spring '27 Major Release", ["NA135"], date(2027, 2, 13))
    await plan_seasonal_releases(session, now=NOW)

    windows = (await session.scalars(select(FreezeWindow))).all()
    assert [
        (w.scope, w.service_id, w.starts_at, w.ends_at, w.reason, w.created_by) for w in windows
    ] == [
        (
            FreezeScope.SERVICE,
            checkout.id,
            datetime(2027, 2, 11, tzinfo=UTC),
            datetime(2027, 2, 15, tzinfo=UTC),
            "Spring '27: Salesforce upgrades Global CRM (seasonal release autopilot)",
            "job:seasonal-release-autopilot",
        )
    ]
    assert only_sandbox.id not in {w.service_id for w in windows}

    # The calendar moves the upgrade a week: the same window moves, none is added.
    moved = await session.scalar(
        select(VendorMaintenance)
        .where(VendorMaintenance.name == "Spring '27 Major Release")
        .order_by(VendorMaintenance.planned_start.desc())
        .limit(1)
    )
    assert moved is not None
    moved.planned_start += timedelta(days=7)
    moved.planned_end += timedelta(days=7)
    await session.flush()
    report = await plan_seasonal_releases(session, now=NOW)

    [window] = (await session.scalars(select(FreezeWindow))).all()
    assert report.freezes == 1
    assert (window.starts_at, window.ends_at) == (
        datetime(2027, 2, 18, tzinfo=UTC),
        datetime(2027, 2, 22, tzinfo=UTC),
    )


async def test_readiness_is_due_two_weeks_before_an_orgs_upgrade_once_per_release_and_org(
    session: AsyncSession,
) -> None:
    await create_team(session, kind=TeamKind.PLATFORM)
    soon, later = (
        await create_org(session, instance_key="NA135"),
        await create_org(session, instance_key="EU45"),
    )
    checkout = await create_service(session, orgs=[soon, later], name="Checkout")
    billing = await create_service(session, orgs=[soon], name="Billing")
    now = datetime.now(UTC)
    await maintenance(
        session, "Spring '27 Major Release", ["NA135"], (now + timedelta(days=10)).date()
    )
    await maintenance(
        session, "Spring '27 Major Release", ["EU45"], (now + timedelta(days=30)).date()
    )
    await plan_seasonal_releases(session, now=now)
    ready = await session.scalar(
        select(ReadinessAssessment).where(ReadinessAssessment.service_id == billing.id)
    )
    assert ready is not None
    ready.ready = True
    await session.flush()

    notices = await org_upgrade_notices(session, now)
    again = await org_upgrade_notices(session, now)

    (notice,) = notices
    release = await session.scalar(select(Release))
    assert release is not None
    assert notice.key == f"release-readiness:{release.id}:org:{soon.id}"
    assert notice.title == (
        f"Readiness due: {soon.name} upgrades to Spring '27 on"
        f" {(now + timedelta(days=10)).date().isoformat()}"
    )
    assert notice.lines == ("Checkout: not ready",)
    assert notice.service_ids == (checkout.id,)
    assert [item.key for item in again] == [notice.key]  # the outbox sends a key once
