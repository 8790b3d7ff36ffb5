"""The demo's quarter of requests and incidents: every path, every move on its clocks."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Lifecycle, Service
from core.clock import replaying, utcnow
from core.db import make_engine, make_sessionmaker
from server.demo.desk import load_desk
from server.demo.incident_plan import NOTABLE, plan_incidents, timeline
from server.demo.request_plan import HISTORY, OPEN_NOW, RELEASE_NAME, plan_requests
from service_levels import repository as clocks
from service_levels.clock import REQUEST_RULES, ClockKind, Phase, clock_state
from service_levels.clock_stamps import setup_for, transitions_of
from work.backlog.models import BacklogItem, BacklogItemType
from work.incidents.models import (
    Incident,
    IncidentSource,
    IncidentStatus,
    IncidentStatusChange,
    Severity,
    incident_service,
)
from work.releases import repository as release_repository
from work.releases.models import HotfixDeployment, Release, ReleaseKind, ReleaseStatus
from work.requests.models import (
    RequestStatus,
    RequestStatusChange,
    ServiceRequest,
    SupportTier,
)
from work.requests.transitions import OPEN, REOPEN_WINDOW

S = RequestStatus
I = IncidentStatus  # noqa: E741


@pytest.fixture
async def demo(demo_database: str) -> AsyncIterator[AsyncSession]:
    engine = make_engine(demo_database)
    async with make_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()


async def test_plans_are_the_same_whenever_they_are_made(demo: AsyncSession) -> None:
    desk = await load_desk(demo)
    now = utcnow()

    today = plan_requests(desk, now)
    later = plan_requests(desk, now + timedelta(days=3))

    assert {plan.title for plan in today} == {plan.title for plan in later}
    assert len(today) == sum(count for _, count in HISTORY) + len(OPEN_NOW) == 250
    assert len({plan.title for plan in today}) == 250
    incidents = plan_incidents(desk, now)
    again = plan_incidents(desk, now + timedelta(days=3))
    assert {i.title for i in incidents} == {i.title for i in again}
    assert len({incident.title for incident in incidents}) == len(incidents) == 40


async def test_every_planned_moment_is_past_and_in_order(demo: AsyncSession) -> None:
    desk = await load_desk(demo)
    now = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

    for plan in plan_requests(desk, now):
        moments = [step.at for step in plan.steps]
        assert moments == sorted(moments), plan.title
        assert len(set(moments)) == len(moments), plan.title
        assert moments[-1] < now
        assert moments[0] > now - timedelta(days=95)
    for incident in plan_incidents(desk, now):
        moments = [step.at for step in timeline(desk, incident, now)]
        assert moments == sorted(moments)
        assert moments[-1] < now


async def test_replaying_refuses_the_future() -> None:
    with pytest.raises(ValueError, match="future"), replaying(utcnow() + timedelta(hours=1)):
        pass


async def test_requests_take_every_path_of_the_status_table(demo: AsyncSession) -> None:
    rows = await demo.execute(
        select(RequestStatusChange.from_status, RequestStatusChange.to_status)
    )
    moves = {(before, after) for before, after in rows}

    assert moves == {
        (None, S.NEW),
        (S.NEW, S.TRIAGED),
        (S.NEW, S.REJECTED),
        (S.TRIAGED, S.IN_PROGRESS),
        (S.TRIAGED, S.REJECTED),
        (S.TRIAGED, S.ASSIGNED_TO_BACKLOG),
        (S.IN_PROGRESS, S.WAITING_ON_REQUESTER),
        (S.WAITING_ON_REQUESTER, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.FULFILLED),
        (S.ASSIGNED_TO_BACKLOG, S.FULFILLED),
        (S.FULFILLED, S.CLOSED),
        (S.FULFILLED, S.IN_PROGRESS),
    }  # escalation needs a configured Salesforce org, which seeding has not


async def test_a_quarter_of_requests_on_live_services(demo: AsyncSession) -> None:
    rows = (
        await demo.execute(
            select(ServiceRequest.created_at, Service.lifecycle).join(
                Service, Service.id == ServiceRequest.service_id
            )
        )
    ).all()
    tiers = Counter(await demo.scalars(select(ServiceRequest.support_tier)))
    priorities = Counter(await demo.scalars(select(ServiceRequest.priority)))

    assert len(rows) == 250
    assert {lifecycle for _, lifecycle in rows} == {Lifecycle.LIVE}
    assert min(created for created, _ in rows) > utcnow() - timedelta(days=95)
    assert 30 <= tiers[SupportTier.L2] <= 60
    assert set(priorities) == {"P1", "P2", "P3", "P4"}


async def test_every_move_is_stamped_with_its_clocks(demo: AsyncSession) -> None:
    for model in (RequestStatusChange, IncidentStatusChange):
        unstamped = await demo.scalar(
            select(func.count()).where(
                model.response_elapsed_s.is_(None) | model.resolution_elapsed_s.is_(None)
            )
        )
        future = await demo.scalar(select(func.count()).where(model.at > func.now()))
        assert unstamped == 0
        assert future == 0


async def test_most_requests_meet_their_clocks_and_a_minority_breach(demo: AsyncSession) -> None:
    ids = list(await demo.scalars(select(ServiceRequest.id)))
    records = await clocks.request_clock_records(demo, ids)
    moves = await clocks.request_moves(demo, ids)
    outcomes: Counter[tuple[ClockKind, bool]] = Counter()
    for request_id, record in records.items():
        setup = setup_for(record, None, REQUEST_RULES)
        for kind in ClockKind:
            state = clock_state(
                transitions_of(moves[request_id]), setup.calendar, setup.terms[kind], utcnow()
            )
            assert state is not None
            if state.phase is Phase.STOPPED:
                outcomes[kind, state.breached] += 1

    for kind in ClockKind:
        breached, met = outcomes[kind, True], outcomes[kind, False]
        assert 0.02 < breached / (breached + met) < 0.2, kind


async def test_a_dozen_requests_are_open_some_breaching_soon(demo: AsyncSession) -> None:
    now = utcnow()
    open_breaches = list(
        await demo.scalars(select(ServiceRequest.breach_at).where(ServiceRequest.status.in_(OPEN)))
    )

    assert len(open_breaches) == len(OPEN_NOW) == 12
    assert 1 <= sum(1 for at in open_breaches if at is not None and at < now) <= 2
    assert (
        sum(1 for at in open_breaches if at is not None and now < at < now + timedelta(hours=4))
        >= 2
    )


async def test_reopens_come_within_fourteen_days_of_fulfilment(demo: AsyncSession) -> None:
    rows = await demo.execute(
        select(
            RequestStatusChange.request_id, RequestStatusChange.to_status, RequestStatusChange.at
        ).order_by(RequestStatusChange.request_id, RequestStatusChange.at)
    )
    fulfilled: dict[object, datetime] = {}
    reopens = 0
    for request_id, status, at in rows:
        if status is S.FULFILLED:
            fulfilled[request_id] = at
        elif status is S.IN_PROGRESS and request_id in fulfilled:
            assert at - fulfilled[request_id] <= REOPEN_WINDOW
            reopens += 1

    assert reopens >= 10


async def test_backlog_requests_are_fulfilled_by_their_release(demo: AsyncSession) -> None:
    release = await demo.scalar(select(Release).where(Release.name == RELEASE_NAME))
    actors = set(
        await demo.scalars(
            select(RequestStatusChange.actor).where(
                RequestStatusChange.from_status == S.ASSIGNED_TO_BACKLOG
            )
        )
    )
    waiting = await demo.scalar(
        select(func.count()).where(ServiceRequest.status == S.ASSIGNED_TO_BACKLOG)
    )

    assert release is not None
    assert release.status is ReleaseStatus.RELEASED
    assert actors == {"system:release"}
    assert waiting == 2


async def test_incidents_are_mostly_alerts_with_a_few_outages(demo: AsyncSession) -> None:
    incidents = list(await demo.scalars(select(Incident)))
    sources = Counter(incident.source for incident in incidents)
    severities = Counter(incident.severity for incident in incidents)
    closed = [incident for incident in incidents if incident.status is I.CLOSED]

    assert len(incidents) == 40
    assert sources[IncidentSource.MONITORING] > sources[IncidentSource.USER_REPORT] > 0
    assert sources[IncidentSource.SALESFORCE_TRUST] == 1
    assert severities[Severity.SEV3] + severities[Severity.SEV4] >= 30
    assert severities[Severity.SEV1] + severities[Severity.SEV2] >= 5
    assert sum(1 for incident in incidents if incident.alert_count > 1) >= 10
    assert (
        2
        <= sum(
            1
            for incident in incidents
            if incident.status in (I.DETECTED, I.ACKNOWLEDGED, I.MITIGATED)
        )
        <= 3
    )
    for incident in closed:
        assert incident.commander_id is not None
        assert incident.root_cause
        assert incident.people_hours
        assert incident.mitigated_at is not None
        assert incident.detected_at < incident.mitigated_at


async def test_one_incident_was_reopened(demo: AsyncSession) -> None:
    reopened = await demo.scalar(
        select(func.count()).where(
            IncidentStatusChange.from_status == I.RESOLVED,
            IncidentStatusChange.to_status == I.ACKNOWLEDGED,
        )
    )

    assert reopened == 1


async def test_two_outages_overlap_on_one_service(demo: AsyncSession) -> None:
    rows = await demo.execute(
        select(incident_service.c.service_id, Incident.detected_at, Incident.mitigated_at)
        .join(Incident, Incident.id == incident_service.c.incident_id)
        .where(Incident.severity.in_([Severity.SEV1, Severity.SEV2]))
    )
    outages: defaultdict[object, list[tuple[datetime, datetime]]] = defaultdict(list)
    for service_id, detected, mitigated in rows:
        outages[service_id].append((detected, mitigated or utcnow()))

    overlapping = {
        service_id
        for service_id, spans in outages.items()
        for (_, end), (start, _) in pairwise(sorted(spans))
        if start < end
    }
    assert len(overlapping) == 1


async def test_hot_fixes_ship_in_hotfix_releases_and_one_is_not_everywhere(
    demo: AsyncSession,
) -> None:
    planned = {incident.hotfix.title: incident.hotfix for incident in NOTABLE if incident.hotfix}
    items = list(
        await demo.scalars(
            select(BacklogItem).where(
                BacklogItem.source_type == "INCIDENT",
                BacklogItem.type.in_([BacklogItemType.HOTFIX, BacklogItemType.VULNERABILITY]),
            )
        )
    )
    releases = {
        release.id: release
        for release in await demo.scalars(select(Release).where(Release.kind == ReleaseKind.HOTFIX))
    }
    deployed = Counter(await demo.scalars(select(HotfixDeployment.item_id)))
    still_open = {
        item.title for item in await demo.scalars(release_repository.open_hotfixes_query())
    }

    assert {item.title for item in items} == set(planned)
    for item in items:
        assert item.release_id in releases
        assert releases[item.release_id].status is ReleaseStatus.RELEASED
        assert deployed[item.id] == len(planned[item.title].deployed_to) >= 2
    assert still_open & set(planned) == {"Round tiered discounts per quote line"}
