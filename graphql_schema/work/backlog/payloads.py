"""Payloads of backlog mutations: the object (null on failure) and `userErrors`."""

from __future__ import annotations

import strawberry

from graphql_schema.errors import UserError
from graphql_schema.work.backlog.types import BacklogItem, DesignReview, Sprint


@strawberry.type
class BacklogItemPayload:
    backlog_item: BacklogItem | None
    user_errors: list[UserError]


@strawberry.type
class SprintPayload:
    sprint: Sprint | None
    user_errors: list[UserError]


@strawberry.type
class DesignReviewPayload:
    design_review: DesignReview | None
    user_errors: list[UserError]
