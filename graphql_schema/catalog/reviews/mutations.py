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
from graphql_schema.catalog.reviews.inputs import ConfirmReviewInput
from graphql_schema.catalog.reviews.payloads import ConfirmReviewPayload
from graphql_schema.catalog.reviews.types import Reviewable
from graphql_schema.context import Info
from graphql_schema.errors import UserError
from graphql_schema.mutation_runner import Arguments, CustomPayload, mutation
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


def _reviewable(id: str) -> tuple[_ReviewableType, uuid.UUID]:
    try:
        decoded = GlobalId.decode(id)
    except MalformedGlobalId:
        raise NotFound("id is not a valid id", field=["id"]) from None
    reviewable = _REVIEWABLE.get(decoded.type_name)
    if reviewable is None:
        raise NotFound("id does not name a reviewable record", field=["id"])
    return reviewable, decoded.id


async def _confirm(
    session: AsyncSession,
    *,
    principal: Principal,
    reviewable: _ReviewableType,
    record_id: uuid.UUID,
) -> tuple[_ReviewableType, Any]:
    return reviewable, await reviewable.confirm(session, principal, record_id)


async def _reviewed(
    info: Info,
    input: ConfirmReviewInput,
    result: tuple[_ReviewableType, Any] | None,
    errors: list[UserError],
) -> ConfirmReviewPayload:
    if result is None:
        return ConfirmReviewPayload(reviewed=None, user_errors=errors)
    reviewable, record = result
    return ConfirmReviewPayload(reviewed=reviewable.convert(record), user_errors=[])


@strawberry.type
class ReviewMutation:
    @mutation(
        "Record an owner review: the record is fresh again.",
        permission=Role.TEAM_MEMBER,
        action=_confirm,
        payload=CustomPayload(ConfirmReviewPayload, _reviewed),
        audited=lambda reviewed: reviewed[1],
    )
    def confirm_review(self, input: ConfirmReviewInput) -> Arguments:
        reviewable, record_id = _reviewable(input.id)
        return {"reviewable": reviewable, "record_id": record_id}
