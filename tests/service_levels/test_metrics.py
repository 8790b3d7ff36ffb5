"""Every metric of the service-level table against hand-computed fixtures, in SQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Tier
from feedback.models import Feedback, FeedbackChannel, FeedbackKind
from service_levels.clock_stamps import restamp_requests
from service_levels.frames import Frame, Scope
from service_levels.metric_sql import MetricSettings, measure, measure_all
from service_levels.models import Comparator, Measurement, Metric, Objective, Sla, WindowKind
from service_levels.objective_answers import objective_answers, objective_series
from service_levels.objectives import Status
from service_levels.windows import Bucket, Window
from tests.builders.catalog import create_service
from tests.builders.identity import create_person
from tests.builders.work import create_item, incident_with_moves, request_with_moves
from tests.conftest import StatementCounter
from work.backlog.models import BacklogItemStatus, BacklogItemType
from work.incidents.models import IncidentStatus, Severity
from work.requests.models import RequestKind, RequestStatus

MARCH = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
MARCH_SECONDS = 31 * 24 * 3600
SETTINGS = MetricSettings()
_I = IncidentStatus


def at(day: int, hour: int = 0, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def march(*services: uuid.UUID, scope: Scope | None = None) -> Frame:
    return Frame(1, services, *MARCH, scope or Scope())


async def value_of(session: AsyncSession, metric: Metric, frame: Frame) -> float | None:
    return (await measure(session, metric, [frame], SETTINGS))[frame.key].value


async def outage(
    session: AsyncSession,
    services: list[uuid.UUID],
    detected: datetime,
    mitigated: datetime | None,
    severity: Severity = Severity.SEV1,
) -> None:
    moves = [(detected, _I.DETECTED), (detected + timedelta(minutes=5), _I.ACKNOWLEDGED)]
    if mitigated is not None:
        moves.append((mitigated, _I.MITIGATED))
    await incident_with_moves(session, moves, service_ids=services, severity=severity)


async def test_availability_unions_overlapping_outages_and_cuts_them_at_the_window(
    session: AsyncSession,
) -> None:
    service = (await create_service(session)).id
    await outage(session, [service], at(10, 10), at(10, 12))
    await outage(session, [service], at(10, 11), at(10, 13), Severity.SEV2)  # overlaps: +1 h
    await outage(session, [service], at(11), at(11, 5), Severity.SEV3)  # not an outage severity
    await outage(session, [service], at(28, 23, month=2), at(1, 1))  # 1 h inside March
    await outage(session, [service], at(31, 23), None)  # still open: 1 h to the window's end

    found = await value_of(session, Metric.AVAILABILITY, march(service))

    assert found == pytest.approx(1 - 5 * 3600 / MARCH_SECONDS)


async def test_availability_of_a_quiet_service_is_whole_and_pools_by_tier_weight(
    session: AsyncSession,
) -> None:
    critical = (await create_service(session, tier=Tier.TIER_1)).id
    minor = (await create_service(session, tier=Tier.TIER_4)).id
    await outage(session, [minor], at(2), at(2) + timedelta(seconds=MARCH_SECONDS // 10))

    assert await value_of(session, Metric.AVAILABILITY, march(critical)) == 1.0
    pooled = await value_of(session, Metric.AVAILABILITY, march(critical, minor))
    # TIER_1 weighs 1.0 and TIER_4 0.25: (1.0 * 1 + 0.25 * 0.9) / 1.25
    assert pooled == pytest.approx((1.0 + 0.25 * 0.9) / 1.25)


async def test_mttr_and_acknowledgement_count_incidents_by_their_end_and_each_once(
    session: AsyncSession,
) -> None:
    first = (await create_service(session)).id
    second = (await create_service(session)).id
    # Two hours to restore, on both services: counted once for a frame holding both.
    await outage(session, [first, second], at(5, 10), at(5, 12))
    # Detected in February, restored in March after four hours: March's.
    await outage(session, [first], at(28, 22, month=2), at(1, 2))
    # Restored in April: not March's.
    await outage(session, [first], at(31, 23), at(1, 1, month=4))

    assert await value_of(session, Metric.MTTR, march(first)) == pytest.approx(3 * 3600)
    assert await value_of(session, Metric.MTTR, march(first, second)) == pytest.approx(3 * 3600)
    assert await value_of(session, Metric.MTTR, march(second)) == pytest.approx(2 * 3600)
    # Acknowledged 5 minutes after detection, every time; the February one in February.
    acknowledged = await value_of(session, Metric.TIME_TO_ACKNOWLEDGE, march(first))
    assert acknowledged == pytest.approx(300)
    sev2_only = march(first, scope=Scope(severity="SEV2"))
    assert await value_of(session, Metric.MTTR, sev2_only) is None


async def test_a_reopened_incident_counts_its_final_restore(session: AsyncSession) -> None:
    service = (await create_service(session)).id
    moves = [
        (at(3, 9), _I.DETECTED),
        (at(3, 10), _I.MITIGATED),
        (at(3, 11), _I.RESOLVED),
        (at(4, 9), _I.ACKNOWLEDGED),  # reopened the next day
        (at(4, 12), _I.MITIGATED),
    ]
    await incident_with_moves(session, moves, service_ids=[service])

    assert await value_of(session, Metric.MTTR, march(service)) == pytest.approx(27 * 3600)


async def test_an_empty_window_has_no_mean_but_counts_and_costs_nothing(
    session: AsyncSession,
) -> None:
    service = (await create_service(session)).id
    frame = march(service)
    for metric in (Metric.MTTR, Metric.TIME_TO_MARKET, Metric.SATISFACTION, Metric.ADOPTION):
        assert await value_of(session, metric, frame) is None
    assert await value_of(session, Metric.DEFECTS_RAISED, frame) == 0
    assert await value_of(session, Metric.COST, frame) == 0


async def test_defects_raised_counts_defect_requests_and_items(session: AsyncSession) -> None:
    service = await create_service(session)
    defect = [(at(3, 9), RequestStatus.NEW)]
    await request_with_moves(session, defect, service_id=service.id)  # an ACCESS request
    for day in (4, 5):
        request = await request_with_moves(
            session, [(at(day), RequestStatus.NEW)], service_id=service.id
        )
        request.kind = RequestKind.DEFECT
    for kind in (BacklogItemType.HOTFIX, BacklogItemType.FEATURE):
        await create_item(
            session,
            team_id=service.owner_team_id,
            service_id=service.id,
            type=kind,
            created_at=at(6),
        )
    await create_item(  # raised in February
        session,
        team_id=service.owner_team_id,
        service_id=service.id,
        type=BacklogItemType.DEFECT,
        created_at=at(20, month=2),
    )
    await session.flush()

    assert await value_of(session, Metric.DEFECTS_RAISED, march(service.id)) == 3


async def test_time_to_market_is_the_median_lead_time_of_released_features(
    session: AsyncSession,
) -> None:
    service = await create_service(session)
    for lead_days in (2, 5, 20):
        released = at(10) + timedelta(days=lead_days % 7)
        await create_item(
            session,
            team_id=service.owner_team_id,
            service_id=service.id,
            status=BacklogItemStatus.RELEASED,
            created_at=released - timedelta(days=lead_days),
            released_at=released,
        )
    await create_item(  # done, not released
        session,
        team_id=service.owner_team_id,
        service_id=service.id,
        status=BacklogItemStatus.DONE,
        created_at=at(1),
    )

    median = await value_of(session, Metric.TIME_TO_MARKET, march(service.id))

    assert median == pytest.approx(5 * 86400)


async def test_time_to_hotfix_runs_from_the_incident_detection(session: AsyncSession) -> None:
    service = await create_service(session)
    detected = at(12, 8)
    incident = await incident_with_moves(
        session, [(detected, _I.DETECTED)], service_ids=[service.id]
    )
    await create_item(
        session,
        team_id=service.owner_team_id,
        service_id=service.id,
        type=BacklogItemType.HOTFIX,
        status=BacklogItemStatus.RELEASED,
        source_type="INCIDENT",
        source_id=incident.id,
        released_at=detected + timedelta(hours=9),
    )

    found = await value_of(session, Metric.TIME_TO_HOTFIX, march(service.id))

    assert found == pytest.approx(9 * 3600)


async def test_satisfaction_is_the_mean_rating_with_the_share_of_fours_and_fives(
    session: AsyncSession,
) -> None:
    service = await create_service(session)
    author = await create_person(session)
    for rating, day in ((5, 2), (4, 3), (2, 4), (None, 5), (1, 20)):
        session.add(
            Feedback(
                service_id=service.id,
                author_id=author.id,
                kind=FeedbackKind.BUG,
                channel=FeedbackChannel.API,
                title="Slow",
                body="It is slow",
                rating=rating,
                created_at=at(day, month=3 if day < 20 else 4),
            )
        )
    await session.flush()

    found = (await measure(session, Metric.SATISFACTION, [march(service.id)], SETTINGS))[1]

    assert found.value == pytest.approx(11 / 3)
    assert found.share == pytest.approx(2 / 3)
    assert found.samples == 3


async def test_cost_shares_an_incident_among_its_services_and_adds_recorded_cost(
    session: AsyncSession,
) -> None:
    first = (await create_service(session)).id
    second = (await create_service(session)).id
    incident = await incident_with_moves(
        session,
        [(at(7), _I.DETECTED), (at(7, 2), _I.MITIGATED), (at(7, 3), _I.RESOLVED)],
        service_ids=[first, second],
    )
    incident.people_hours = 10
    session.add(Measurement(metric=Metric.COST, service_id=first, at=at(9), value=250))
    session.add(Measurement(metric=Metric.COST, service_id=first, at=at(9, month=4), value=999))
    await session.flush()

    assert await value_of(session, Metric.COST, march(first)) == pytest.approx(500 + 250)
    assert await value_of(session, Metric.COST, march(second)) == pytest.approx(500)
    assert await value_of(session, Metric.COST, march(first, second)) == pytest.approx(1250)


async def test_recorded_metrics_read_measurements_in_the_window(session: AsyncSession) -> None:
    service = (await create_service(session)).id
    readings = [
        (Metric.ADOPTION, at(2), 0.5),
        (Metric.ADOPTION, at(20), 0.7),  # the latest reading in March is the level
        (Metric.ADOPTION, at(2, month=4), 0.9),
        (Metric.EFFICIENCY_GAIN, at(3), 1000),
        (Metric.EFFICIENCY_GAIN, at(4), 500),
        (Metric.CUSTOM, at(3), 10),
        (Metric.CUSTOM, at(4), 20),
    ]
    for metric, moment, value in readings:
        session.add(Measurement(metric=metric, service_id=service, at=moment, value=value))
    await session.flush()

    assert await value_of(session, Metric.ADOPTION, march(service)) == pytest.approx(0.7)
    assert await value_of(session, Metric.EFFICIENCY_GAIN, march(service)) == 1500
    assert await value_of(session, Metric.CUSTOM, march(service)) == 15


async def test_clock_metrics_read_the_stamped_business_durations(session: AsyncSession) -> None:
    # A 24x7 TIER_1 service: P1 requests are answered in 30 min and resolved in 4 h.
    service = (await create_service(session, tier=Tier.TIER_1)).id
    quick = await request_with_moves(
        session,
        [
            (at(2, 9), RequestStatus.NEW),
            (at(2, 9, 10), RequestStatus.TRIAGED),
            (at(2, 10), RequestStatus.IN_PROGRESS),
            (at(2, 11), RequestStatus.FULFILLED),
        ],
        service_id=service,
    )
    reopened = await request_with_moves(
        session,
        [
            (at(3, 9), RequestStatus.NEW),
            (at(3, 9, 10), RequestStatus.TRIAGED),
            (at(3, 10), RequestStatus.IN_PROGRESS),
            (at(3, 10, 30), RequestStatus.FULFILLED),
            (at(3, 11), RequestStatus.IN_PROGRESS),
            (at(3, 17), RequestStatus.FULFILLED),
        ],
        service_id=service,
    )
    await restamp_requests(session, [quick.id, reopened.id])

    resolution = await value_of(session, Metric.REQUEST_RESOLUTION_TIME, march(service))
    attainment = await value_of(session, Metric.CLOCK_ATTAINMENT, march(service))

    # Two hours, and seven and a half: the reopened one's clock stopped for the half hour it
    # stood fulfilled, then ran on until its last fulfilment.
    assert resolution == pytest.approx((2 + 7.5) / 2 * 3600)
    # TIER_1 P1: respond in 30 min (both did), resolve in 4 h (one did): 3 of 4 clocks met.
    assert attainment == pytest.approx(3 / 4)
    assert (
        await value_of(session, Metric.CLOCK_ATTAINMENT, march(service, scope=Scope(priority="P2")))
        is None
    )


async def test_many_frames_cost_one_statement_per_metric(
    session: AsyncSession, count_statements: StatementCounter
) -> None:
    services = [(await create_service(session)).id for _ in range(5)]
    await outage(session, services[:2], at(5, 10), at(5, 12))
    frames = [Frame(index, (service,), *MARCH) for index, service in enumerate(services)]
    count_statements.reset()

    for metric in Metric:
        found = await measure(session, metric, frames, SETTINGS)
        assert sorted(found) == list(range(5))

    assert count_statements.count == len(Metric)


async def test_every_metric_over_every_kind_of_frame_costs_one_statement(
    session: AsyncSession, count_statements: StatementCounter
) -> None:
    services = [(await create_service(session)).id for _ in range(3)]
    await outage(session, services[:2], at(5, 10), at(5, 12))  # one incident on two services
    await outage(session, [services[2]], at(6, 10), at(6, 11), Severity.SEV2)
    await outage(session, [services[0]], at(20, 10), at(20, 14), Severity.SEV3)
    halves = [(at(1), at(16)), (at(16), at(1, month=4))]
    frames = [
        Frame(0, (services[0],), *MARCH),  # one service
        Frame(1, tuple(services), *MARCH),  # the pool: one frame over several services
        # a series: several frames over the same services, one with a scope
        Frame(2, tuple(services[:2]), *halves[0]),
        Frame(3, tuple(services[:2]), *halves[1]),
        Frame(4, tuple(services[:2]), *halves[1], Scope(severity="SEV3")),
        Frame(5, (), *MARCH),  # no service: no records
    ]
    metrics = [Metric.AVAILABILITY, Metric.MTTR, Metric.COST, Metric.DEFECTS_RAISED]
    alone = {
        metric: {frame.key: (await measure(session, metric, [frame], SETTINGS))[frame.key]
                 for frame in frames}
        for metric in metrics
    }  # fmt: skip
    count_statements.reset()

    together = await measure_all(session, dict.fromkeys(metrics, frames), SETTINGS)

    assert count_statements.count == 1
    assert together == alone
    # The incident on two services counts once in the pool; the SEV3 one only in its scope.
    assert together[Metric.MTTR][1].samples == 3
    assert together[Metric.MTTR][4].samples == 1
    assert together[Metric.MTTR][5].value is None
    assert together[Metric.DEFECTS_RAISED][5].value == 0


async def _objective(
    session: AsyncSession, service: uuid.UUID, kind: WindowKind, **values: object
) -> Objective:
    sla = Sla(service_id=service, name="Agreement")
    session.add(sla)
    await session.flush()
    objective = Objective(
        sla_id=sla.id,
        metric=Metric.MTTR,
        comparator=Comparator.AT_MOST,
        target=3 * 3600,
        window_kind=kind,
        **values,
    )
    session.add(objective)
    await session.flush()
    return objective


async def test_calendar_windows_follow_the_service_zone_and_trend_against_the_one_before(
    session: AsyncSession,
) -> None:
    paris = {"time_zone": "Europe/Paris", "weekly_hours": [], "holidays": []}
    service = (await create_service(session, business_calendar=paris)).id
    # Restored 23:30 UTC on 31 March: already 1 April in Paris, so April's.
    await outage(session, [service], at(31, 21, 30), at(31, 23, 30))
    # One in March (Paris): four hours.
    await outage(session, [service], at(10, 8), at(10, 12))
    monthly = await _objective(
        session, service, WindowKind.CALENDAR_MONTH, benchmark_value=3 * 3600
    )
    quarterly = await _objective(session, service, WindowKind.CALENDAR_QUARTER)

    answers = await objective_answers(
        session, [monthly.id, quarterly.id], at(15, month=4), SETTINGS
    )

    april = answers[monthly.id]
    assert april.window == Window(datetime(2026, 3, 31, 22, tzinfo=UTC), at(15, month=4))
    assert april.current_value == pytest.approx(2 * 3600)
    assert april.status is Status.MET
    assert april.trend == pytest.approx(2 * 3600)  # four hours in March, two in April: better
    assert april.improvement_over_benchmark == pytest.approx(3600)
    second_quarter = answers[quarterly.id]
    assert second_quarter.current_value == pytest.approx(2 * 3600)
    assert second_quarter.trend is not None  # the first quarter: four hours
    assert second_quarter.trend == pytest.approx(2 * 3600)


async def test_a_series_has_a_point_per_local_bucket(session: AsyncSession) -> None:
    service = (await create_service(session)).id
    await outage(session, [service], at(2, 8), at(2, 10))
    await outage(session, [service], at(2, 12), at(2, 16))
    await outage(session, [service], at(4, 8), at(4, 9))
    objective = await _objective(session, service, WindowKind.ROLLING_DAYS, window_days=7)

    series = await objective_series(session, [objective.id], at(1), at(5), Bucket.DAY, SETTINGS)

    points = series[objective.id]
    assert [point.window.start for point in points] == [at(day) for day in (1, 2, 3, 4)]
    assert [point.value for point in points] == [None, 3 * 3600, None, 3600]
    assert [point.status for point in points] == [
        Status.NO_DATA,
        Status.AT_RISK,  # three hours against three: met, within 10 %
        Status.NO_DATA,
        Status.MET,
    ]
