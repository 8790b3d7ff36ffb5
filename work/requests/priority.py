"""The priority matrix of SPEC.md: impact rows by urgency columns. Pure."""

from __future__ import annotations

from work.requests.models import Level, Priority

_URGENCIES = (Level.LOW, Level.MEDIUM, Level.HIGH, Level.CRITICAL)

# Impact -> priorities for urgency LOW, MEDIUM, HIGH, CRITICAL.
MATRIX: dict[Level, tuple[Priority, Priority, Priority, Priority]] = {
    Level.CRITICAL: (Priority.P2, Priority.P1, Priority.P1, Priority.P1),
    Level.HIGH: (Priority.P3, Priority.P2, Priority.P2, Priority.P1),
    Level.MEDIUM: (Priority.P4, Priority.P3, Priority.P2, Priority.P2),
    Level.LOW: (Priority.P4, Priority.P4, Priority.P3, Priority.P3),
}


def priority(impact: Level, urgency: Level) -> Priority:
    """The priority of a request with this impact and urgency."""
    return MATRIX[Level(impact)][_URGENCIES.index(Level(urgency))]
