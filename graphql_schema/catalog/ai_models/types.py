"""AI models and their evaluations as GraphQL sees them."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

import graphql_schema.catalog.ai_models.enums  # noqa: F401  (registers the enums first)
from catalog.ai_models import models, repository
from catalog.services.models import DataClassification
from core.pagination import KeysetOrder, PageRequest
from graphql_schema.catalog.reviews.types import Reviewable, review_fields
from graphql_schema.catalog.services.types import Service
from graphql_schema.compiled.declarations import PageSource
from graphql_schema.connection import Connection, paged, paginate_source
from graphql_schema.context import Info
from graphql_schema.history import Versioned
from graphql_schema.identity.types import Person
from graphql_schema.node import Node, global_id, register_node
from graphql_schema.prefetch import register_relations

EVALUATION_ORDER = KeysetOrder(
    models.Evaluation.evaluated_at, models.Evaluation.id, descending=True, name="EVALUATED_AT"
)


@strawberry.type(
    description="One evaluation of an AI model: a metric's value held to a threshold."
    " `passed` follows from the comparator; evaluations are never changed."
)
class Evaluation(Node):
    id: strawberry.ID
    kind: models.EvaluationKind
    metric: str
    comparator: models.EvaluationComparator
    threshold: float
    value: float
    passed: bool
    dataset_ref: str | None
    evaluated_at: datetime
    evaluator: str = strawberry.field(
        description="Who evaluated: as given, else who recorded it (`person:<id>`...)."
    )
    model: strawberry.Private[models.Evaluation]

    @classmethod
    def from_model(cls, evaluation: models.Evaluation) -> Evaluation:
        return cls(
            id=global_id("Evaluation", evaluation.id),
            kind=evaluation.kind,
            metric=evaluation.metric,
            comparator=evaluation.comparator,
            threshold=evaluation.threshold,
            value=evaluation.value,
            passed=evaluation.passed,
            dataset_ref=evaluation.dataset_ref,
            evaluated_at=evaluation.evaluated_at,
            evaluator=evaluation.evaluator,
            model=evaluation,
        )


def evaluations_page(model_id: uuid.UUID, kind: models.EvaluationKind | None) -> PageSource:
    """What `AIModel.evaluations` pages over: one model's, newest first."""
    return PageSource(
        repository.evaluations_query(model_id, kind),
        EVALUATION_ORDER,
        "Evaluation",
        Evaluation.from_model,
        [str(model_id), kind],
    )


@strawberry.type(
    name="AIModel",
    description="A model a service uses for decisions, evaluated at its cadence. Overdue:"
    " a required evaluation (ACCURACY and FAIRNESS; DRIFT too when it learns from live data)"
    " is older than the cadence, or missing once the model is. Failing: the latest evaluation"
    " of some kind failed. RETIRED models are neither.",
)
class AIModel(Node, Versioned, Reviewable):
    id: strawberry.ID
    name: str
    purpose: str
    learns_from_live_data: bool
    input_classification: DataClassification
    status: models.AIModelStatus
    evaluation_cadence_days: int
    version: int
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.AIModel]

    @classmethod
    def from_model(cls, model: models.AIModel) -> AIModel:
        return cls(
            id=global_id("AIModel", model.id),
            name=model.name,
            purpose=model.purpose,
            learns_from_live_data=model.learns_from_live_data,
            input_classification=model.input_classification,
            status=model.status,
            evaluation_cadence_days=model.evaluation_cadence_days,
            version=model.version,
            created_at=model.created_at,
            updated_at=model.updated_at,
            model=model,
            **review_fields(
                last_reviewed_at=model.last_reviewed_at,
                created_at=model.created_at,
                interval_days=model.review_interval_days,
            ),
        )

    @strawberry.field
    def service(self) -> Service:
        return Service.from_model(self.model.service)

    @strawberry.field(description="Who answers for the model, if named.")
    def owner_person(self) -> Person | None:
        person = self.model.owner_person
        return Person.from_model(person) if person is not None else None

    @strawberry.field(description="Its evaluations, newest first; one kind if given.")
    @paged
    async def evaluations(
        self,
        info: Info,
        kind: models.EvaluationKind | None = None,
        *,
        page: PageRequest,
    ) -> Connection[Evaluation]:
        return await paginate_source(info, evaluations_page(self.model.id, kind), page)

    @strawberry.field(description="The latest evaluation of each kind evaluated, by kind.")
    async def latest_evaluations(self, info: Info) -> list[Evaluation]:
        from graphql_schema.catalog.ai_models.loaders import latest_of

        return [Evaluation.from_model(item) for item in await latest_of(info, self.model.id)]

    @strawberry.field(
        description="A required evaluation is older than the cadence (or missing once the"
        " model is older than it)."
    )
    async def overdue(self, info: Info) -> bool:
        from graphql_schema.catalog.ai_models.loaders import overdue

        return await overdue(info, self.model)

    @strawberry.field(description="The latest evaluation of some kind failed.")
    async def failing(self, info: Info) -> bool:
        from graphql_schema.catalog.ai_models.loaders import failing

        return await failing(info, self.model)


register_relations(
    "AIModel",
    {
        "service": ([models.AIModel.service], "Service"),
        "ownerPerson": ([models.AIModel.owner_person], "Person"),
    },
)
register_node("AIModel", models.AIModel, AIModel.from_model)
register_node("Evaluation", models.Evaluation, Evaluation.from_model)
