"""Filters on the SLA clock stamps of requests and incidents (`breach_at`, `warning_at`).

A clock is breached once `now` is past its `breach_at` and warns once past its `warning_at`
(service_levels.clock); the stamps are those of a clock still running, so a paused or
stopped record is neither.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import InstrumentedAttribute


def clock_conditions(
    breach_at: InstrumentedAttribute[datetime | None],
    warning_at: InstrumentedAttribute[datetime | None],
    *,
    breached: bool | None,
    warning: bool | None,
    now: datetime | ColumnElement[datetime],
) -> list[ColumnElement[bool]]:
    """`breached`: a running clock is over its target; `warning`: one is past the warning
    threshold and none is over its target. None leaves either out."""
    is_breached = breach_at < now
    not_breached = or_(breach_at.is_(None), breach_at >= now)
    conditions: list[ColumnElement[bool]] = []
    if breached is not None:
        conditions.append(is_breached if breached else not_breached)
    if warning is not None:
        in_warning = and_(warning_at < now, not_breached)
        conditions.append(
            in_warning if warning else or_(warning_at.is_(None), warning_at >= now, is_breached)
        )
    return conditions
