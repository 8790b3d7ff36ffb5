"""What the builders share: one running number for unique names, and flush-on-add."""

from __future__ import annotations

import itertools
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

_numbers = itertools.count(1)


def number() -> int:
    return next(_numbers)


Record = TypeVar("Record")


async def add(session: AsyncSession, record: Record) -> Record:
    session.add(record)
    await session.flush()
    return record
