"""AI models and their evaluations as GraphQL sees them."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry
from sqlalchemy import ColumnElement, FromClause, exists, not_, select, tuple_

import graphql_schema.catalog.ai_models.enums  # noqa: F401  (registers the enums first)
from catalog.ai_models import models, repository
from catalog.services.models import DataClassification
from catalog.services.models import Service as ServiceModel
from core.pagination import KeysetOrder, PageRequest
from graphql_schema.catalog.reviews.types import REVIEW_SQL, Reviewable, review_fields
from graphql_schema.catalog.services.types import Service
from graphql_schema.compiled.declarations import (
    Column,
    Computed,
    GlobalId,
    PageSource,
    Parameters,
    Relation,
    Rows,
    declare_sql,
)
from graphql_schema.connection import Connection, paged, paginate_source
from graphql_schema.context import Info
from graphql_schema.history import Versioned
from graphql_schema.identity.types import Person
from graphql_schema.node import Node, global_id, register_node
from graphql_schema.prefetch import register_relations
from identity.models import Person as PersonModel

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


# The compiled read path (graphql_schema/compiled): the stored columns and relations, and
# `overdue`/`failing` through the repository's SQL twins of attention.py (a test holds them
# to the same answers). `evaluations` (a connection) and `history` stay with the resolvers.


def _service_of(model: FromClause, _: Parameters) -> Rows:
    service = ServiceModel.__table__.alias()
    return Rows(service, service.c.id == model.c.service_id)


def _owner_person_of(model: FromClause, _: Parameters) -> Rows:
    person = PersonModel.__table__.alias()
    return Rows(person, person.c.id == model.c.owner_person_id)


def _latest_evaluations(model: FromClause, _: Parameters) -> Rows:
    """`latestEvaluations` (repository.latest_by_model_ids): of each kind the one no later
    evaluation follows, by kind."""
    evaluation = models.Evaluation.__table__.alias()
    later = models.Evaluation.__table__.alias()
    newer = exists().where(
        later.c.model_id == evaluation.c.model_id,
        later.c.kind == evaluation.c.kind,
        tuple_(later.c.evaluated_at, later.c.created_at, later.c.id)
        > tuple_(evaluation.c.evaluated_at, evaluation.c.created_at, evaluation.c.id),
    )
    return Rows(
        evaluation,
        (evaluation.c.model_id == model.c.id) & not_(newer),
        order_by=(evaluation.c.kind,),
    )


def _of_this_model(model: FromClause, flagged: ColumnElement[bool]) -> ColumnElement[bool]:
    """`flagged` (over the `ai_model` table) for the model of this row; RETIRED is neither."""
    table = models.AIModel
    return (
        select(table.id)
        .where(table.id == model.c.id, table.status != models.AIModelStatus.RETIRED, flagged)
        .correlate_except(models.AIModel.__table__)
        .exists()
    )


def _overdue_sql(model: FromClause, parameters: Parameters) -> ColumnElement[bool]:
    return _of_this_model(model, repository.overdue(parameters.now))


def _failing_sql(model: FromClause, _: Parameters) -> ColumnElement[bool]:
    return _of_this_model(model, repository.failing())


def _models_of(service: FromClause, _: Parameters) -> Rows:
    """`Service.aiModels` (repository.models_by_service_ids): every one, by name."""
    model = models.AIModel.__table__.alias()
    return Rows(model, model.c.service_id == service.c.id, order_by=(model.c.name, model.c.id))


def _attention_of(service: FromClause, parameters: Parameters) -> ColumnElement[bool]:
    """`Service.aiModelsAttention` (repository.attention_by_service_ids)."""
    table = models.AIModel
    return (
        select(table.id)
        .where(table.service_id == service.c.id, repository.attention(parameters.now))
        .correlate_except(models.AIModel.__table__)
        .exists()
    )


declare_sql(
    "AIModel",
    {
        "id": GlobalId("AIModel"),
        "name": Column("name"),
        "purpose": Column("purpose"),
        "learnsFromLiveData": Column("learns_from_live_data"),
        "inputClassification": Column("input_classification"),
        "status": Column("status"),
        "evaluationCadenceDays": Column("evaluation_cadence_days"),
        "version": Column("version"),
        "createdAt": Column("created_at"),
        "updatedAt": Column("updated_at"),
        **REVIEW_SQL,
        "service": Relation("Service", _service_of),
        "ownerPerson": Relation("Person", _owner_person_of),
        "latestEvaluations": Relation("Evaluation", _latest_evaluations, many=True),
        "overdue": Computed(_overdue_sql),
        "failing": Computed(_failing_sql),
    },
)
declare_sql(
    "Evaluation",
    {
        "id": GlobalId("Evaluation"),
        "kind": Column("kind"),
        "metric": Column("metric"),
        "comparator": Column("comparator"),
        "threshold": Column("threshold"),
        "value": Column("value"),
        "passed": Column("passed"),
        "datasetRef": Column("dataset_ref"),
        "evaluatedAt": Column("evaluated_at"),
        "evaluator": Column("evaluator"),
    },
)
# Fields of `Service` (fields.py), declared here beside the type they list.
declare_sql(
    "Service",
    {
        "aiModels": Relation("AIModel", _models_of, many=True),
        "aiModelsAttention": Computed(_attention_of),
    },
)
register_node("AIModel", models.AIModel, AIModel.from_model)
register_node("Evaluation", models.Evaluation, Evaluation.from_model)
