"""Freshness: records whose owners confirm them at an interval (services, SLAs)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, FromClause, func

from core.clock import utcnow
from graphql_schema.compiled.declarations import Column, Computed, FieldSql, Parameters


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


def _review_due_sql(row: FromClause, _: Parameters) -> ColumnElement[Any]:
    """`review_fields`' due moment: exact days of 24 hours, as `timedelta(days=)` adds."""
    reviewed = func.coalesce(row.c.last_reviewed_at, row.c.created_at)
    return reviewed + func.make_interval(0, 0, 0, 0, row.c.review_interval_days * 24)


def _stale_sql(row: FromClause, parameters: Parameters) -> ColumnElement[bool]:
    return _review_due_sql(row, parameters) < parameters.now


# The Reviewable fields for the compiled read path, over a row with `last_reviewed_at`,
# `created_at` and `review_interval_days`.
REVIEW_SQL: Mapping[str, FieldSql] = {
    "reviewIntervalDays": Column("review_interval_days"),
    "lastReviewedAt": Column("last_reviewed_at"),
    "reviewDueAt": Computed(_review_due_sql),
    "stale": Computed(_stale_sql),
}
