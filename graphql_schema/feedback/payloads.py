"""Payloads of feedback mutations."""

from __future__ import annotations

import strawberry

from graphql_schema.errors import UserError
from graphql_schema.feedback.types import Feedback


@strawberry.type
class FeedbackPayload:
    feedback: Feedback | None
    user_errors: list[UserError]


@strawberry.type
class SubmitFeedbackPayload:
    feedback: Feedback | None
    replayed: bool = strawberry.field(
        description="True when an earlier submission with the same idempotency key is returned."
    )
    user_errors: list[UserError]
