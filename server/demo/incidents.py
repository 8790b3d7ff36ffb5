"""The demo's quarter of incidents, replayed through the incident actions.

Monitoring, the Salesforce Trust feed and security tooling report as machine clients with
the alert's back-filled time; people report and move incidents as themselves. Every move
runs at its moment (`core.clock.replaying`), so the domain event of live work stamps its
SLA clocks. Two incidents get a hot fix, shipped by its own HOTFIX release and deployed org
by org. Incidents are known by title: a second run creates nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import replaying
from core.events import IncidentsChanged, merging
from identity.principal import Principal, Role
from server.demo.desk import MONITORING, Desk, load_desk
from server.demo.incident_plan import Act, DemoIncident, Step, plan_incidents, timeline
from server.demo.kit import (
    SEED_PRINCIPAL,
    Tally,
    backdate,
    deploy_hotfix,
    ignore,
    known_titles,
    move_item,
    ship,
)
from work.backlog.models import BacklogItem, BacklogItemStatus
from work.incidents import actions as incidents
from work.incidents.models import Incident, IncidentStatus
from work.releases import actions as releases
from work.releases import hotfix_actions
from work.releases.models import Release, ReleaseKind

_I = IncidentStatus
MOVES = {
    Act.ACKNOWLEDGE: _I.ACKNOWLEDGED,
    Act.MITIGATE: _I.MITIGATED,
    Act.RESOLVE: _I.RESOLVED,
    Act.REOPEN: _I.ACKNOWLEDGED,
    Act.CLOSE: _I.CLOSED,
}
NOTES = {
    Act.MITIGATE: "Workaround in place; users can carry on.",
    Act.REOPEN: "It came back: reopened.",
}


async def seed_demo_incidents(
    session: AsyncSession, *, now: datetime, tally: Tally = ignore
) -> None:
    """About 40 incidents over the last 90 days; the newest few are still open."""
    desk = await load_desk(session)
    plans = plan_incidents(desk, now)
    existing = await known_titles(session, Incident.title, [plan.title for plan in plans])
    # Every move is stamped once, at the end: the stamps are recomputed from all the moves.
    async with merging(session, IncidentsChanged):
        for plan in plans:
            tally("incident", created=plan.title not in existing)
            if plan.title not in existing:
                await _Replay(session, desk, plan).run(timeline(desk, plan, now))
    for plan in plans:
        if plan.hotfix is not None:
            found = await session.scalar(
                select(Release.id).where(Release.name == plan.hotfix.release)
            )
            if found is not None:
                tally("release", created=plan.title not in existing)


def _machine(source: str) -> Principal:
    """The machine client feeding this source: monitoring, the Trust feed, security tooling."""
    if source == "MONITORING":
        return MONITORING
    subject = "salesforce-trust" if source == "SALESFORCE_TRUST" else "security-tooling"
    return Principal(
        subject=subject,
        issuer=MONITORING.issuer,
        granted_roles=frozenset({Role.SUPPORT_AGENT}),
        is_machine=True,
    )


@dataclass
class _Replay:
    session: AsyncSession
    desk: Desk
    plan: DemoIncident
    incident_id: uuid.UUID | None = None
    item_id: uuid.UUID | None = None
    resolved: bool = False

    async def run(self, steps: list[Step]) -> None:
        for step in steps:
            with replaying(step.at):
                await self._step(step)

    @property
    def commander(self) -> Principal:
        return self.desk.agent(self.plan.commander)

    async def _step(self, step: Step) -> None:
        if step.act in (Act.REPORT, Act.REPEAT):
            await self._report(step)
            return
        assert self.incident_id is not None
        if step.act in MOVES:
            await self._move(self.incident_id, step)
        elif step.act is Act.HOTFIX:
            await self._raise_hotfix(self.incident_id, step.at)
        else:
            await self._ship_hotfix(step)

    async def _report(self, step: Step) -> None:
        plan = self.plan
        by_person = plan.reporter is not None
        alert = incidents.Alert(
            source=plan.source,
            alert_key=plan.alert_key,
            title=plan.title,
            severity=plan.severity,
            service_ids=[self.desk.service(slug).id for slug in plan.services],
        )
        incident = await incidents.report_incident(
            self.session,
            principal=(self.desk.person(plan.reporter) if plan.reporter else _machine(plan.source)),
            alert=alert,
            at=None if by_person else step.at,
        )
        if step.act is Act.REPORT:
            self.incident_id = incident.id
            await backdate(self.session, Incident, incident.id, step.at)  # when detected

    async def _move(self, incident_id: uuid.UUID, step: Step) -> None:
        plan = self.plan
        if step.act is Act.ACKNOWLEDGE:
            commander = self.desk.people[plan.commander]
            await self._update(incident_id, incidents.IncidentFields(commander_id=commander))
        # The root cause is known by the first resolution.
        first_resolution = step.act is Act.RESOLVE and not self.resolved
        self.resolved = self.resolved or step.act is Act.RESOLVE
        await incidents.transition_incident(
            self.session,
            principal=self.commander,
            incident_id=incident_id,
            version=None,
            to=MOVES[step.act],
            root_cause=plan.root_cause if first_resolution else None,
            note=NOTES.get(step.act),
        )
        if step.act in (Act.MITIGATE, Act.RESOLVE):
            share = 1.0 if step.act is Act.RESOLVE else 0.8
            hours = round(plan.people_hours * share, 1)
            await self._update(incident_id, incidents.IncidentFields(people_hours=hours))

    async def _update(self, incident_id: uuid.UUID, fields: incidents.IncidentFields) -> None:
        """Change the one field given (the others stay as they are)."""
        given = frozenset(
            name for name in ("commander_id", "people_hours") if getattr(fields, name) is not None
        )
        await incidents.update_incident(
            self.session,
            principal=self.commander,
            incident_id=incident_id,
            version=None,
            fields=fields,
            given=given,
        )

    async def _raise_hotfix(self, incident_id: uuid.UUID, at: datetime) -> None:
        hotfix = self.plan.hotfix
        assert hotfix is not None
        item = await incidents.create_hotfix(
            self.session,
            principal=self.commander,
            incident_id=incident_id,
            item_type=hotfix.type,
            title=hotfix.title,
            description=f"Raised from the incident {self.plan.title!r}.",
            service_id=self.desk.service(hotfix.service).id,
        )
        self.item_id = item.id
        await backdate(self.session, BacklogItem, item.id, at)

    async def _ship_hotfix(self, step: Step) -> None:
        hotfix, item_id = self.plan.hotfix, self.item_id
        assert hotfix is not None
        assert item_id is not None
        if step.act is Act.DEPLOY:
            assert step.org is not None
            await deploy_hotfix(self.session, item_id=item_id, org_ref=step.org, at=step.at)
        elif step.act is Act.BACK_MERGE:
            await hotfix_actions.record_back_merge(
                self.session,
                principal=SEED_PRINCIPAL,
                item_id=item_id,
                version=None,
                merged_at=step.at,
            )
        else:
            await self._release(hotfix.service, hotfix.release, item_id, step.at)

    async def _release(
        self, service_slug: str, name: str, item_id: uuid.UUID, at: datetime
    ) -> None:
        """Built (READY, DONE) and shipped by a HOTFIX release of its own."""
        for status in (BacklogItemStatus.READY, BacklogItemStatus.DONE):
            await move_item(self.session, item_id, status)
        release = await releases.create_release(
            self.session,
            principal=SEED_PRINCIPAL,
            owner_team_id=self.desk.teams[self.desk.service(service_slug).team],
            kind=ReleaseKind.HOTFIX,
            fields=releases.ReleaseFields(name=name, planned_on=at.date()),
        )
        await releases.add_to_release(
            self.session, principal=SEED_PRINCIPAL, release_id=release.id, item_ids=[item_id]
        )
        await ship(self.session, release.id)
