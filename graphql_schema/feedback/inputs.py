"""Inputs of feedback queries and mutations."""

from __future__ import annotations

import strawberry

import graphql_schema.feedback.enums  # noqa: F401  (registers the enums first)
from feedback import models


@strawberry.input
class FeedbackFilter:
    service_id: strawberry.ID | None = None
    author_id: strawberry.ID | None = None
    statuses: list[models.FeedbackStatus] | None = None
    kinds: list[models.FeedbackKind] | None = None


@strawberry.input
class SubmitFeedbackInput:
    service: str = strawberry.field(description="The service's slug or global id.")
    kind: models.FeedbackKind
    title: str
    body: str
    rating: int | None = None
    contact_email: str | None = strawberry.field(
        default=None, description="Ignored for signed-in callers."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="A repeat with the same key and content returns the first item."
    )


@strawberry.input
class FeedbackVoteInput:
    feedback_id: strawberry.ID


@strawberry.input
class TransitionFeedbackInput:
    id: strawberry.ID
    version: int
    to: models.FeedbackStatus
    note: str | None = None


@strawberry.input
class MergeFeedbackInput:
    source_id: strawberry.ID = strawberry.field(description="The duplicate; it becomes DUPLICATE.")
    target_id: strawberry.ID = strawberry.field(description="The surviving item.")


@strawberry.input
class PromoteFeedbackInput:
    id: strawberry.ID
    version: int
