"""`service-catalog seed --demo`: load the demo organisation through the domain actions.

Every record is looked up by its natural key first and created only when missing, so a
second run changes nothing. Writes go through the same actions (and validation) as the
API, as an ADMIN named `seed`, in one transaction.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs import actions as org_actions
from catalog.orgs import repository as org_repository
from catalog.services import actions as service_actions
from catalog.services import repository as service_repository
from catalog.services.calendar import BusinessCalendar, Weekday, WeeklyHours
from catalog.services.models import Lifecycle, OwnershipRole, OwnershipRoleKind
from core.clock import utcnow
from core.db import make_engine, make_sessionmaker
from core.history import set_transaction_actor
from core.settings import Settings
from identity import actions as identity_actions
from identity import repository as identity_repository
from identity.models import MembershipRole
from server import subscribers
from server.demo.ai_models import seed_demo_ai_models
from server.demo.backlog import seed_demo_backlogs
from server.demo.backups import seed_demo_backups
from server.demo.feedback import seed_demo_feedback
from server.demo.graph import seed_demo_graph
from server.demo.incidents import seed_demo_incidents
from server.demo.kit import SEED_PRINCIPAL
from server.demo.notifications import (
    DEMO_WEBHOOK_NAME,
    DEMO_WEBHOOK_URL,
    seed_demo_notifications,
)
from server.demo.organisation import (
    BUSINESS_UNITS,
    CALENDARS,
    ISSUER,
    ORGS,
    PEOPLE,
    TEAMS,
    DemoBackup,
    DemoOrg,
    DemoPerson,
    DemoRole,
    DemoService,
    DemoTeam,
)
from server.demo.provisioning import seed_demo_provisioning
from server.demo.requests import seed_demo_requests
from server.demo.salesforce_event_logs import seed_demo_footprints
from server.demo.services import SERVICES
from server.demo.slas import seed_demo_slas
from service_levels.metric_sql import MetricSettings

# Any fixed 64-bit number: two seeds started together run one after the other.
SEED_LOCK_KEY = 0x5E41_CA7A_1060_0002
HOUR = 3600

KINDS = {
    "business_unit": "business units",
    "team": "teams",
    "person": "people",
    "membership": "memberships",
    "salesforce_org": "Salesforce orgs",
    "service": "services",
    "ownership_role": "ownership roles",
    "shared_resource": "shared resources",
    "dependency": "dependencies",
    "sprint": "sprints",
    "backlog_item": "backlog items",
    "release": "releases",
    "readiness_assessment": "readiness assessments",
    "service_request": "service requests",
    "incident": "incidents",
    "feedback": "feedback items",
    "sla": "SLAs",
    "measurement": "measurements",
    "ai_model": "AI models",
    "ai_model_evaluation": "AI-model evaluations",
    "backup": "backups",
    "restore_drill": "restore drills",
    "notification_channel": "notification channels",
}


@dataclass
class DemoReport:
    """How many demo records of each kind there are, and how many this run created."""

    total: Counter[str] = field(default_factory=Counter)
    created: Counter[str] = field(default_factory=Counter)
    # Shown once: the demo webhook channel's signing secret, when this run made it.
    webhook_secret: str | None = None

    def tally(self, kind: str, *, created: bool) -> None:
        self.total[kind] += 1
        if created:
            self.created[kind] += 1

    def summary(self) -> str:
        counts = ", ".join(f"{self.total[kind]} {label}" for kind, label in KINDS.items())
        created = sum(self.created.values())
        outcome = f"created {created} records" if created else "already loaded; nothing created"
        return f"demo catalog: {counts} ({outcome})"

    def webhook_note(self) -> str | None:
        """How to receive the demo webhook channel's deliveries, when this run made it."""
        if self.webhook_secret is None:
            return None
        return (
            f"demo webhook channel {DEMO_WEBHOOK_NAME!r} sends to {DEMO_WEBHOOK_URL}, signed with"
            f" {self.webhook_secret} (shown once; rotateNotificationSecret makes another); to"
            " receive: .venv/bin/python examples/webhook_receiver.py"
            f" --secret {self.webhook_secret}"
        )


async def seed_demo(
    database_url: str, *, now: datetime | None = None, settings: Settings | None = None
) -> str:
    """Load the demo organisation into a migrated database; safe to run twice."""
    return (await seed_demo_report(database_url, now=now, settings=settings)).summary()


async def seed_demo_report(
    database_url: str, *, now: datetime | None = None, settings: Settings | None = None
) -> DemoReport:
    """Seed in one transaction, under a lock, as the seed ADMIN; tell what was created.

    With `settings`, the SLA clocks warn and the demo's objectives are evaluated as the API
    configured by them would (warning percent, outage severities, hourly rate, time zone)."""
    subscribers.wire(settings)  # the SLA clocks stamp every replayed move, as in the API
    pooled = settings is not None and settings.uses_transaction_pooler
    engine = make_engine(database_url, transaction_pooler=pooled)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            await session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEED_LOCK_KEY}
            )
            await set_transaction_actor(session, actor=SEED_PRINCIPAL.actor, request_id="seed-demo")
            metric_settings = MetricSettings.of(settings) if settings else MetricSettings()
            seeder = _Seeder(session, now or utcnow(), metric_settings)
            await seeder.run()
            return seeder.report
    finally:
        await engine.dispose()


class _Seeder:
    def __init__(self, session: AsyncSession, now: datetime, settings: MetricSettings) -> None:
        self.session = session
        self.now = now
        self.metric_settings = settings
        self.report = DemoReport()
        self.units: dict[str, uuid.UUID] = {}
        self.teams: dict[str, uuid.UUID] = {}
        self.people: dict[str, uuid.UUID] = {}
        self.orgs: dict[str, uuid.UUID] = {}
        self.services: dict[str, uuid.UUID] = {}

    async def run(self) -> None:
        for name in BUSINESS_UNITS:
            self.units[name] = await self._business_unit(name)
        for team in TEAMS:
            self.teams[team.slug] = await self._team(team)
        for person in PEOPLE:
            self.people[person.handle] = await self._person(person)
        for person in PEOPLE:
            for team_slug, role in person.teams:
                await self._membership(person.handle, team_slug, role)
        for org in ORGS:  # parents come before their sandboxes
            self.orgs[org.key] = await self._org(org)
        for service in SERVICES:
            service_id = await self._service(service)
            self.services[service.slug] = service_id
            for demo_role in _roles(service):
                await self._ownership_role(service_id, demo_role)
        await seed_demo_graph(self.session, tally=self.report.tally)
        await seed_demo_backlogs(self.session, now=self.now, tally=self.report.tally)
        await seed_demo_requests(self.session, now=self.now, tally=self.report.tally)
        await seed_demo_incidents(self.session, now=self.now, tally=self.report.tally)
        await seed_demo_feedback(self.session, now=self.now, tally=self.report.tally)
        await seed_demo_slas(
            self.session,
            principal=SEED_PRINCIPAL,
            services=self.services,
            now=self.now,
            settings=self.metric_settings,
            tally=self.report.tally,
        )
        await seed_demo_ai_models(
            self.session,
            services=self.services,
            people=self.people,
            now=self.now,
            tally=self.report.tally,
        )
        await seed_demo_backups(self.session, orgs=self.orgs, now=self.now, tally=self.report.tally)
        self.report.webhook_secret = await seed_demo_notifications(
            self.session, teams=self.teams, now=self.now, tally=self.report.tally
        )
        await seed_demo_provisioning(self.session, tally=self.report.tally)
        await seed_demo_footprints(self.session, tally=self.report.tally)

    def _ago(self, days: int) -> datetime:
        return self.now - timedelta(days=days)

    def _day(self, days_ago: int) -> date:
        return self._ago(days_ago).date()

    async def _business_unit(self, name: str) -> uuid.UUID:
        unit = await identity_repository.get_business_unit_by_name(self.session, name)
        self.report.tally("business_unit", created=unit is None)
        if unit is None:
            unit = await identity_actions.create_business_unit(
                self.session, principal=SEED_PRINCIPAL, name=name
            )
        return unit.id

    async def _team(self, team: DemoTeam) -> uuid.UUID:
        found = await identity_repository.get_team_by_slug(self.session, team.slug)
        self.report.tally("team", created=found is None)
        if found is not None:
            return found.id
        created = await identity_actions.create_team(
            self.session,
            principal=SEED_PRINCIPAL,
            name=team.name,
            slug=team.slug,
            kind=team.kind,
            business_unit_id=self.units[team.unit],
            contact_email=team.contact_email,
            chat_channel=team.chat_channel,
        )
        return created.id

    async def _person(self, person: DemoPerson) -> uuid.UUID:
        found = await identity_repository.get_person_by_identity(
            self.session, ISSUER, person.subject
        )
        self.report.tally("person", created=found is None)
        if found is not None:
            return found.id
        created = await identity_actions.ensure_person(
            self.session,
            issuer=ISSUER,
            subject=person.subject,
            display_name=person.display_name,
            email=person.email,
            email_verified=True,
        )
        return created.id

    async def _membership(self, handle: str, team_slug: str, role: MembershipRole) -> None:
        keys: dict[str, Any] = {
            "person_id": self.people[handle],
            "team_id": self.teams[team_slug],
            "role": role,
        }
        found = await identity_repository.find_membership(self.session, **keys)
        self.report.tally("membership", created=found is None)
        if found is None:
            await identity_actions.create_membership(self.session, principal=SEED_PRINCIPAL, **keys)

    async def _org(self, org: DemoOrg) -> uuid.UUID:
        found = await org_repository.get_by_org_id(self.session, org.org_id)
        self.report.tally("salesforce_org", created=found is None)
        if found is not None:
            return found.id
        created = await org_actions.create_salesforce_org(
            self.session, principal=SEED_PRINCIPAL, fields=self._org_fields(org)
        )
        return created.id

    def _org_fields(self, org: DemoOrg) -> dict[str, Any]:
        def ago(days: int | None) -> datetime | None:
            return None if days is None else self._ago(days)

        rpo = org.backup_rpo_hours
        return {
            "org_id": org.org_id,
            "name": org.name,
            "instance_url": org.instance_url,
            "instance_key": org.instance_key,
            "kind": org.kind,
            "parent_id": self.orgs[org.parent] if org.parent else None,
            "last_refreshed_at": ago(org.refreshed_days_ago),
            "expires_at": None if org.expires_in_days is None else ago(-org.expires_in_days),
            "credentials_ref": org.key,
            "backup_provider": org.backup_provider,
            "backup_rpo_seconds": None if rpo is None else rpo * HOUR,
            "backup_last_verified_restore_at": ago(org.restore_verified_days_ago),
        }

    async def _service(self, service: DemoService) -> uuid.UUID:
        found = await service_repository.get_by_slug(self.session, service.slug)
        self.report.tally("service", created=found is None)
        if found is not None:
            return found.id
        created = await service_actions.create_service(
            self.session, principal=SEED_PRINCIPAL, fields=self._service_fields(service)
        )
        return created.id

    def _service_fields(self, service: DemoService) -> dict[str, Any]:
        reviewed = service.reviewed_days_ago
        return {
            "slug": service.slug,
            "name": service.name,
            "description": service.description,
            "owner_team_id": self.teams[service.team],
            "tier": service.tier,
            "lifecycle": service.lifecycle,
            "tags": list(service.tags),
            "data_classification": service.classification,
            "compliance_regimes": list(service.regimes),
            "salesforce_org_ids": [self.orgs[key] for key in service.orgs],
            "review_interval_days": service.review_interval_days,
            "last_reviewed_at": None if reviewed is None else self._ago(reviewed),
            **_links(service),
            **self._backup(service.backup),
            **self._calendar(service.calendar),
        }

    def _calendar(self, name: str | None) -> dict[str, BusinessCalendar]:
        """Left out when there is none: a JSONB column would store None as JSON null."""
        if name is None:
            return {}
        calendar = CALENDARS[name]
        hours = [WeeklyHours(day, calendar.opens, calendar.closes) for day in calendar.days]
        if calendar.saturday is not None:
            hours.append(WeeklyHours(Weekday.SATURDAY, *calendar.saturday))
        years = (self.now.year, self.now.year + 1)
        holidays = tuple(
            date(year, month, day) for year in years for month, day in calendar.holidays
        )
        return {"business_calendar": BusinessCalendar(calendar.time_zone, tuple(hours), holidays)}

    def _backup(self, backup: DemoBackup | None) -> dict[str, Any]:
        if backup is None:
            return {}
        restored = backup.restore_verified_days_ago
        return {
            "backup_rpo_seconds": backup.rpo_hours * HOUR,
            "backup_rto_seconds": backup.rto_hours * HOUR,
            "backup_last_verified_restore_at": None if restored is None else self._ago(restored),
        }

    async def _ownership_role(self, service_id: uuid.UUID, role: DemoRole) -> None:
        person_id = self.people[role.person]
        found = await self.session.scalar(
            select(OwnershipRole.id).where(
                OwnershipRole.service_id == service_id,
                OwnershipRole.person_id == person_id,
                OwnershipRole.role == role.kind,
            )
        )
        self.report.tally("ownership_role", created=found is None)
        if found is not None:
            return
        ended = role.ended_days_ago
        await service_actions.create_ownership_role(
            self.session,
            principal=SEED_PRINCIPAL,
            service_id=service_id,
            person_id=person_id,
            role=role.kind,
            effective_from=self._day(role.since_days),
            effective_to=None if ended is None else self._day(ended),
        )


def _roles(service: DemoService) -> list[DemoRole]:
    """The service's product owner (if any) first, then its other roles."""
    owner = service.product_owner
    if owner is None:
        return list(service.roles)
    current = DemoRole(OwnershipRoleKind.PRODUCT_OWNER, owner, since_days=service.owner_since_days)
    return [current, *service.roles]


def _links(service: DemoService) -> dict[str, str]:
    """Runbook, repo and dashboard once a service is built; planned ones have none yet."""
    if service.lifecycle is Lifecycle.PLANNED:
        return {}
    links = {"repo_url": f"https://github.example.com/crm/{service.slug}"}
    if service.lifecycle is not Lifecycle.BUILDING:
        links["runbook_url"] = f"https://wiki.example.com/crm/runbooks/{service.slug}"
        links["dashboard_url"] = f"https://grafana.example.com/d/{service.slug}"
    return links
