"""Seasonal releases on autopilot: from the Trust maintenance calendar's major releases, the
three Salesforce releases a year (Spring, Summer, Winter 'YY), each org's sandbox preview and
production upgrade dates, and a readiness assessment opened for every active service on an
org that gets the upgrade.

Readiness stays one assessment per (release, service): a service's readiness is about its
build, the same on each of its orgs; the dates differ per org and live in
`release_org_schedule`, and RELEASE_READINESS_DUE is sent per (release, org) two weeks before
that org's production upgrade (notifications/notices/release_readiness.py).

Each active service on a production org is frozen around that org's upgrade
(work/releases/upgrade_freezes.py).

Idempotent: a second run creates nothing twice; dates follow the calendar when it moves.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs.models import OrgKind, SalesforceOrg
from catalog.services.models import Service, service_salesforce_org
from catalog.trust import actions as trust
from catalog.trust.models import VendorMaintenance
from identity.models import Team, TeamKind
from work.releases.models import (
    ReadinessAssessment,
    ReadinessRisk,
    Release,
    ReleaseKind,
    ReleaseOrgSchedule,
    Season,
    release_service,
)
from work.releases.upgrade_freezes import ACTIVE, freeze_upgrades

_SEASON = re.compile(r"\b(spring|summer|winter)\b\s*'?\s*(\d{2}|\d{4})\b", re.IGNORECASE)


def season_of(name: str) -> tuple[Season, int] | None:
    """("Spring '27 Major Release") -> (SPRING, 2027); None for a name naming no season."""
    found = _SEASON.search(name)
    if found is None:
        return None
    year = int(found[2])
    return Season(found[1].upper()), year + 2000 if year < 100 else year


def release_name(season: Season, year: int) -> str:
    return f"{season.value.title()} '{year % 100:02d}"


@dataclass
class AutopilotReport:
    releases: list[str] = field(default_factory=list)
    created: int = 0
    schedules: int = 0
    assessments: int = 0
    freezes: int = 0
    skipped: str | None = None

    def summary(self) -> str:
        if self.skipped:
            return self.skipped
        return (
            f"{len(self.releases)} seasonal releases planned ({', '.join(self.releases) or '-'});"
            f" {self.created} created, {self.schedules} org dates, {self.assessments}"
            f" readiness assessments opened, {self.freezes} upgrade freezes made or moved"
        )


@dataclass(frozen=True)
class _OrgDates:
    sandbox_preview_on: date | None
    production_on: date | None


def _dates(orgs: list[SalesforceOrg], upgrade_on: dict[str, date]) -> dict[uuid.UUID, _OrgDates]:
    """Each org's dates: a production org's upgrade and its sandboxes' earliest preview; a
    sandbox's (or scratch org's) preview and its production org's upgrade."""
    own = {org.id: upgrade_on.get(org.instance_key or "") for org in orgs}
    previews: dict[uuid.UUID, list[date]] = defaultdict(list)
    for org in orgs:
        if org.kind is not OrgKind.PRODUCTION and org.parent_id and own[org.id]:
            previews[org.parent_id].append(own[org.id])  # type: ignore[arg-type]
    found = {}
    for org in orgs:
        if own[org.id] is None:
            continue
        if org.kind is OrgKind.PRODUCTION:
            found[org.id] = _OrgDates(min(previews[org.id], default=None), own[org.id])
        else:
            parent = own.get(org.parent_id) if org.parent_id else None
            found[org.id] = _OrgDates(own[org.id], parent)
    return found


async def _owner_team(session: AsyncSession) -> uuid.UUID | None:
    """The platform team that owns seasonal releases (the first by name), else any team."""
    return await session.scalar(
        select(Team.id).order_by((Team.kind != TeamKind.PLATFORM), Team.name, Team.id).limit(1)
    )


async def _release(
    session: AsyncSession, season: Season, year: int, owner: uuid.UUID, dates: list[_OrgDates]
) -> tuple[Release, bool]:
    previews = [d.sandbox_preview_on for d in dates if d.sandbox_preview_on]
    upgrades = [d.production_on for d in dates if d.production_on]
    release = await session.scalar(
        select(Release).where(
            Release.kind == ReleaseKind.SALESFORCE_SEASONAL,
            Release.season == season,
            Release.season_year == year,
        )
    )
    created = release is None
    if release is None:
        release = Release(
            owner_team_id=owner,
            name=release_name(season, year),
            kind=ReleaseKind.SALESFORCE_SEASONAL,
            season=season,
            season_year=year,
        )
        session.add(release)
    preview, upgrade = min(previews, default=None), min(upgrades, default=None)
    if (release.sandbox_preview_on, release.production_on) != (preview, upgrade):
        release.sandbox_preview_on, release.production_on = preview, upgrade
    await session.flush()
    return release, created


async def _schedule(
    session: AsyncSession, release_id: uuid.UUID, dates: dict[uuid.UUID, _OrgDates]
) -> None:
    rows = [
        {
            "release_id": release_id,
            "salesforce_org_id": org_id,
            "sandbox_preview_on": item.sandbox_preview_on,
            "production_on": item.production_on,
        }
        for org_id, item in dates.items()
    ]
    statement = insert(ReleaseOrgSchedule).values(rows)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["release_id", "salesforce_org_id"],
            set_={
                "sandbox_preview_on": statement.excluded.sandbox_preview_on,
                "production_on": statement.excluded.production_on,
                "updated_at": func.now(),
            },
            where=(
                ReleaseOrgSchedule.sandbox_preview_on.is_distinct_from(
                    statement.excluded.sandbox_preview_on
                )
                | ReleaseOrgSchedule.production_on.is_distinct_from(
                    statement.excluded.production_on
                )
            ),
        )
    )


async def _open_assessments(
    session: AsyncSession, release_id: uuid.UUID, org_ids: list[uuid.UUID]
) -> int:
    """The release's services and a not-ready assessment for each active service on the orgs."""
    services = list(
        await session.scalars(
            select(Service.id)
            .join(service_salesforce_org, service_salesforce_org.c.service_id == Service.id)
            .where(
                service_salesforce_org.c.salesforce_org_id.in_(org_ids),
                Service.archived_at.is_(None),
                Service.lifecycle.in_(ACTIVE),
            )
            .distinct()
        )
    )
    if not services:
        return 0
    await session.execute(
        insert(release_service)
        .values([{"release_id": release_id, "service_id": key} for key in services])
        .on_conflict_do_nothing()
    )
    opened = await session.scalars(
        insert(ReadinessAssessment)
        .values(
            [
                {
                    "release_id": release_id,
                    "service_id": key,
                    "risk": ReadinessRisk.MEDIUM,
                    "ready": False,
                    "notes": "Opened by the seasonal release autopilot.",
                }
                for key in services
            ]
        )
        .on_conflict_do_nothing(index_elements=["release_id", "service_id"])
        .returning(ReadinessAssessment.id)
    )
    return len(opened.all())


async def plan_seasonal_releases(session: AsyncSession, *, now: datetime) -> AutopilotReport:
    """Create or update the seasonal releases the calendar announces, with per-org dates."""
    report = AutopilotReport()
    by_season: dict[tuple[Season, int], list[VendorMaintenance]] = defaultdict(list)
    for maintenance in await trust.major_release_maintenances(session, now):
        found = season_of(maintenance.name)
        if found is not None:
            by_season[found].append(maintenance)
    orgs = list(
        await session.scalars(
            select(SalesforceOrg).where(
                SalesforceOrg.archived_at.is_(None), SalesforceOrg.instance_key.is_not(None)
            )
        )
    )
    owner = await _owner_team(session)
    if owner is None:
        report.skipped = "no team to own the seasonal releases"
        return report
    for (season, year), maintenances in sorted(by_season.items(), key=lambda item: item[0][1]):
        upgrade_on: dict[str, date] = {}
        for maintenance in sorted(maintenances, key=lambda m: m.planned_start):
            for key in maintenance.instance_keys:
                upgrade_on.setdefault(key, maintenance.planned_start.date())
        dates = _dates(orgs, upgrade_on)
        if not dates:
            continue
        release, created = await _release(session, season, year, owner, list(dates.values()))
        await _schedule(session, release.id, dates)
        report.releases.append(release.name)
        report.created += created
        report.schedules += len(dates)
        report.assessments += await _open_assessments(session, release.id, list(dates))
        upgrades = {key: item.production_on for key, item in dates.items() if item.production_on}
        report.freezes += await freeze_upgrades(session, release, upgrades)
    return report
