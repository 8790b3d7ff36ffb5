"""The demo's quarter of service requests, replayed through the request actions.

Each planned move runs at its moment (`core.clock.replaying`) as the person who makes it, so
the same domain event as live work stamps its SLA clocks. The backlog team's defects wait in
a sprint and are fulfilled by the catalog when its release ships. Requests are known by
title: a catalog that has a planned title keeps it, so a second run creates nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import replaying
from core.events import ServiceRequestsChanged, merging
from server.demo.desk import Desk, load_desk
from server.demo.kit import SEED_PRINCIPAL, Tally, backdate, ignore, known_titles, move_item
from server.demo.request_plan import (
    BACKLOG_TEAM,
    RELEASE_NAME,
    Act,
    PlannedRequest,
    Step,
    plan_requests,
)
from work.backlog import sprint_actions
from work.backlog.models import BacklogItem, BacklogItemStatus, Sprint
from work.releases import actions as releases
from work.releases.models import Release, ReleaseKind
from work.requests import actions as requests
from work.requests.models import RequestStatus, ServiceRequest, SupportTier

S = RequestStatus
MOVES = {
    Act.TRIAGE: S.TRIAGED,
    Act.REJECT: S.REJECTED,
    Act.START: S.IN_PROGRESS,
    Act.WAIT: S.WAITING_ON_REQUESTER,
    Act.RESUME: S.IN_PROGRESS,
    Act.FULFIL: S.FULFILLED,
    Act.CLOSE: S.CLOSED,
    Act.REOPEN: S.IN_PROGRESS,
    Act.BACKLOG: S.ASSIGNED_TO_BACKLOG,
}
# Moves the requester makes; the desk makes the others.
BY_REQUESTER = frozenset({Act.FILE, Act.RESUME, Act.CLOSE, Act.REOPEN})
NOTES = {
    Act.REJECT: "Not for the service desk: raise it with the service's product owner.",
    Act.WAIT: "Asked the requester for their manager's approval.",
    Act.RESUME: "Approval attached.",
    Act.REOPEN: "Still happening after the fix.",
    Act.BACKLOG: "Needs a change to the org: handed to the owner team's backlog.",
}
TRIAGE_FIELDS = frozenset({"impact", "urgency", "support_tier", "assignee_id"})


async def seed_demo_requests(
    session: AsyncSession, *, now: datetime, tally: Tally = ignore
) -> None:
    """About 250 requests over the last 90 days, a dozen of them still open now."""
    desk = await load_desk(session)
    plans = plan_requests(desk, now)
    existing = await known_titles(session, ServiceRequest.title, [plan.title for plan in plans])
    for plan in plans:
        tally("service_request", created=plan.title not in existing)
    replay = _Replay(session, desk)
    # Every move is stamped once, at the end: the stamps are recomputed from all the moves.
    async with merging(session, ServiceRequestsChanged):
        await replay.run([plan for plan in plans if plan.title not in existing])
    release = await session.scalar(
        select(Release.id).where(
            Release.owner_team_id == desk.teams[BACKLOG_TEAM], Release.name == RELEASE_NAME
        )
    )
    if release is not None:
        tally("release", created=replay.shipped)


@dataclass
class _Replay:
    session: AsyncSession
    desk: Desk
    shipped: bool = False
    # Requests waiting for the release, and what happens to them after it.
    waiting: list[tuple[PlannedRequest, uuid.UUID, list[Step]]] = field(default_factory=list)
    items: list[uuid.UUID] = field(default_factory=list)

    async def run(self, plans: list[PlannedRequest]) -> None:
        for plan in plans:
            request_id: uuid.UUID | None = None
            for index, step in enumerate(plan.steps):
                if step.act is Act.RELEASED:
                    assert request_id is not None
                    self.waiting.append((plan, request_id, list(plan.steps[index:])))
                    break
                request_id = await self._step(plan, request_id, step)
        if not self.waiting:
            return
        released = self.waiting[0][2][0]  # the same moment for every request waiting
        await self._ship(released.at)
        for plan, request_id, rest in self.waiting:
            for step in rest[1:]:
                await self._step(plan, request_id, step)

    async def _step(
        self, plan: PlannedRequest, request_id: uuid.UUID | None, step: Step
    ) -> uuid.UUID:
        with replaying(step.at):
            if request_id is None:
                assert step.act is Act.FILE
                return await self._file(plan)
            if step.act is Act.TIER_UP:
                await requests.update_request(
                    self.session,
                    principal=self.desk.agent(step.by),
                    request_id=request_id,
                    version=None,
                    fields=requests.RequestFields(
                        support_tier=SupportTier.L2, assignee_id=self.desk.people[plan.expert]
                    ),
                    given=frozenset({"support_tier", "assignee_id"}),
                )
                return request_id
            request = await self._move(plan, request_id, step)
            if step.act is Act.BACKLOG:
                assert request.backlog_item_id is not None
                await self._plan_item(plan, request.backlog_item_id, step.at)
            return request_id

    async def _file(self, plan: PlannedRequest) -> uuid.UUID:
        impact, urgency = plan.filed
        request = await requests.create_request(
            self.session,
            principal=self.desk.person(plan.requester),
            service_id=self.desk.service(plan.service).id,
            requester_id=None,
            fields=requests.RequestFields(
                title=plan.title, body=plan.body, kind=plan.kind, impact=impact, urgency=urgency
            ),
        )
        return request.id

    async def _move(
        self, plan: PlannedRequest, request_id: uuid.UUID, step: Step
    ) -> ServiceRequest:
        principal = (
            self.desk.person(step.by) if step.act in BY_REQUESTER else self.desk.agent(step.by)
        )
        triage = None
        if step.act is Act.TRIAGE:
            impact, urgency = plan.triaged
            triage = requests.RequestFields(
                impact=impact,
                urgency=urgency,
                support_tier=SupportTier.L1,
                assignee_id=self.desk.people[step.by],
            )
        return await requests.transition_request(
            self.session,
            principal=principal,
            request_id=request_id,
            version=None,
            to=MOVES[step.act],
            note=NOTES.get(step.act),
            triage=triage,
            triage_given=TRIAGE_FIELDS if triage else frozenset(),
        )

    async def _plan_item(self, plan: PlannedRequest, item_id: uuid.UUID, at: datetime) -> None:
        """The owner team takes the defect into a sprint as soon as it arrives."""
        await backdate(self.session, BacklogItem, item_id, at)
        await move_item(self.session, item_id, BacklogItemStatus.READY)
        sprint = await self.session.scalar(
            select(Sprint.id).where(
                Sprint.team_id == self.desk.teams[BACKLOG_TEAM], Sprint.name == plan.sprint
            )
        )
        assert sprint is not None, f"the demo has no sprint {plan.sprint!r}"
        await sprint_actions.add_to_sprint(
            self.session, principal=SEED_PRINCIPAL, sprint_id=sprint, item_ids=[item_id]
        )
        if plan.steps[-1].act is not Act.BACKLOG:
            self.items.append(item_id)

    async def _ship(self, at: datetime) -> None:
        """The sprint's defects are done, and the team's release ships them."""
        with replaying(at - timedelta(hours=4)):
            for item_id in self.items:
                await move_item(self.session, item_id, BacklogItemStatus.DONE)
            release = await releases.create_release(
                self.session,
                principal=SEED_PRINCIPAL,
                owner_team_id=self.desk.teams[BACKLOG_TEAM],
                kind=ReleaseKind.REGULAR,
                fields=releases.ReleaseFields(
                    name=RELEASE_NAME, version_label="2026.17", planned_on=at.date()
                ),
            )
            await releases.add_to_release(
                self.session, principal=SEED_PRINCIPAL, release_id=release.id, item_ids=self.items
            )
            await releases.start_release(
                self.session, principal=SEED_PRINCIPAL, release_id=release.id, version=None
            )
        with replaying(at):
            await releases.ship_release(
                self.session, principal=SEED_PRINCIPAL, release_id=release.id, version=None
            )
        self.shipped = True
