"""Every SQL statement of service levels."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service_levels.models import ClockPolicy


async def policies_by_service_ids(
    session: AsyncSession, service_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ClockPolicy]:
    rows = await session.scalars(
        select(ClockPolicy).where(ClockPolicy.service_id.in_(list(service_ids)))
    )
    return {policy.service_id: policy for policy in rows}


async def lock_policy(session: AsyncSession, service_id: uuid.UUID) -> ClockPolicy | None:
    return await session.scalar(
        select(ClockPolicy).where(ClockPolicy.service_id == service_id).with_for_update()
    )
