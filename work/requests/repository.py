"""Every SQL statement about service requests and their status changes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from work.clock_filters import clock_conditions
from work.requests.models import (
    Priority,
    RequestKind,
    RequestStatus,
    RequestStatusChange,
    ServiceRequest,
    SupportTier,
)
from work.value_streams import ValueStream


@dataclass(frozen=True)
class RequestFilter:
    service_id: uuid.UUID | None = None
    statuses: tuple[RequestStatus, ...] = ()
    priorities: tuple[Priority, ...] = ()
    kinds: tuple[RequestKind, ...] = ()
    support_tiers: tuple[SupportTier, ...] = ()
    value_streams: tuple[ValueStream, ...] = ()
    assignee_id: uuid.UUID | None = None
    requester_id: uuid.UUID | None = None
    # "mine": requested by or assigned to this person.
    involving_id: uuid.UUID | None = None
    breaching_before: datetime | None = None
    breached: bool | None = None
    warning: bool | None = None


def requests_query(
    given: RequestFilter, *, now: datetime | ColumnElement[datetime]
) -> Select[ServiceRequest]:
    request = ServiceRequest
    conditions: list[ColumnElement[bool]] = []
    for column, values in (
        (request.status, given.statuses),
        (request.priority, given.priorities),
        (request.kind, given.kinds),
        (request.support_tier, given.support_tiers),
        (request.value_stream, given.value_streams),
    ):
        if values:
            conditions.append(column.in_(values))
    if given.service_id is not None:
        conditions.append(request.service_id == given.service_id)
    if given.assignee_id is not None:
        conditions.append(request.assignee_id == given.assignee_id)
    if given.requester_id is not None:
        conditions.append(request.requester_id == given.requester_id)
    if given.involving_id is not None:
        conditions.append(
            or_(
                request.requester_id == given.involving_id,
                request.assignee_id == given.involving_id,
            )
        )
    if given.breaching_before is not None:
        conditions.append(request.breach_at < given.breaching_before)
    conditions += clock_conditions(
        request.breach_at,
        request.warning_at,
        breached=given.breached,
        warning=given.warning,
        now=now,
    )
    return select(ServiceRequest).where(*conditions)


async def lock(session: AsyncSession, request_id: uuid.UUID) -> ServiceRequest | None:
    """The request, locked for this transaction and read fresh."""
    return await session.scalar(
        select(ServiceRequest)
        .where(ServiceRequest.id == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def record_status_change(
    session: AsyncSession,
    request: ServiceRequest,
    before: RequestStatus | None,
    *,
    actor: str | None,
    at: datetime,
    note: str | None = None,
) -> None:
    session.add(
        RequestStatusChange(
            request_id=request.id,
            from_status=before,
            to_status=request.status,
            at=at,
            actor=actor,
            note=note,
        )
    )


async def linked_to_items(
    session: AsyncSession, item_ids: Sequence[uuid.UUID], status: RequestStatus
) -> list[ServiceRequest]:
    """Requests in `status` answered by these backlog items, locked in id order."""
    rows = await session.scalars(
        select(ServiceRequest)
        .where(ServiceRequest.backlog_item_id.in_(item_ids), ServiceRequest.status == status)
        .order_by(ServiceRequest.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(rows)
