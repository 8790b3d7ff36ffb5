"""A quarter of service requests as a plan: who filed what, and every move with its moment.

Pure and deterministic: the same desk, `now` and seed give the same plan, and the titles do
not depend on `now` (they are what a second run recognises). Moments are placed in each
service's business time against its clock targets, so most requests meet their clocks and a
believable minority breaches them; every moment is in the past and in order.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from server.demo.desk import L1_AGENTS, L2_EXPERTS, Desk, DeskService
from server.demo.organisation import PEOPLE
from server.demo.request_titles import BODIES, Titles
from work.requests.models import Level, RequestKind
from work.requests.priority import priority


class Act(StrEnum):
    FILE = "FILE"
    TRIAGE = "TRIAGE"
    REJECT = "REJECT"
    START = "START"
    WAIT = "WAIT"
    RESUME = "RESUME"
    TIER_UP = "TIER_UP"  # L1 -> L2: a change of tier and assignee, not of state
    FULFIL = "FULFIL"
    CLOSE = "CLOSE"
    REOPEN = "REOPEN"
    BACKLOG = "BACKLOG"
    RELEASED = "RELEASED"  # the backlog item ships; the catalog fulfils the request


class Path(StrEnum):
    DONE = "DONE"
    WAITING = "WAITING"
    TIERED = "TIERED"
    WAITING_TIERED = "WAITING_TIERED"
    REOPENED = "REOPENED"
    REJECTED_NEW = "REJECTED_NEW"
    REJECTED_TRIAGED = "REJECTED_TRIAGED"
    BACKLOG_RELEASED = "BACKLOG_RELEASED"
    AWAITING_CLOSE = "AWAITING_CLOSE"


@dataclass(frozen=True)
class Step:
    at: datetime
    act: Act
    by: str  # the handle of who makes the move


@dataclass(frozen=True)
class PlannedRequest:
    title: str
    body: str
    kind: RequestKind
    service: str
    requester: str
    expert: str  # the L2 expert a change of tier assigns
    filed: tuple[Level, Level]  # impact and urgency as filed
    triaged: tuple[Level, Level]  # as triage set them
    steps: tuple[Step, ...]
    sprint: str | None = None  # the backlog item's sprint (ASSIGNED_TO_BACKLOG only)


HISTORY: tuple[tuple[Path, int], ...] = (
    (Path.DONE, 118),
    (Path.WAITING, 34),
    (Path.TIERED, 24),
    (Path.WAITING_TIERED, 10),
    (Path.REOPENED, 14),
    (Path.REJECTED_NEW, 12),
    (Path.REJECTED_TRIAGED, 10),
    (Path.BACKLOG_RELEASED, 8),
    (Path.AWAITING_CLOSE, 8),
)
# Backlog paths take defects of the team whose sprints the demo has.
BACKLOG_TEAM = "service-cloud"
PREVIOUS_SPRINT, CURRENT_SPRINT = "Service Sprint 17", "Service Sprint 18"
RELEASE_NAME = "Service Cloud 2026.17"
SEED = 20261128
# Most requests are done within three days of business time, whatever their target.
BUSY = timedelta(days=3)
RESPONSE_BREACHES, RESOLUTION_BREACHES = 0.07, 0.12

_M, _H, _D = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
L, M, H, C = Level.LOW, Level.MEDIUM, Level.HIGH, Level.CRITICAL
_A, _CH, _DA = RequestKind.ACCESS, RequestKind.CHANGE, RequestKind.DATA
_Q, _DF = RequestKind.QUESTION, RequestKind.DEFECT

_KIND_WEIGHTS = ((_A, 30), (_CH, 20), (_DA, 15), (_Q, 20), (_DF, 15))
_LEVEL_WEIGHTS = ((L, 35), (M, 40), (H, 20), (C, 5))
_TIER_WEIGHTS = {"TIER_1": 4, "TIER_2": 3, "TIER_3": 2, "TIER_4": 1}


@dataclass(frozen=True)
class OpenRequest:
    """A request still open now: its state, and how far its running clock has gone."""

    service: str  # a 24x7 service: business time is wall time
    kind: RequestKind
    impact: Level
    urgency: Level
    state: str
    fraction: float  # of the running clock's target, at now


# fmt: off
OPEN_NOW = (
    OpenRequest("opportunity-pipeline", _A, H, H, "NEW", 0.85),
    OpenRequest("lead-management", _Q, L, M, "NEW", 0.3),
    OpenRequest("identity-sso", _A, H, C, "NEW", 1.4),
    OpenRequest("erp-customer-sync", _DA, M, M, "TRIAGED", 0.5),
    OpenRequest("order-to-cash-integration", _DF, H, H, "IN_PROGRESS", 0.9),
    OpenRequest("consent-preference-centre", _CH, M, H, "IN_PROGRESS", 1.25),
    OpenRequest("discount-approvals", _CH, M, M, "TIERED", 0.4),
    OpenRequest("e-signature", _DA, M, L, "WAITING", 0.6),
    OpenRequest("knowledge-base", _DF, L, L, "BACKLOG", 0.35),
    OpenRequest("customer-help-centre", _DF, L, M, "BACKLOG", 0.55),
    OpenRequest("platform-events-bus", _CH, M, M, "REOPENED", 0.3),
    OpenRequest("shield-event-monitoring", _Q, L, L, "TRIAGED", 0.2),
)
# fmt: on


def plan_requests(desk: Desk, now: datetime, seed: int = SEED) -> list[PlannedRequest]:
    """The quarter's requests, oldest first, then those still open now."""
    rng = random.Random(seed)
    names = {person.handle: person.display_name for person in PEOPLE}
    titles = Titles(rng, desk.requesters, names)
    paths = [path for path, count in HISTORY for _ in range(count)]
    rng.shuffle(paths)
    plans = [_history(rng, titles, desk, now, path) for path in paths]
    plans.sort(key=lambda plan: plan.steps[0].at)
    return plans + [_open(rng, titles, desk, now, spec) for spec in OPEN_NOW]


def _service(rng: random.Random, desk: Desk, path: Path) -> DeskService:
    pool = [
        service
        for service in desk.services
        if path is not Path.BACKLOG_RELEASED or service.team == BACKLOG_TEAM
    ]
    return rng.choices(pool, weights=[_TIER_WEIGHTS[service.tier] for service in pool])[0]


def _level(rng: random.Random) -> Level:
    return rng.choices([level for level, _ in _LEVEL_WEIGHTS], [w for _, w in _LEVEL_WEIGHTS])[0]


def _history(
    rng: random.Random, titles: Titles, desk: Desk, now: datetime, path: Path
) -> PlannedRequest:
    service = _service(rng, desk, path)
    kind = (
        _DF
        if path is Path.BACKLOG_RELEASED
        else rng.choices([k for k, _ in _KIND_WEIGHTS], [w for _, w in _KIND_WEIGHTS])[0]
    )
    title, requester = titles.draw(kind, service)
    filed = (_level(rng), _level(rng))
    # Triage confirms most requests as filed and re-weighs the rest.
    triaged = filed if rng.random() < 0.7 else (_level(rng), filed[1])
    agent, expert = rng.choice(L1_AGENTS), rng.choice(L2_EXPERTS)
    response, resolution = service.targets(priority(*triaged))
    timing = _Timing(
        response=_share(rng, timedelta(seconds=response), RESPONSE_BREACHES, rng.random()),
        resolution=_resolution(rng, timedelta(seconds=resolution)),
        pick=rng.uniform(0.3, 0.7),
        waiting=timedelta(hours=rng.uniform(2, 72)),
        closing=timedelta(hours=rng.uniform(1, 96)),
        reopening=timedelta(hours=rng.uniform(4, 6 * 24)),
        again=timedelta(hours=rng.uniform(1, 8)),
        start=timedelta(minutes=rng.uniform(5, 45)),
        offset=timedelta(minutes=rng.uniform(0, 240)),
    )
    days_ago = rng.uniform(20, 34) if path is Path.BACKLOG_RELEASED else rng.uniform(12, 90)
    if path is Path.AWAITING_CLOSE:
        days_ago = rng.uniform(3, 6)
    people = _People(requester, agent, expert)
    steps = _fit(
        lambda start: _steps(path, service, start, timing, people, now), now - days_ago * _D, now
    )
    return PlannedRequest(
        title,
        BODIES[kind],
        kind,
        service.slug,
        requester,
        expert,
        filed,
        triaged,
        steps,
        sprint=PREVIOUS_SPRINT if path is Path.BACKLOG_RELEASED else None,
    )


def _share(rng: random.Random, target: timedelta, breaches: float, roll: float) -> timedelta:
    """Business time used of a clock's target: within it, or (rarely) over it."""
    if roll < breaches:
        return target * rng.uniform(1.2, 2.5)
    return target * rng.uniform(0.1, 0.8)


def _resolution(rng: random.Random, target: timedelta) -> timedelta:
    """Resolution time: breached only where the target is a short one."""
    if rng.random() < RESOLUTION_BREACHES and target <= BUSY:
        return target * rng.uniform(1.1, 1.8)
    return min(target, BUSY) * rng.uniform(0.15, 0.8)


@dataclass(frozen=True)
class _Timing:
    response: timedelta  # business time from filing to triage
    resolution: timedelta  # business time the resolution clock runs in all
    pick: float  # where in the work a wait or a change of tier falls
    waiting: timedelta  # wall time waiting on the requester
    closing: timedelta  # wall time before the requester closes
    reopening: timedelta  # wall time before a reopen
    again: timedelta  # business time to fulfil again after a reopen
    start: timedelta  # business time from triage to work starting
    offset: timedelta  # business time into the day the request is filed


@dataclass(frozen=True)
class _People:
    requester: str
    agent: str
    expert: str


def _fit(
    steps: Callable[[datetime], list[Step]], start: datetime, now: datetime
) -> tuple[Step, ...]:
    """The steps from `start`, moved earlier until the last of them is in the past."""
    latest = now - timedelta(minutes=30)
    for _ in range(5):
        planned = steps(start)
        if planned[-1].at <= latest:
            return tuple(planned)
        start -= planned[-1].at - latest + _D
    raise AssertionError("a demo request that does not fit in the past")


def _steps(
    path: Path,
    service: DeskService,
    start: datetime,
    timing: _Timing,
    people: _People,
    now: datetime,
) -> list[Step]:
    filed = service.after(start, timing.offset)
    agent, requester = people.agent, people.requester
    steps = [Step(filed, Act.FILE, requester)]
    answered = service.after(filed, timing.response)
    if path is Path.REJECTED_NEW:
        return [*steps, Step(answered, Act.REJECT, agent)]
    steps.append(Step(answered, Act.TRIAGE, agent))
    started = service.after(answered, timing.start)
    if path is Path.REJECTED_TRIAGED:
        return [*steps, Step(started, Act.REJECT, agent)]
    if path is Path.BACKLOG_RELEASED:
        return [*steps, Step(started, Act.BACKLOG, agent), *_after_release(timing, people, now)]
    steps.append(Step(started, Act.START, agent))
    work = max(timing.resolution - timing.response - timing.start, 10 * _M)
    before, after = work * timing.pick, work * (1 - timing.pick)
    assignee, cursor = agent, service.after(started, before)
    if path in (Path.TIERED, Path.WAITING_TIERED):
        steps.append(Step(service.after(started, before / 2), Act.TIER_UP, agent))
        assignee = people.expert
    if path in (Path.WAITING, Path.WAITING_TIERED):
        steps.append(Step(cursor, Act.WAIT, assignee))
        cursor += timing.waiting
        steps.append(Step(cursor, Act.RESUME, requester))
    fulfilled = service.after(cursor, after)
    steps.append(Step(fulfilled, Act.FULFIL, assignee))
    if path is Path.REOPENED:
        reopened = fulfilled + timing.reopening
        fulfilled = service.after(reopened, timing.again)
        steps += [Step(reopened, Act.REOPEN, requester), Step(fulfilled, Act.FULFIL, assignee)]
    if path is not Path.AWAITING_CLOSE:
        steps.append(Step(fulfilled + timing.closing, Act.CLOSE, requester))
    return steps


def release_moment(now: datetime) -> datetime:
    """When the backlog team's release shipped: the end of its previous sprint."""
    return (now - 5 * _D).replace(minute=0, second=0, microsecond=0)


def _after_release(timing: _Timing, people: _People, now: datetime) -> list[Step]:
    shipped = release_moment(now)
    return [
        Step(shipped, Act.RELEASED, "system"),
        Step(shipped + timing.closing, Act.CLOSE, people.requester),
    ]


def _open(
    rng: random.Random, titles: Titles, desk: Desk, now: datetime, spec: OpenRequest
) -> PlannedRequest:
    service = desk.service(spec.service)
    assert service.calendar is None, "open demo requests are timed on 24x7 services"
    title, requester = titles.draw(spec.kind, service)
    agent, expert = rng.choice(L1_AGENTS), rng.choice(L2_EXPERTS)
    level = (spec.impact, spec.urgency)
    response, resolution = (timedelta(seconds=s) for s in service.targets(priority(*level)))
    state = spec.state
    running = (response if state == "NEW" else resolution) * spec.fraction
    filed = now - running
    if state == "WAITING":  # and has waited a day since
        filed -= _D
    elif state == "REOPENED":
        filed = now - 5 * _D
    steps = [Step(filed, Act.FILE, requester)]
    if state != "NEW":
        answered = filed + min(response / 2, running / 5)
        steps.append(Step(answered, Act.TRIAGE, agent))
        steps += _open_work(state, answered, running, now, agent, requester)
    return PlannedRequest(
        title,
        BODIES[spec.kind],
        spec.kind,
        service.slug,
        requester,
        expert,
        level,
        level,
        tuple(steps),
        sprint=CURRENT_SPRINT if state == "BACKLOG" else None,
    )


def _open_work(
    state: str,
    answered: datetime,
    running: timedelta,
    now: datetime,
    agent: str,
    requester: str,
) -> list[Step]:
    started = answered + running / 10
    if state == "TRIAGED":
        return []
    if state == "BACKLOG":
        return [Step(started, Act.BACKLOG, agent)]
    steps = [Step(started, Act.START, agent)]
    if state == "TIERED":
        steps.append(Step(started + running / 5, Act.TIER_UP, agent))
    elif state == "WAITING":
        steps.append(Step(now - _D, Act.WAIT, agent))
    elif state == "REOPENED":
        fulfilled = now - 3 * _D
        steps += [Step(fulfilled, Act.FULFIL, agent), Step(now - _D, Act.REOPEN, requester)]
    return steps
