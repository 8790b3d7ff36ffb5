"""Freshness: records whose owners confirm them at an interval (services, SLAs)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import strawberry

from core.clock import utcnow


@strawberry.interface(description="A record its owners must review at an interval.")
class Reviewable:
    review_interval_days: int
    last_reviewed_at: datetime | None
    review_due_at: datetime = strawberry.field(description="When the next review is due.")
    stale: bool = strawberry.field(description="True when the last review is overdue.")


def review_fields(
    *, last_reviewed_at: datetime | None, created_at: datetime, interval_days: int
) -> dict[str, Any]:
    """The Reviewable fields of a record; never reviewed counts from its creation."""
    due = (last_reviewed_at or created_at) + timedelta(days=interval_days)
    return {
        "review_interval_days": interval_days,
        "last_reviewed_at": last_reviewed_at,
        "review_due_at": due,
        "stale": due < utcnow(),
    }
