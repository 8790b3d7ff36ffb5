"""Business rules of backlogs (grown by the work-management capability)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service
from catalog.work import repository
from catalog.work.models import BacklogItem, BacklogItemStatus, BacklogItemType
from core.records import require_found
from core.repository import get_by_id

NEEDS_DESIGN_REVIEW = {BacklogItemType.FEATURE: True}


async def create_item_from_feedback(
    session: AsyncSession,
    *,
    service_id: uuid.UUID,
    item_type: str,
    title: str,
    description: str,
    feedback_id: uuid.UUID,
) -> BacklogItem:
    """A backlog item on the owner team's backlog, answering a feedback item."""
    return await create_item_for_source(
        session,
        service_id=service_id,
        item_type=item_type,
        title=title,
        description=description,
        source_type="FEEDBACK",
        source_id=feedback_id,
    )


async def create_item_for_source(
    session: AsyncSession,
    *,
    service_id: uuid.UUID,
    item_type: str,
    title: str,
    description: str,
    source_type: str,
    source_id: uuid.UUID,
) -> BacklogItem:
    """An item on the service's owner-team backlog answering a request, incident or feedback."""
    service = require_found(await get_by_id(session, Service, service_id), what="service")
    backlog = await repository.backlog_of_team(session, service.owner_team_id)
    kind = BacklogItemType(item_type)
    item = BacklogItem(
        backlog_id=backlog.id,
        service_id=service.id,
        type=kind,
        status=BacklogItemStatus.NEW,
        title=title[:200],
        description=description,
        rank=await repository.next_rank(session, backlog.id),
        needs_design_review=NEEDS_DESIGN_REVIEW.get(kind, False),
        source_type=source_type,
        source_id=source_id,
    )
    session.add(item)
    await session.flush()
    return item
