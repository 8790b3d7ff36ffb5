"""Statements every domain needs: fetch records by primary key, in one round trip."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.interfaces import ORMOption

from core.db import Base

Model = TypeVar("Model", bound=Base)


async def get_by_ids(
    session: AsyncSession,
    model: type[Model],
    ids: Sequence[uuid.UUID],
    options: Sequence[ORMOption] = (),
) -> dict[uuid.UUID, Model]:
    """One statement for any number of ids."""
    if not ids:
        return {}
    primary_key = model.__mapper__.primary_key[0]
    rows = await session.scalars(select(model).where(primary_key.in_(ids)).options(*options))
    return {getattr(row, primary_key.name): row for row in rows}


async def get_by_id(
    session: AsyncSession,
    model: type[Model],
    key: uuid.UUID,
    options: Sequence[ORMOption] = (),
) -> Model | None:
    found = await get_by_ids(session, model, [key], options)
    return found.get(key)
