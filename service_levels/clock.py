"""SLA clocks of SPEC.md as a pure function of a record's moves. No I/O, no clock.

A clock starts at the record's first move (its creation) and, from then on, is in one phase
per status: RUNNING (business time counts), PAUSED (a request WAITING_ON_REQUESTER) or
STOPPED. A latching clock (response) stays stopped once it has stopped; the others
(resolution) run again when the record is reopened, adding to what they had counted.

`breach_at` is the last instant at which the clock had not yet gone over its target: when it
went over, or, while it runs, when it will if nothing else happens. So the clock is breached
exactly when `as_of > breach_at` (likewise `warning_at`). Both are None while the clock is
paused or stopped short of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from catalog.services.calendar import BusinessCalendar
from service_levels.calendar_math import ZERO, business_time, instant_after
from work.incidents.models import IncidentStatus
from work.requests.models import RequestStatus

# CATALOG_SLA_WARNING_PERCENT's default: a clock warns past this share of its target.
DEFAULT_WARNING_PERCENT = 75.0


class Phase(StrEnum):
    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    STOPPED = "STOPPED"


class ClockKind(StrEnum):
    RESPONSE = "RESPONSE"
    RESOLUTION = "RESOLUTION"


@dataclass(frozen=True)
class ClockRule:
    """How a record's statuses drive one clock; a status not named stops it."""

    running: frozenset[str]
    paused: frozenset[str] = frozenset()
    latching: bool = False

    def phase(self, status: str) -> Phase:
        if status in self.running:
            return Phase.RUNNING
        if status in self.paused:
            return Phase.PAUSED
        return Phase.STOPPED


_R = RequestStatus
_I = IncidentStatus

# Response stops at TRIAGED (or any first answer, REJECTED included) and never restarts.
REQUEST_RESPONSE = ClockRule(running=frozenset({_R.NEW}), latching=True)
# Resolution stops at FULFILLED (CLOSED, REJECTED too), pauses while waiting on the requester
# and runs again on a reopen.
REQUEST_RESOLUTION = ClockRule(
    running=frozenset(
        {
            _R.NEW,
            _R.TRIAGED,
            _R.IN_PROGRESS,
            _R.ESCALATED_TO_VENDOR,
            _R.ASSIGNED_TO_BACKLOG,
        }
    ),
    paused=frozenset({_R.WAITING_ON_REQUESTER}),
)
# Acknowledge: stops at ACKNOWLEDGED. Restore: stops at MITIGATED; a reopen (RESOLVED ->
# ACKNOWLEDGED) runs it again. Incidents never pause.
INCIDENT_RESPONSE = ClockRule(running=frozenset({_I.DETECTED}), latching=True)
INCIDENT_RESOLUTION = ClockRule(running=frozenset({_I.DETECTED, _I.ACKNOWLEDGED}))

REQUEST_RULES: Mapping[ClockKind, ClockRule] = {
    ClockKind.RESPONSE: REQUEST_RESPONSE,
    ClockKind.RESOLUTION: REQUEST_RESOLUTION,
}
INCIDENT_RULES: Mapping[ClockKind, ClockRule] = {
    ClockKind.RESPONSE: INCIDENT_RESPONSE,
    ClockKind.RESOLUTION: INCIDENT_RESOLUTION,
}


@dataclass(frozen=True)
class Transition:
    """A move of the record: it entered `status` at `at`."""

    at: datetime
    status: str


@dataclass(frozen=True)
class ClockTerms:
    """What one clock is held to: its rule, its target and the warning threshold (percent)."""

    rule: ClockRule
    target: timedelta
    warning_percent: float = DEFAULT_WARNING_PERCENT

    @property
    def warning_threshold(self) -> timedelta:
        return self.target * (self.warning_percent / 100)


@dataclass(frozen=True)
class ClockState:
    phase: Phase
    started_at: datetime
    stopped_at: datetime | None
    elapsed: timedelta
    target: timedelta
    warning_at: datetime | None
    breach_at: datetime | None
    warning: bool
    breached: bool

    @property
    def remaining(self) -> timedelta:
        return max(self.target - self.elapsed, ZERO)

    @property
    def percent(self) -> float:
        if self.target <= ZERO:
            return 100.0 if self.elapsed > ZERO else 0.0
        return 100 * (self.elapsed / self.target)

    @property
    def met(self) -> bool:
        """Stopped within its target."""
        return self.phase is Phase.STOPPED and not self.breached


def clock_state(
    transitions: Sequence[Transition],
    calendar: BusinessCalendar | None,
    terms: ClockTerms,
    as_of: datetime,
) -> ClockState | None:
    """The clock as it stood at `as_of`; None before the record existed."""
    if not transitions or transitions[0].at > as_of:
        return None
    rule = terms.rule
    phase, since = rule.phase(transitions[0].status), transitions[0].at
    latched = rule.latching and phase is Phase.STOPPED
    runs: list[tuple[datetime, datetime]] = []
    for move in transitions[1:]:
        if move.at > as_of:
            break
        if latched:
            continue
        if phase is Phase.RUNNING:
            runs.append((since, move.at))
        phase, since = rule.phase(move.status), move.at
        latched = rule.latching and phase is Phase.STOPPED
    running_from = since if phase is Phase.RUNNING else None
    elapsed = sum((business_time(calendar, lo, hi) for lo, hi in runs), ZERO)
    if running_from is not None:
        elapsed += business_time(calendar, running_from, as_of)
    return ClockState(
        phase=phase,
        started_at=transitions[0].at,
        stopped_at=since if phase is Phase.STOPPED else None,
        elapsed=elapsed,
        target=terms.target,
        warning_at=_crossing(calendar, runs, running_from, terms.warning_threshold),
        breach_at=_crossing(calendar, runs, running_from, terms.target),
        warning=elapsed > terms.warning_threshold,
        breached=elapsed > terms.target,
    )


def _crossing(
    calendar: BusinessCalendar | None,
    runs: Sequence[tuple[datetime, datetime]],
    running_from: datetime | None,
    amount: timedelta,
) -> datetime | None:
    """The last instant at which the clock had not yet run more than `amount`: within the
    past runs if it went over then, else projected from the running one (None if it is not
    running, or never gets there)."""
    left = amount
    for lo, hi in runs:
        ran = business_time(calendar, lo, hi)
        if ran > left:
            return instant_after(calendar, lo, left)
        left -= ran
    if running_from is None:
        return None
    return instant_after(calendar, running_from, left)


@dataclass(frozen=True)
class Stamp:
    """What a move stores for one clock: elapsed business seconds then, and (while the clock
    runs after it) when it warns and breaches."""

    elapsed_seconds: int
    warning_at: datetime | None
    breach_at: datetime | None


def stamps(
    transitions: Sequence[Transition], calendar: BusinessCalendar | None, terms: ClockTerms
) -> list[Stamp]:
    """One stamp per move, each as the clock stood at that move."""
    result: list[Stamp] = []
    for index, move in enumerate(transitions):
        state = clock_state(transitions[: index + 1], calendar, terms, move.at)
        assert state is not None
        result.append(
            Stamp(
                elapsed_seconds=int(state.elapsed.total_seconds()),
                warning_at=state.warning_at,
                breach_at=state.breach_at,
            )
        )
    return result
