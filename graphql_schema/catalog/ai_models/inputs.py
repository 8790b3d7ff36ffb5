"""Inputs of AI-model queries and mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry

import graphql_schema.catalog.ai_models.enums  # noqa: F401  (registers the enums first)
from catalog.ai_models.models import AIModelStatus, EvaluationComparator, EvaluationKind
from catalog.services.models import DataClassification
from core.row_import import MAX_ROWS, RowFormat


@strawberry.input(name="CreateAIModelInput")
class CreateAIModelInput:
    service_id: strawberry.ID
    name: str
    purpose: str | None = None
    owner_person_id: strawberry.ID | None = None
    learns_from_live_data: bool = False
    input_classification: DataClassification
    evaluation_cadence_days: int = strawberry.field(default=90, description="From 1 to 366 days.")


@strawberry.input(name="UpdateAIModelInput", description="Only the fields given change.")
class UpdateAIModelInput:
    id: strawberry.ID
    version: int
    name: str | None = strawberry.UNSET
    purpose: str | None = strawberry.UNSET
    owner_person_id: strawberry.ID | None = strawberry.UNSET
    learns_from_live_data: bool | None = strawberry.UNSET
    input_classification: DataClassification | None = strawberry.UNSET
    evaluation_cadence_days: int | None = strawberry.UNSET
    review_interval_days: int | None = strawberry.UNSET


@strawberry.input(name="TransitionAIModelInput")
class TransitionAIModelInput:
    id: strawberry.ID
    version: int
    status: AIModelStatus


@strawberry.input(
    description="An evaluation of a model. ACCURACY, FAIRNESS and SAFETY values and thresholds"
    " are fractions from 0 to 1, DRIFT ones not negative; the comparator is AT_MOST for"
    " DRIFT and AT_LEAST otherwise unless given."
)
class RecordEvaluationInput:
    model_id: strawberry.ID
    kind: EvaluationKind
    metric: str
    threshold: float | None = strawberry.field(default=None, description="Required.")
    value: float
    comparator: EvaluationComparator | None = None
    dataset_ref: str | None = None
    evaluated_at: datetime | None = strawberry.field(default=None, description="Default: now.")
    evaluator: str | None = strawberry.field(default=None, description="Default: who records it.")


@strawberry.input
class ImportEvaluationsInput:
    format: RowFormat
    content: str = strawberry.field(
        description=f"At most {MAX_ROWS} rows; `model` is an AIModel id or"
        " `<service slug>/<model name>`."
    )


@strawberry.input(name="AIModelFilter")
class AIModelFilter:
    service_id: strawberry.ID | None = None
    status: AIModelStatus | None = None
    attention: bool | None = strawberry.field(
        default=None, description="True: only models overdue or failing; false: only others."
    )
