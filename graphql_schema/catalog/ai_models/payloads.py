"""Payloads of AI-model mutations: the object (null on failure) and `userErrors`."""

from __future__ import annotations

import strawberry

from graphql_schema.catalog.ai_models.types import AIModel, Evaluation
from graphql_schema.errors import UserError


@strawberry.type(name="AIModelPayload")
class AIModelPayload:
    ai_model: AIModel | None
    user_errors: list[UserError]


@strawberry.type
class RecordEvaluationPayload:
    evaluation: Evaluation | None
    user_errors: list[UserError]


@strawberry.type(description="How many evaluations were stored: all the rows, or none.")
class ImportEvaluationsPayload:
    created: int | None
    user_errors: list[UserError]
