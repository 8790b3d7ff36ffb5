"""The demo's backlogs and releases: two teams' sprints, a shipped release, an open hot fix,
and the last and next seasonal Salesforce releases with each service's readiness.

Run after the demo services exist (from `seed_demo`). Sprints are found by (team, name),
items by (team, title), releases by (team, name) or season before anything is created,
so a second run creates nothing. Writes go through the domain actions, as an ADMIN.
"""

from __future__ import annotations

import uuid
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service
from identity.models import Team
from server.demo.kit import (
    SEED_PRINCIPAL,
    Tally,
    backdate,
    deploy_hotfix,
    ids_by_slug,
    ignore,
    move_item,
    ship,
)
from work.backlog import actions as work
from work.backlog import review_actions, sprint_actions
from work.backlog.models import (
    Backlog,
    BacklogItem,
    BacklogItemStatus,
    BacklogItemType,
    DesignReviewOutcome,
    Sprint,
)
from work.backlog.transitions import SKIPS_SPRINTS
from work.releases import actions as releases
from work.releases import readiness_actions
from work.releases.models import (
    ReadinessAssessment,
    ReadinessRisk,
    RegressionTestStatus,
    Release,
    ReleaseKind,
    Season,
)
from work.releases.transitions import season_name

S = BacklogItemStatus
_F, _D, _H = BacklogItemType.FEATURE, BacklogItemType.DEFECT, BacklogItemType.HOTFIX
_TD, _IDEA = BacklogItemType.TECH_DEBT, BacklogItemType.IDEA
PREVIOUS, CURRENT = "previous", "current"


@dataclass(frozen=True)
class DemoSprint:
    team: str
    name: str
    when: str  # PREVIOUS or CURRENT
    goal: str


@dataclass(frozen=True)
class DemoItem:
    team: str
    service: str | None
    type: BacklogItemType
    title: str
    estimate: int | None
    status: BacklogItemStatus
    sprint: str | None = None
    release: str | None = None  # shipped in this release (the item ends RELEASED)


SPRINTS = (
    DemoSprint("sales-cloud", "Sales Sprint 41", PREVIOUS, "Cleaner lead intake"),
    DemoSprint("sales-cloud", "Sales Sprint 42", CURRENT, "Forecast you can trust"),
    DemoSprint("service-cloud", "Service Sprint 17", PREVIOUS, "Faster first response"),
    DemoSprint("service-cloud", "Service Sprint 18", CURRENT, "Knowledge in the console"),
)
SALES_RELEASE = "Sales Cloud 2026.41"

# fmt: off
ITEMS = (
    DemoItem("sales-cloud", "lead-management", _F, "Round-robin assignment by language", 5,
             S.DONE, "Sales Sprint 41", SALES_RELEASE),
    DemoItem("sales-cloud", "account-hierarchy", _D, "Duplicate rule misses accented names", 3,
             S.DONE, "Sales Sprint 41", SALES_RELEASE),
    DemoItem("sales-cloud", "lead-management", _TD, "Retire the legacy lead trigger", 2,
             S.DONE, "Sales Sprint 41"),
    DemoItem("sales-cloud", "opportunity-pipeline", _F, "Audit trail for forecast adjustments",
             8, S.IN_DESIGN_REVIEW, "Sales Sprint 42"),
    DemoItem("sales-cloud", "territory-management", _F, "Preview a territory realignment", 5,
             S.IN_SPRINT, "Sales Sprint 42"),
    DemoItem("sales-cloud", "opportunity-pipeline", _D,
             "Forecast roll-up double-counts split opportunities", 3, S.DONE, "Sales Sprint 42"),
    DemoItem("sales-cloud", "einstein-lead-scoring", _F,
             "Explain lead scores on the record page", 8, S.READY),
    DemoItem("sales-cloud", "opportunity-pipeline", _IDEA, "Slack alert for stalled deals",
             None, S.NEW),
    DemoItem("sales-cloud", "opportunity-pipeline", _H,
             "Forecast page times out for large territories", 2, S.DONE),
    DemoItem("service-cloud", "case-management", _F, "Suggested replies from past cases", 8,
             S.DONE, "Service Sprint 17"),
    DemoItem("service-cloud", "omni-channel-routing", _D, "Chats routed to agents at capacity",
             3, S.DONE, "Service Sprint 17"),
    DemoItem("service-cloud", "knowledge-base", _F, "Knowledge sidebar in the service console",
             5, S.IN_SPRINT, "Service Sprint 18"),
    DemoItem("service-cloud", "customer-help-centre", _TD,
             "Move help-centre themes to Lightning Web Runtime", 5, S.READY),
    DemoItem("service-cloud", "legacy-email-to-case", _D,
             "Email-to-Case drops attachments over 10 MB", None, S.DECLINED),
)

# The next seasonal release: (service, risk, regression tests, ready, features, updates, actions)
READINESS = (
    ("opportunity-pipeline", ReadinessRisk.LOW, RegressionTestStatus.PASSED, True,
     ("Pipeline Inspection AI insights",), ("Enforce Rollbacks for Apex Action Exceptions",), ()),
    ("case-management", ReadinessRisk.MEDIUM, RegressionTestStatus.PASSED, True,
     ("Swarming for cases",), ("Enable ICU Locale Formats",), ("Brief the CRM service desk",)),
    ("omni-channel-routing", ReadinessRisk.HIGH, RegressionTestStatus.FAILED, False,
     (), ("Enforce Rollbacks for Apex Action Exceptions",),
     ("Fix the capacity model test failing in the preview sandbox", "Re-run the routing suite")),
    ("cpq-quoting", ReadinessRisk.MEDIUM, RegressionTestStatus.IN_PROGRESS, False,
     ("Dynamic Forms on quote lines",), ("Enable ICU Locale Formats",),
     ("Finish regression tests on crm-uat",)),
    ("identity-sso", ReadinessRisk.LOW, RegressionTestStatus.PASSED, True,
     (), ("Multi-factor authentication for direct UI logins",), ()),
)
SEASONAL_SERVICES = (
    "lead-management", "opportunity-pipeline", "case-management", "omni-channel-routing",
    "knowledge-base", "cpq-quoting", "billing-invoicing", "identity-sso",
)
# fmt: on
SEASONAL_TEAM = "salesforce-platform"
HOTFIX_DEPLOYED_TO = "crm-prod"


def seasons_around(today: date) -> tuple[tuple[Season, int, date, date], ...]:
    """The last seasonal release already in production and the next one, as Salesforce
    schedules them: (season, year, sandbox preview, production)."""
    schedule = sorted(
        (
            release
            for year in (today.year - 1, today.year, today.year + 1)
            for release in (
                (Season.SPRING, year, date(year, 1, 9), date(year, 2, 14)),
                (Season.SUMMER, year, date(year, 5, 8), date(year, 6, 13)),
                (Season.WINTER, year + 1, date(year, 8, 28), date(year, 10, 10)),
            )
        ),
        key=lambda release: release[3],
    )
    past = [release for release in schedule if release[3] <= today]
    upcoming = [release for release in schedule if release[3] > today]
    return past[-1], upcoming[0]


@dataclass
class _BacklogSeeder:
    session: AsyncSession
    now: datetime
    tally: Tally
    teams: dict[str, uuid.UUID] = field(default_factory=dict)
    services: dict[str, uuid.UUID] = field(default_factory=dict)
    sprints: dict[str, uuid.UUID] = field(default_factory=dict)
    created_items: dict[str, BacklogItem] = field(default_factory=dict)

    async def run(self) -> None:
        self.teams = await ids_by_slug(self.session, Team)
        self.services = await ids_by_slug(self.session, Service)
        for sprint in SPRINTS:
            self.sprints[sprint.name] = await self._sprint(sprint)
        for item in ITEMS:
            await self._item(item)
        await self._shipped_release()
        await self._hotfix_deployment()
        previous, upcoming = seasons_around(self.now.date())
        await self._seasonal(previous, shipped=True)
        await self._seasonal(upcoming, shipped=False)

    async def _sprint(self, demo: DemoSprint) -> uuid.UUID:
        team_id = self.teams[demo.team]
        found = await self.session.scalar(
            select(Sprint.id).where(Sprint.team_id == team_id, Sprint.name == demo.name)
        )
        self.tally("sprint", created=found is None)
        if found is not None:
            return found
        start = self.now.date() - timedelta(days=4 if demo.when == CURRENT else 18)
        sprint = await sprint_actions.create_sprint(
            self.session,
            principal=SEED_PRINCIPAL,
            team_id=team_id,
            fields={
                "name": demo.name,
                "starts_on": start,
                "ends_on": start + timedelta(days=13),
                "goal": demo.goal,
            },
        )
        return sprint.id

    async def _item(self, demo: DemoItem) -> None:
        found = await self.session.scalar(
            select(BacklogItem.id)
            .join(Backlog, Backlog.id == BacklogItem.backlog_id)
            .where(Backlog.team_id == self.teams[demo.team], BacklogItem.title == demo.title)
        )
        self.tally("backlog_item", created=found is None)
        if found is not None:
            return
        item = await work.create_item(
            self.session,
            principal=SEED_PRINCIPAL,
            team_id=self.teams[demo.team],
            fields=work.ItemFields(
                title=demo.title,
                type=demo.type,
                estimate=demo.estimate,
                service_id=self.services[demo.service] if demo.service else None,
            ),
        )
        # Items were raised over the last couple of months, not all at seeding time: lead
        # times (time to market) read believably.
        raised = self.now - timedelta(days=14 + zlib.crc32(demo.title.encode()) % 60)
        await backdate(self.session, BacklogItem, item.id, raised)
        await self._move(item, demo)
        self.created_items[demo.title] = item

    async def _move(self, item: BacklogItem, demo: DemoItem) -> None:
        """Take the item through the status table to where the demo wants it."""
        if demo.status is S.DECLINED:
            await self._to(item, S.DECLINED)
            return
        if demo.status is S.NEW:
            return
        await self._to(item, S.READY)
        if item.type in SKIPS_SPRINTS:
            if demo.status is S.DONE:
                await self._to(item, S.DONE)
            return
        if demo.sprint is None:
            return
        await sprint_actions.add_to_sprint(
            self.session,
            principal=SEED_PRINCIPAL,
            sprint_id=self.sprints[demo.sprint],
            item_ids=[item.id],
        )
        if demo.status is S.IN_SPRINT:
            return
        if item.needs_design_review or demo.status is S.IN_DESIGN_REVIEW:
            await self._to(item, S.IN_DESIGN_REVIEW)
            if demo.status is S.IN_DESIGN_REVIEW:
                return
            await review_actions.record_design_review(
                self.session,
                principal=SEED_PRINCIPAL,
                item_id=item.id,
                outcome=DesignReviewOutcome.APPROVED,
                notes="Fits the org's data model; no new sharing rules.",
            )
        await self._to(item, S.DONE)

    async def _to(self, item: BacklogItem, status: BacklogItemStatus) -> None:
        await move_item(self.session, item.id, status)

    async def _shipped_release(self) -> None:
        team_id = self.teams["sales-cloud"]
        found = await self.session.scalar(
            select(Release.id).where(
                Release.owner_team_id == team_id, Release.name == SALES_RELEASE
            )
        )
        self.tally("release", created=found is None)
        if found is not None:
            return
        release = await releases.create_release(
            self.session,
            principal=SEED_PRINCIPAL,
            owner_team_id=team_id,
            kind=ReleaseKind.REGULAR,
            fields=releases.ReleaseFields(
                name=SALES_RELEASE, version_label="2026.41", planned_on=self.now.date()
            ),
        )
        shipped = [
            self.created_items[item.title].id for item in ITEMS if item.release == SALES_RELEASE
        ]
        await releases.add_to_release(
            self.session, principal=SEED_PRINCIPAL, release_id=release.id, item_ids=shipped
        )
        await ship(self.session, release.id)

    async def _hotfix_deployment(self) -> None:
        """The hot fix reached production but not the UAT org yet: an open hot fix."""
        hotfix = next((i for i in self.created_items.values() if i.type is _H), None)
        if hotfix is None:
            return
        await deploy_hotfix(
            self.session,
            item_id=hotfix.id,
            org_ref=HOTFIX_DEPLOYED_TO,
            at=self.now - timedelta(hours=6),
        )

    async def _seasonal(self, season: tuple[Season, int, date, date], *, shipped: bool) -> None:
        kind, year, preview, production = season
        found = await self.session.scalar(
            select(Release.id).where(
                Release.kind == ReleaseKind.SALESFORCE_SEASONAL,
                Release.season == kind,
                Release.season_year == year,
            )
        )
        self.tally("release", created=found is None)
        if found is not None:
            assessed = await self.session.scalars(
                select(ReadinessAssessment.id).where(ReadinessAssessment.release_id == found)
            )
            for _ in assessed:
                self.tally("readiness_assessment", created=False)
            return
        release = await releases.create_release(
            self.session,
            principal=SEED_PRINCIPAL,
            owner_team_id=self.teams[SEASONAL_TEAM],
            kind=ReleaseKind.SALESFORCE_SEASONAL,
            fields=releases.ReleaseFields(
                season=kind,
                season_year=year,
                sandbox_preview_on=preview,
                production_on=production,
                service_ids=[self.services[slug] for slug in SEASONAL_SERVICES],
            ),
        )
        assert release.name == season_name(kind, year)
        for slug, risk, tests, ready, features, updates, actions in _readiness(shipped):
            await readiness_actions.assess_readiness(
                self.session,
                principal=SEED_PRINCIPAL,
                release_id=release.id,
                service_id=self.services[slug],
                version=None,
                readiness=readiness_actions.Readiness(
                    risk=risk,
                    regression_test_status=tests,
                    ready=ready,
                    features_to_adopt=list(features),
                    release_updates_enforced=list(updates),
                    actions=list(actions),
                ),
            )
            self.tally("readiness_assessment", created=True)
        if shipped:
            await ship(self.session, release.id)


Readiness = tuple[
    str,
    ReadinessRisk,
    RegressionTestStatus,
    bool,
    tuple[str, ...],
    tuple[str, ...],
    tuple[str, ...],
]


def _readiness(shipped: bool) -> tuple[Readiness, ...]:
    """A release already in production found every service ready."""
    if not shipped:
        return READINESS
    passed = RegressionTestStatus.PASSED
    return tuple((slug, ReadinessRisk.LOW, passed, True, (), (), ()) for slug in SEASONAL_SERVICES)


async def seed_demo_backlogs(
    session: AsyncSession, *, now: datetime, tally: Tally = ignore
) -> None:
    """Add the demo's sprints, backlog items, releases and readiness assessments."""
    await _BacklogSeeder(session, now, tally).run()
