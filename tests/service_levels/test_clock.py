"""SLA clocks from a record's moves: random move sequences over random calendars, and by hand."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.services.calendar import BusinessCalendar, Weekday, WeeklyHours
from service_levels.calendar_math import business_time
from service_levels.clock import (
    INCIDENT_RESOLUTION,
    INCIDENT_RESPONSE,
    REQUEST_RESOLUTION,
    REQUEST_RESPONSE,
    ClockRule,
    ClockTerms,
    Phase,
    Transition,
    clock_state,
    stamps,
)
from tests.service_levels.strategies import calendars, instants
from work.incidents.models import IncidentStatus
from work.requests.models import RequestStatus

R = RequestStatus
RULES = (REQUEST_RESPONSE, REQUEST_RESOLUTION, INCIDENT_RESPONSE, INCIDENT_RESOLUTION)
_STATUSES: dict[int, list[str]] = {
    id(REQUEST_RESPONSE): [str(status) for status in RequestStatus],
    id(REQUEST_RESOLUTION): [str(status) for status in RequestStatus],
    id(INCIDENT_RESPONSE): [str(status) for status in IncidentStatus],
    id(INCIDENT_RESOLUTION): [str(status) for status in IncidentStatus],
}


@st.composite
def histories(draw: st.DrawFn) -> tuple[ClockRule, list[Transition]]:
    """A rule and a random sequence of moves (any status may follow any, reopenings too)."""
    rule = draw(st.sampled_from(RULES))
    statuses = _STATUSES[id(rule)]
    at = draw(instants())
    moves = [Transition(at, statuses[0])]
    for _ in range(draw(st.integers(0, 6))):
        at += timedelta(minutes=draw(st.integers(0, 36 * 60)))
        moves.append(Transition(at, draw(st.sampled_from(statuses))))
    return rule, moves


def _terms(rule: ClockRule, minutes: int) -> ClockTerms:
    return ClockTerms(rule=rule, target=timedelta(minutes=minutes), warning_percent=75)


calendars_or_24x7 = st.none() | calendars()


@settings(max_examples=120, deadline=None)
@given(history=histories(), calendar=calendars_or_24x7, target=st.integers(1, 3000))
def test_elapsed_never_decreases_and_never_outruns_the_wall_clock(
    history: tuple[ClockRule, list[Transition]],
    calendar: BusinessCalendar | None,
    target: int,
) -> None:
    rule, moves = history
    terms = _terms(rule, target)
    start, end = moves[0].at, moves[-1].at + timedelta(days=2)
    previous = timedelta(0)
    probe = start
    while probe <= end:
        state = clock_state(moves, calendar, terms, probe)
        assert state is not None
        assert previous <= state.elapsed <= business_time(calendar, start, probe)
        assert state.remaining == max(state.target - state.elapsed, timedelta(0))
        assert state.breached == (state.elapsed > state.target)
        previous = state.elapsed
        probe += timedelta(hours=5, minutes=7)


@settings(max_examples=120, deadline=None)
@given(history=histories(), calendar=calendars_or_24x7, target=st.integers(1, 3000))
def test_a_running_clock_breaches_exactly_after_breach_at(
    history: tuple[ClockRule, list[Transition]],
    calendar: BusinessCalendar | None,
    target: int,
) -> None:
    rule, moves = history
    terms = _terms(rule, target)
    last = moves[-1].at
    state = clock_state(moves, calendar, terms, last)
    assert state is not None
    if state.phase is not Phase.RUNNING:
        assert (state.breach_at is None) is not state.breached
        assert (state.warning_at is None) is not state.warning
        later = clock_state(moves, calendar, terms, last + timedelta(days=30))
        assert later is not None
        assert later.elapsed == state.elapsed
        return
    assert state.breach_at is not None
    assert state.warning_at is not None
    assert state.warning_at <= state.breach_at
    for instant in (state.breach_at, state.breach_at + timedelta(seconds=1), last):
        if instant < last:
            continue
        later = clock_state(moves, calendar, terms, instant)
        assert later is not None
        assert later.breached is (instant > state.breach_at)
        assert later.warning is (instant > state.warning_at)
    if state.breach_at >= last:
        at_breach = clock_state(moves, calendar, terms, state.breach_at)
        assert at_breach is not None
        assert at_breach.elapsed == terms.target


@settings(max_examples=120, deadline=None)
@given(history=histories(), calendar=calendars_or_24x7, target=st.integers(1, 3000))
def test_stamps_are_the_clock_at_each_move_and_reading_on_from_one_agrees(
    history: tuple[ClockRule, list[Transition]],
    calendar: BusinessCalendar | None,
    target: int,
) -> None:
    rule, moves = history
    terms = _terms(rule, target)
    stamped = stamps(moves, calendar, terms)
    assert len(stamped) == len(moves)
    for index, (move, stamp) in enumerate(zip(moves, stamped, strict=True)):
        state = clock_state(moves[: index + 1], calendar, terms, move.at)
        assert state is not None
        assert stamp.elapsed_seconds == int(state.elapsed.total_seconds())
        assert stamp.breach_at == state.breach_at
    # After the last move: the last stamp plus the business time since, while running.
    as_of = moves[-1].at + timedelta(hours=30)
    now = clock_state(moves, calendar, terms, as_of)
    assert now is not None
    since = business_time(calendar, moves[-1].at, as_of) if now.phase is Phase.RUNNING else None
    expected = stamped[-1].elapsed_seconds + int(since.total_seconds() if since else 0)
    assert int(now.elapsed.total_seconds()) == expected


@settings(max_examples=80, deadline=None)
@given(calendar=calendars_or_24x7, start=instants(), wait=st.integers(1, 5000))
def test_waiting_on_the_requester_pauses_the_resolution_clock(
    calendar: BusinessCalendar | None, start: datetime, wait: int
) -> None:
    paused_at = start + timedelta(hours=3)
    moves = [
        Transition(start, R.NEW),
        Transition(start + timedelta(hours=1), R.TRIAGED),
        Transition(start + timedelta(hours=2), R.IN_PROGRESS),
        Transition(paused_at, R.WAITING_ON_REQUESTER),
    ]
    terms = _terms(REQUEST_RESOLUTION, 600)
    then = clock_state(moves, calendar, terms, paused_at)
    later = clock_state(moves, calendar, terms, paused_at + timedelta(minutes=wait))
    assert then is not None
    assert later is not None
    assert later.phase is Phase.PAUSED
    assert later.breach_at is None
    assert later.elapsed == then.elapsed == business_time(calendar, start, paused_at)


# Fixed cases, computed by hand.

WEEKDAYS = (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY)
PARIS_OFFICE = BusinessCalendar(
    "Europe/Paris", tuple(WeeklyHours(day, time(9), time(17)) for day in WEEKDAYS), ()
).validate()


def _utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_a_p1_response_in_business_hours_warns_then_breaches() -> None:
    # Filed Friday 2026-11-27 16:40 Paris (15:40 UTC); response target 30 min: 20 min on
    # Friday, the last 10 on Monday from 09:00 (08:00 UTC).
    moves = [Transition(_utc(2026, 11, 27, 15, 40), R.NEW)]
    terms = ClockTerms(REQUEST_RESPONSE, timedelta(minutes=30), warning_percent=75)
    friday_evening = clock_state(moves, PARIS_OFFICE, terms, _utc(2026, 11, 27, 20))
    assert friday_evening is not None
    assert friday_evening.elapsed == timedelta(minutes=20)
    assert friday_evening.remaining == timedelta(minutes=10)
    assert round(friday_evening.percent, 3) == 66.667
    assert (friday_evening.warning, friday_evening.breached) == (False, False)
    # 75 % = 22.5 min: 2.5 min into Monday; the breach 10 min into Monday.
    assert friday_evening.warning_at == _utc(2026, 11, 30, 8, 2, 30)
    assert friday_evening.breach_at == _utc(2026, 11, 30, 8, 10)
    monday = clock_state(moves, PARIS_OFFICE, terms, _utc(2026, 11, 30, 8, 15))
    assert monday is not None
    assert (monday.elapsed, monday.warning, monday.breached) == (
        timedelta(minutes=35),
        True,
        True,
    )


def test_a_triaged_request_keeps_its_response_and_a_reopen_adds_to_its_resolution() -> None:
    # 24x7. Filed 10:00, triaged 10:20, in progress 11:00, waiting 12:00-14:00, fulfilled
    # 15:00, reopened 16:00, fulfilled again 16:30.
    day = _utc(2026, 3, 2)
    moves = [
        Transition(day + timedelta(hours=10), R.NEW),
        Transition(day + timedelta(hours=10, minutes=20), R.TRIAGED),
        Transition(day + timedelta(hours=11), R.IN_PROGRESS),
        Transition(day + timedelta(hours=12), R.WAITING_ON_REQUESTER),
        Transition(day + timedelta(hours=14), R.IN_PROGRESS),
        Transition(day + timedelta(hours=15), R.FULFILLED),
        Transition(day + timedelta(hours=16), R.IN_PROGRESS),
        Transition(day + timedelta(hours=16, minutes=30), R.FULFILLED),
    ]
    response = clock_state(
        moves, None, ClockTerms(REQUEST_RESPONSE, timedelta(minutes=30)), day + timedelta(days=1)
    )
    assert response is not None
    assert (response.phase, response.elapsed, response.stopped_at, response.met) == (
        Phase.STOPPED,
        timedelta(minutes=20),
        day + timedelta(hours=10, minutes=20),
        True,
    )
    terms = ClockTerms(REQUEST_RESOLUTION, timedelta(hours=4))
    fulfilled = clock_state(moves, None, terms, day + timedelta(hours=15, minutes=30))
    assert fulfilled is not None
    assert (fulfilled.phase, fulfilled.elapsed) == (Phase.STOPPED, timedelta(hours=3))
    reopened = clock_state(moves, None, terms, day + timedelta(hours=16, minutes=10))
    assert reopened is not None
    assert reopened.phase is Phase.RUNNING
    assert reopened.elapsed == timedelta(hours=3, minutes=10)
    assert reopened.breach_at == day + timedelta(hours=17)
    final = clock_state(moves, None, terms, day + timedelta(days=1))
    assert final is not None
    assert (final.elapsed, final.met) == (timedelta(hours=3, minutes=30), True)


def test_an_incident_clock_never_pauses_and_answers_nothing_before_detection() -> None:
    detected = _utc(2026, 6, 1, 22)
    moves = [
        Transition(detected, IncidentStatus.DETECTED),
        Transition(detected + timedelta(minutes=20), IncidentStatus.ACKNOWLEDGED),
    ]
    terms = ClockTerms(INCIDENT_RESPONSE, timedelta(minutes=15))
    assert clock_state(moves, None, terms, detected - timedelta(seconds=1)) is None
    acknowledged = clock_state(moves, None, terms, detected + timedelta(hours=1))
    assert acknowledged is not None
    assert (acknowledged.elapsed, acknowledged.breached, acknowledged.met) == (
        timedelta(minutes=20),
        True,
        False,
    )
    restore = clock_state(
        moves, None, ClockTerms(INCIDENT_RESOLUTION, timedelta(hours=4)), detected
    )
    assert restore is not None
    assert restore.breach_at == detected + timedelta(hours=4)
