"""One retention rule: which rows of a kind its period no longer keeps, how many, and how
a batch of them is removed (or anonymised) in SQL, never loading them as objects.

The cutoff is the database's clock (`now()`), like the times it stored; within the one
transaction a kind is purged in, `now()` does not move, so a rule's count is what its
batches will touch.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import CursorResult, text
from sqlalchemy.ext.asyncio import AsyncSession

from core.settings import Settings

# `days` ago, as an SQL expression of the bound parameter :days.
CUTOFF = "now() - make_interval(days => :days)"


class Action(StrEnum):
    REMOVE = "removed"
    ANONYMISE = "anonymised"

    @property
    def verb(self) -> str:
        return "purge" if self is Action.REMOVE else "anonymise"

    @property
    def past(self) -> str:
        return "purged" if self is Action.REMOVE else "anonymised"


@dataclass(frozen=True)
class Rule:
    """Rows of `table` matching `where` (with :days) are past their period; removed in batches."""

    key: str  # stable, for the audit event's details
    name: str  # for people: "closed requests"
    setting: str  # the Settings field holding its period in days
    table: str
    where: str
    action: Action = Action.REMOVE
    # Statements run first in the kind's transaction (e.g. SET LOCAL ...).
    prepare: tuple[str, ...] = ()

    def days(self, settings: Settings) -> int | None:
        """The period in days; None when the kind is kept forever (0)."""
        days = getattr(settings, self.setting)
        assert isinstance(days, int)
        return days or None

    async def count(self, session: AsyncSession, days: int) -> int:
        statement = text(f"SELECT count(*) FROM {self.table} WHERE {self.where}")
        return int(await session.scalar(statement, {"days": days}) or 0)

    async def apply_batch(self, session: AsyncSession, days: int, batch_size: int) -> int:
        """Remove (or anonymise) up to `batch_size` rows; how many it did."""
        statement = text(
            f"DELETE FROM {self.table} WHERE ctid = ANY(ARRAY("
            f"SELECT ctid FROM {self.table} WHERE {self.where} LIMIT :batch))"
        )
        return await execute(session, statement.text, {"days": days, "batch": batch_size})

    async def batch_ids(self, session: AsyncSession, days: int, batch_size: int) -> list[uuid.UUID]:
        """The ids of the next `batch_size` rows past their period (for multi-table batches)."""
        statement = text(f"SELECT id FROM {self.table} WHERE {self.where} LIMIT :batch")
        rows = await session.scalars(statement, {"days": days, "batch": batch_size})
        return list(rows)


async def execute(session: AsyncSession, sql: str, parameters: dict[str, object]) -> int:
    """Run one statement; the rows it touched."""
    result = await session.execute(text(sql), parameters)
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


async def delete_by_ids(
    session: AsyncSession, table: str, column: str, ids: Sequence[uuid.UUID]
) -> int:
    return await execute(
        session, f"DELETE FROM {table} WHERE {column} = ANY(:ids)", {"ids": list(ids)}
    )
