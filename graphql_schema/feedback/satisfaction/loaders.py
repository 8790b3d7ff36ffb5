"""Satisfaction from feedback ratings on services, teams and business units, batched."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from feedback import repository
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput
from graphql_schema.feedback.satisfaction.types import Satisfaction

MAX_WINDOW_DAYS = 3660


async def satisfaction(
    group: str, days: int, session: AsyncSession, keys: Sequence[uuid.UUID]
) -> dict[uuid.UUID, repository.Satisfaction]:
    until = utcnow()
    return await repository.satisfaction_by(
        session, group, keys, until - timedelta(days=days), until
    )


async def satisfaction_of(info: Info, group: str, key: uuid.UUID, days: int) -> Satisfaction:
    """One statement for every service (or team, or unit) of the response."""
    if not 1 <= days <= MAX_WINDOW_DAYS:
        raise BadUserInput(f"days must be from 1 to {MAX_WINDOW_DAYS}")
    found = await info.context.loaders.satisfaction[group, days].load(key)
    assert found is not None
    return Satisfaction(
        mean_rating=found.mean_rating,
        satisfied_share=found.satisfied_share,
        ratings=found.ratings,
        days=days,
    )
