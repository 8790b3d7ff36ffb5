"""`confirmReview`: an owner confirms a record is fresh; each reviewable type registers how."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NotFound
from core.ids import GlobalId, MalformedGlobalId
from graphql_schema.access import requires
from graphql_schema.catalog.reviews.inputs import ConfirmReviewInput
from graphql_schema.catalog.reviews.payloads import ConfirmReviewPayload
from graphql_schema.catalog.reviews.types import Reviewable
from graphql_schema.context import Info
from graphql_schema.mutation_runner import run_mutation
from identity.principal import Principal, Role

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
