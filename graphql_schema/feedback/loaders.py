"""Per-request loaders of feedback: the caller's votes, each item's moves through triage."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from feedback import repository


async def voted(
    person_id: uuid.UUID | None, session: AsyncSession, keys: Sequence[uuid.UUID]
) -> dict[uuid.UUID, bool]:
    """Whether the person voted for each feedback item; no one voted when there is no person."""
    if person_id is None:
        return {}
    found = await repository.voted(session, person_id, keys)
    return {key: key in found for key in keys}
