"""Payloads of `confirmReview`: the reviewed record (null on failure) and `userErrors`."""

from __future__ import annotations

import strawberry

from graphql_schema.catalog.reviews.types import Reviewable
from graphql_schema.errors import UserError


@strawberry.type
class ConfirmReviewPayload:
    reviewed: Reviewable | None
    user_errors: list[UserError]
