"""A sprint's velocity: the estimates of the work it finished."""

from __future__ import annotations

from collections.abc import Iterable

from work.backlog.models import BacklogItemStatus

FINISHED = frozenset({BacklogItemStatus.DONE, BacklogItemStatus.RELEASED})


def velocity(items: Iterable[tuple[BacklogItemStatus, int | None]]) -> int:
    """Sum of the estimates of the items DONE or RELEASED; unestimated items count 0."""
    return sum(estimate or 0 for status, estimate in items if status in FINISHED)
