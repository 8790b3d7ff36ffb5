"""`Service.measurements`: keyset pages on (at, id), one statement for every service listed.

The cursor carries the (at, id) of the last measurement and a hash of the filter, so it
is refused with another metric or time range. Every service of a response is paged by
the same statement (a row number per service); `totalCount` is one more, when selected.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from catalog.services.models import Service as ServiceModel
from core.pagination import Cursor, InvalidPageRequest, PageRequest, PageSizeExceeded, fingerprint
from graphql_schema.connection import Edge, PageInfo
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput, PageSizeExceededError
from graphql_schema.service_levels.measurements.types import Measurement, MeasurementConnection
from service_levels import measurement_repository as repository
from service_levels.models import Measurement as MeasurementModel
from service_levels.models import Metric


def _limit(first: int | None) -> int:
    try:
        return PageRequest(first=first).limit()
    except PageSizeExceeded as error:
        raise PageSizeExceededError(str(error)) from None
    except InvalidPageRequest as error:
        raise BadUserInput(str(error)) from None


def _after(after: str | None, stamp: str) -> tuple[datetime, uuid.UUID] | None:
    if after is None:
        return None
    try:
        cursor = Cursor.decode(after, stamp)
    except InvalidPageRequest as error:
        raise BadUserInput(str(error)) from None
    if not isinstance(cursor.value, datetime) or not isinstance(cursor.id, uuid.UUID):
        raise BadUserInput(f"{after!r} is not a valid cursor")
    return cursor.value, cursor.id


async def pages(
    query: repository.PageQuery, session: AsyncSession, keys: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[MeasurementModel]]:
    return await repository.pages_by_service_ids(session, keys, query)


async def counts(
    query: repository.PageQuery, session: AsyncSession, keys: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    return await repository.counts_by_service_ids(session, keys, query)


async def measurements_of(
    info: Info,
    service: ServiceModel,
    *,
    metric: Metric | None,
    since: datetime | None,
    until: datetime | None,
    first: int | None,
    after: str | None,
) -> MeasurementConnection:
    limit = _limit(first)
    stamp = fingerprint("measurements", "AT", metric, since, until)
    query = repository.PageQuery(metric, since, until, _after(after, stamp), limit + 1)
    found = await info.context.loaders.measurement_pages[query].load(service.id) or []
    rows = found[:limit]
    for row in rows:
        set_committed_value(row, "service", service)  # known here: no statement for it
    cursors = [Cursor(row.at, row.id).encode(stamp) for row in rows]

    async def count(info: Info) -> int:
        return await info.context.loaders.measurement_counts[query].load(service.id) or 0

    return MeasurementConnection(
        edges=[
            Edge(cursor=cursor, node=Measurement.from_model(row))
            for row, cursor in zip(rows, cursors, strict=True)
        ],
        page_info=PageInfo(
            has_next_page=len(found) > limit,
            has_previous_page=after is not None,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        ),
        count=count,
    )
