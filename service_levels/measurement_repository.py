"""Every SQL statement about measurements: the upsert, and the pages read per service."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    String,
    Text,
    Uuid,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from service_levels.models import Measurement, MeasurementSource, Metric


@dataclass(frozen=True)
class MeasurementRow:
    """One value to store; (metric, service_id, at) names it."""

    metric: Metric
    service_id: uuid.UUID
    at: datetime
    value: float
    note: str = ""
    details: dict[str, Any] | None = None
    # The value is down to Salesforce (a cost of a vendor outage...): left out of the team's
    # figure, counted in the raw one.
    vendor_attributed: bool = False


@dataclass(frozen=True)
class Written:
    """A row the upsert inserted (`created`) or changed; unchanged rows are not reported."""

    id: uuid.UUID
    metric: Metric
    service_id: uuid.UUID
    at: datetime
    created: bool


def _array(name: str, values: list[Any], element: Any) -> Any:
    return bindparam(name, values, type_=ARRAY(element))


async def upsert(
    session: AsyncSession,
    rows: Sequence[MeasurementRow],
    *,
    source: MeasurementSource,
    recorded_by: str | None,
) -> list[Written]:
    """Insert the rows, or change the stored ones whose value, note or details differ.

    One statement for any number of rows (the values travel as arrays), so an import
    is atomic and costs the same for ten rows or ten thousand. The rows must name distinct
    (metric, service, at): one statement may not change a row twice.
    """
    if not rows:
        return []
    # One order for every writer: two imports sharing rows wait for each other, never deadlock.
    rows = sorted(rows, key=lambda row: (row.metric.value, str(row.service_id), row.at))
    given = (
        func.unnest(
            _array("metrics", [row.metric.value for row in rows], String),
            _array("service_ids", [row.service_id for row in rows], Uuid),
            _array("ats", [row.at for row in rows], DateTime(timezone=True)),
            _array("values", [row.value for row in rows], Float),
            _array("notes", [row.note for row in rows], Text),
            _array("details", [json.dumps(row.details or {}) for row in rows], Text),
            _array("vendor", [row.vendor_attributed for row in rows], Boolean),
        )
        .table_valued(
            column("metric"),
            column("service_id"),
            column("at"),
            column("value"),
            column("note"),
            column("details"),
            column("vendor_attributed"),
        )
        .render_derived()
    )
    source_rows = select(
        func.gen_random_uuid(),
        given.c.metric,
        given.c.service_id,
        given.c.at,
        given.c.value,
        given.c.note,
        cast(given.c.details, JSONB),
        given.c.vendor_attributed,
        bindparam("source", source.value, type_=String),
        bindparam("recorded_by", recorded_by, type_=Text),
    )
    inserting = insert(Measurement).from_select(
        [
            "id",
            "metric",
            "service_id",
            "at",
            "value",
            "note",
            "details",
            "vendor_attributed",
            "source",
            "recorded_by",
        ],
        source_rows,
    )
    excluded = inserting.excluded
    statement = inserting.on_conflict_do_update(
        index_elements=[Measurement.metric, Measurement.service_id, Measurement.at],
        set_={
            "value": excluded.value,
            "note": excluded.note,
            "details": excluded.details,
            "vendor_attributed": excluded.vendor_attributed,
            "source": excluded.source,
            "recorded_by": excluded.recorded_by,
            "updated_at": func.now(),
            # A new version: the history trigger keeps the value this one replaces.
            "version": Measurement.version + 1,
        },
        where=or_(
            Measurement.value.is_distinct_from(excluded.value),
            Measurement.note.is_distinct_from(excluded.note),
            Measurement.details.is_distinct_from(excluded.details),
            Measurement.vendor_attributed.is_distinct_from(excluded.vendor_attributed),
        ),
    ).returning(
        Measurement.id,
        Measurement.metric,
        Measurement.service_id,
        Measurement.at,
        # xmax is 0 on a row this statement inserted, the updating transaction's id otherwise.
        literal_column("xmax") == literal_column("'0'::xid"),
    )
    result = await session.execute(statement)
    return [
        Written(key, Metric(metric), service_id, at, bool(created))
        for key, metric, service_id, at, created in result
    ]


async def find(
    session: AsyncSession, *, metric: Metric, service_id: uuid.UUID, at: datetime
) -> Measurement | None:
    return await session.scalar(
        select(Measurement).where(
            Measurement.metric == metric,
            Measurement.service_id == service_id,
            Measurement.at == at,
        )
    )


@dataclass(frozen=True)
class PageQuery:
    """Which measurements of each service to page through, and from where."""

    metric: Metric | None
    since: datetime | None
    until: datetime | None
    after: tuple[datetime, uuid.UUID] | None
    limit: int


def _conditions(service_ids: Sequence[uuid.UUID], query: PageQuery) -> list[Any]:
    conditions: list[Any] = [Measurement.service_id.in_(list(service_ids))]
    if query.metric is not None:
        conditions.append(Measurement.metric == query.metric)
    if query.since is not None:
        conditions.append(Measurement.at >= query.since)
    if query.until is not None:
        conditions.append(Measurement.at < query.until)
    return conditions


async def pages_by_service_ids(
    session: AsyncSession, service_ids: Sequence[uuid.UUID], query: PageQuery
) -> dict[uuid.UUID, list[Measurement]]:
    """Up to `limit` measurements of each service in (at, id) order: one statement for all."""
    conditions = _conditions(service_ids, query)
    if query.after is not None:
        conditions.append(
            tuple_(Measurement.at, Measurement.id) > tuple_(*map(_literal, query.after))
        )
    position = (
        func.row_number()
        .over(partition_by=Measurement.service_id, order_by=(Measurement.at, Measurement.id))
        .label("position")
    )
    ranked = select(Measurement.id, position).where(*conditions).subquery()
    statement = (
        select(Measurement)
        .join(ranked, ranked.c.id == Measurement.id)
        .where(ranked.c.position <= query.limit)
        .order_by(Measurement.service_id, Measurement.at, Measurement.id)
    )
    found: dict[uuid.UUID, list[Measurement]] = {key: [] for key in service_ids}
    for measurement in await session.scalars(statement):
        found[measurement.service_id].append(measurement)
    return found


def _literal(value: Any) -> Any:
    return bindparam(
        None, value, type_=DateTime(timezone=True) if isinstance(value, datetime) else Uuid
    )


async def counts_by_service_ids(
    session: AsyncSession, service_ids: Sequence[uuid.UUID], query: PageQuery
) -> dict[uuid.UUID, int]:
    """How many measurements each service has under the page's filter (cursor aside)."""
    rows = await session.execute(
        select(Measurement.service_id, func.count())
        .where(*_conditions(service_ids, query))
        .group_by(Measurement.service_id)
    )
    found = dict.fromkeys(service_ids, 0)
    found.update({service_id: int(total) for service_id, total in rows})
    return found
