"""Satisfaction from feedback ratings on services, teams and business units, batched."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from feedback import repository
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput
from graphql_schema.feedback.satisfaction.types import Satisfaction
from graphql_schema.loaders import loader

MAX_WINDOW_DAYS = 3660


async def _batch(
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
    batch = partial(_batch, group, days)
    found = await loader(info.context, ("satisfaction", group, days), batch).load(key)
    assert found is not None
    return Satisfaction(
        mean_rating=found.mean_rating,
        satisfied_share=found.satisfied_share,
        ratings=found.ratings,
        days=days,
    )
