"""The release calendar's rules: which day a release stands on, what a freeze window covers,
and how wide a range one may ask for. Pure: no I/O."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import Any

from sqlalchemy import Date, case, cast, func
from sqlalchemy.sql.elements import ColumnElement

from core.errors import Invalid
from work.releases.models import Release, ReleaseKind

# A range asked of the calendar (and a freeze window) spans at most two years.
MAX_RANGE = timedelta(days=731)


def calendar_day(release: Release) -> date | None:
    """The day a release stands on: released (UTC day) when shipped, else planned (a
    seasonal release: its production date)."""
    if release.released_at is not None:
        return release.released_at.astimezone(UTC).date()
    if release.kind is ReleaseKind.SALESFORCE_SEASONAL and release.production_on is not None:
        return release.production_on
    return release.planned_on


def calendar_day_sql(columns: Any) -> ColumnElement[date]:
    """`calendar_day` in SQL, over the release table (or an alias of it)."""
    seasonal_day = case(
        (columns.kind == ReleaseKind.SALESFORCE_SEASONAL.value, columns.production_on),
        else_=None,
    )
    released_day = cast(func.timezone("UTC", columns.released_at), Date)
    return func.coalesce(released_day, seasonal_day, columns.planned_on, type_=Date)


def check_range(start: date | None, end: date | None, *, field: str = "from") -> None:
    """A range asked for (two days, or two moments): `from` not after `to`, and at most two
    years wide."""
    if start is None or end is None:
        return
    if start > end:
        raise Invalid("`from` must not be after `to`", field=[field])
    if end - start > MAX_RANGE:
        raise Invalid("a range spans at most two years (731 days)", field=["to"])
