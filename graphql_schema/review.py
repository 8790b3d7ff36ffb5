"""Freshness: records whose owners confirm them at an interval (services, SLAs, AI models)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from core.errors import NotFound
from core.ids import GlobalId, MalformedGlobalId
from graphql_schema.access import requires
from graphql_schema.context import Info
from graphql_schema.errors import UserError
from graphql_schema.mutation import run_mutation
from identity.principal import Principal, Role


@strawberry.interface(description="A record its owners must review at an interval.")
class Reviewable:
    review_interval_days: int
    last_reviewed_at: datetime | None
    review_due_at: datetime = strawberry.field(description="When the next review is due.")
    stale: bool = strawberry.field(description="True when the last review is overdue.")


def review_fields(
    *, last_reviewed_at: datetime | None, created_at: datetime, interval_days: int
) -> dict[str, Any]:
    """The Reviewable fields of a record; never reviewed counts from its creation."""
    due = (last_reviewed_at or created_at) + timedelta(days=interval_days)
    return {
        "review_interval_days": interval_days,
        "last_reviewed_at": last_reviewed_at,
        "review_due_at": due,
        "stale": due < utcnow(),
    }


ConfirmAction = Callable[[AsyncSession, Principal, uuid.UUID], Awaitable[Any]]


@dataclass(frozen=True)
class _ReviewableType:
    confirm: ConfirmAction
    convert: Callable[[Any], Reviewable]


_REVIEWABLE: dict[str, _ReviewableType] = {}


def register_reviewable(
    type_name: str, *, confirm: ConfirmAction, convert: Callable[[Any], Reviewable]
) -> None:
    _REVIEWABLE[type_name] = _ReviewableType(confirm, convert)


@strawberry.input
class ConfirmReviewInput:
    id: strawberry.ID = strawberry.field(description="A service, SLA or AI model.")


@strawberry.type
class ConfirmReviewPayload:
    reviewed: Reviewable | None
    user_errors: list[UserError]


@strawberry.type
class ReviewMutation:
    @strawberry.mutation(
        description="Record an owner review: the record is fresh again.",
        metadata=requires(Role.TEAM_MEMBER),
    )
    async def confirm_review(self, info: Info, input: ConfirmReviewInput) -> ConfirmReviewPayload:
        reviewable: _ReviewableType | None = None

        async def action(session: AsyncSession, principal: Principal) -> Any:
            nonlocal reviewable
            try:
                decoded = GlobalId.decode(input.id)
            except MalformedGlobalId:
                raise NotFound("id is not a valid id", field=["id"]) from None
            reviewable = _REVIEWABLE.get(decoded.type_name)
            if reviewable is None:
                raise NotFound("id does not name a reviewable record", field=["id"])
            return await reviewable.confirm(session, principal, decoded.id)

        record, errors = await run_mutation(info, action)
        if record is None or reviewable is None:
            return ConfirmReviewPayload(reviewed=None, user_errors=errors)
        return ConfirmReviewPayload(reviewed=reviewable.convert(record), user_errors=[])
