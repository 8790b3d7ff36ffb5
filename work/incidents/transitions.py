"""The incident life cycle of SPEC.md, as data, and the measures read from it. Pure."""

from __future__ import annotations

from datetime import datetime

from work.incidents.models import IncidentStatus as S
from work.incidents.models import Severity

TABLE: dict[S, tuple[S, ...]] = {
    S.DETECTED: (S.ACKNOWLEDGED,),
    S.ACKNOWLEDGED: (S.MITIGATED,),
    S.MITIGATED: (S.RESOLVED,),
    S.RESOLVED: (S.CLOSED, S.ACKNOWLEDGED),
}
# Not yet RESOLVED or CLOSED: a repeated alert lands here instead of opening an incident.
OPEN = frozenset({S.DETECTED, S.ACKNOWLEDGED, S.MITIGATED})
# Flow metrics (service_levels.flow): detected but not yet acknowledged, nobody works it.
WAITING = frozenset({S.DETECTED})
# Corrected: the incident has left the flow (a reopen brings it back).
DELIVERED = frozenset({S.RESOLVED, S.CLOSED})
# The time stamp each state sets on the incident.
STAMPS: dict[S, str] = {
    S.DETECTED: "detected_at",
    S.ACKNOWLEDGED: "acknowledged_at",
    S.MITIGATED: "mitigated_at",
    S.RESOLVED: "resolved_at",
    S.CLOSED: "closed_at",
}


def allowed_next(status: S) -> tuple[S, ...]:
    return TABLE.get(status, ())


def is_reopen(before: S, after: S) -> bool:
    return before is S.RESOLVED and after is S.ACKNOWLEDGED


def stamps_for(before: S, after: S, at: datetime) -> dict[str, datetime | None]:
    """The time stamps a move sets; a reopen clears mitigated and resolved (history keeps them)
    and keeps the first acknowledgement."""
    if is_reopen(before, after):
        return {"mitigated_at": None, "resolved_at": None}
    return {STAMPS[after]: at}


def refusal_message(before: S, after: S) -> str:
    allowed = ", ".join(allowed_next(before)) or "none"
    return f"a {before} incident cannot become {after}; allowed next: {allowed}"


def worst(first: Severity, second: Severity) -> Severity:
    """The more severe of two severities: a repeated alert raises, never lowers."""
    return min(Severity(first), Severity(second))


def restore_seconds(detected_at: datetime, mitigated_at: datetime | None) -> int | None:
    """Restore time: final mitigation minus detection."""
    if mitigated_at is None:
        return None
    return int((mitigated_at - detected_at).total_seconds())


def cost(people_hours: float | None, hourly_rate: float) -> float | None:
    """People-hours at the hourly rate, to the cent."""
    if people_hours is None:
        return None
    return round(people_hours * hourly_rate, 2)
