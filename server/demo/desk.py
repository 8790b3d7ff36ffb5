"""What the demo's request and incident history stands on: the live services with their
clock terms, the people who file and work on them, and time counted in business hours.

Planning is pure (`DeskService.after` is calendar arithmetic); only `load_desk` reads.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.calendar import BusinessCalendar
from catalog.services.models import Lifecycle, Service, Tier
from identity.models import Person, Team
from identity.principal import Principal, Role
from server.demo.organisation import ISSUER, PEOPLE
from service_levels.actions import policies_for
from service_levels.calendar_math import instant_after
from service_levels.policy_defaults import ClockSubject, Targets, target_for

# The CRM service desk: L1 agents triage and fulfil, L2 experts take what L1 cannot.
L1_AGENTS = ("liam.oconnor", "eva.horvath")
L2_EXPERTS = ("aisha.bello", "samuel.adeyemi")
# Left the CRM teams: files nothing any more.
LEFT = frozenset({"peter.walsh"})
MONITORING = Principal(
    subject="monitoring",
    issuer=ISSUER,
    granted_roles=frozenset({Role.SUPPORT_AGENT}),
    is_machine=True,
)


@dataclass(frozen=True)
class DeskService:
    """A live service as its SLA clocks see it."""

    id: uuid.UUID
    slug: str
    name: str
    team: str  # the owner team's slug
    tier: Tier
    calendar: BusinessCalendar | None
    policy: Mapping[str, Any]  # its own clock targets; what it leaves out is the tier's

    def targets(self, subject: str) -> Targets:
        """Response and resolution targets for a priority or severity, in seconds."""
        return target_for(self.tier, self.policy, ClockSubject(subject)).targets

    def after(self, start: datetime, business: timedelta) -> datetime:
        """When `business` time of this service has run from `start`."""
        found = instant_after(self.calendar, start, business)
        assert found is not None, "a business calendar that never opens"
        return found


@dataclass(frozen=True)
class Desk:
    services: tuple[DeskService, ...]  # live, by slug
    people: Mapping[str, uuid.UUID]  # by handle
    teams: Mapping[str, uuid.UUID]  # by slug

    def service(self, slug: str) -> DeskService:
        return next(service for service in self.services if service.slug == slug)

    @property
    def requesters(self) -> tuple[str, ...]:
        """Everyone who may file a request, in a stable order."""
        return tuple(sorted(handle for handle in self.people if handle not in LEFT))

    def person(self, handle: str, *roles: Role) -> Principal:
        """A demo person acting with these roles (a requester is a CONTRIBUTOR)."""
        subject = next(person.subject for person in PEOPLE if person.handle == handle)
        return Principal(
            subject=subject,
            issuer=ISSUER,
            granted_roles=frozenset(roles or (Role.CONTRIBUTOR,)),
            person_id=self.people[handle],
        )

    def agent(self, handle: str) -> Principal:
        return self.person(handle, Role.SUPPORT_AGENT, Role.CONTRIBUTOR)


async def load_desk(session: AsyncSession) -> Desk:
    """The live demo services and the demo people, read once."""
    teams = dict((await session.execute(select(Team.slug, Team.id))).all())
    team_slugs = {team_id: slug for slug, team_id in teams.items()}
    services = list(
        await session.scalars(
            select(Service).where(Service.lifecycle == Lifecycle.LIVE).order_by(Service.slug)
        )
    )
    policies = await policies_for(session, [service.id for service in services])
    subjects = {person.subject: person.handle for person in PEOPLE}
    people = await session.execute(
        select(Person.subject, Person.id).where(
            Person.issuer == ISSUER, Person.subject.in_(list(subjects))
        )
    )
    return Desk(
        services=tuple(
            DeskService(
                id=service.id,
                slug=service.slug,
                name=service.name,
                team=team_slugs[service.owner_team_id],
                tier=service.tier,
                calendar=(
                    BusinessCalendar.from_json(service.business_calendar)
                    if service.business_calendar
                    else None
                ),
                policy=policies[service.id].targets if service.id in policies else {},
            )
            for service in services
        ),
        people={subjects[subject]: person_id for subject, person_id in people},
        teams=teams,
    )
