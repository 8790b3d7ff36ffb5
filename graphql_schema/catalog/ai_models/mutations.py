"""Mutations of the AI-model register: register, change, move, evaluate (one or many)."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.ai_models import actions, evaluation_import
from catalog.ai_models.models import AIModel as AIModelModel
from catalog.ai_models.models import AIModelStatus
from core.row_import import RowFormat
from graphql_schema.catalog.ai_models.inputs import (
    CreateAIModelInput,
    ImportEvaluationsInput,
    RecordEvaluationInput,
    TransitionAIModelInput,
    UpdateAIModelInput,
)
from graphql_schema.catalog.ai_models.payloads import (
    AIModelPayload,
    ImportEvaluationsPayload,
    RecordEvaluationPayload,
)
from graphql_schema.catalog.ai_models.types import AIModel, Evaluation
from graphql_schema.catalog.reviews.mutations import register_reviewable
from graphql_schema.context import Info
from graphql_schema.errors import UserError
from graphql_schema.input_fields import provided, refuse_nulls
from graphql_schema.mutation_runner import Arguments, CustomPayload, ObjectPayload, mutation
from graphql_schema.node import decode_id
from identity.principal import Principal, Role

AI_MODEL = ObjectPayload(AIModelPayload, "ai_model", AIModel)
EVALUATION = ObjectPayload(RecordEvaluationPayload, "evaluation", Evaluation)
_REQUIRED = (
    "name",
    "learns_from_live_data",
    "input_classification",
    "evaluation_cadence_days",
    "review_interval_days",
)


def _fields(given: dict[str, Any]) -> dict[str, Any]:
    fields = dict(given)
    if fields.get("owner_person_id") is not None:
        fields["owner_person_id"] = decode_id(
            fields["owner_person_id"], "Person", field="ownerPersonId"
        )
    return fields


async def _imported(
    info: Info, input: ImportEvaluationsInput, created: int | None, errors: list[UserError]
) -> ImportEvaluationsPayload:
    return ImportEvaluationsPayload(created=created, user_errors=errors)


# Ownership (the model's owner person, the service's owner team, ADMIN) is the actions'.
EDITORS = (Role.CONTRIBUTOR,)


@strawberry.type
class AIModelMutation:
    @mutation(
        "Register an AI model a service uses (its owner team or an ADMIN); it starts PROPOSED.",
        permission=Role.TEAM_MEMBER,
        action=actions.create_ai_model,
        payload=AI_MODEL,
        constraints=actions.UNIQUE_KEYS,
        name="createAIModel",
    )
    def create_ai_model(self, input: CreateAIModelInput) -> Arguments:
        return {
            "service_id": decode_id(input.service_id, "Service", field="serviceId"),
            "fields": _fields(provided(input, exclude=("service_id",))),
        }

    @mutation(
        "Change an AI model (its owner person, the service's owner team or an ADMIN).",
        permission=EDITORS,
        action=actions.update_ai_model,
        payload=AI_MODEL,
        constraints=actions.UNIQUE_KEYS,
        name="updateAIModel",
    )
    def update_ai_model(self, input: UpdateAIModelInput) -> Arguments:
        given = provided(input)
        refuse_nulls(given, *_REQUIRED)
        return {
            "model_id": decode_id(input.id, "AIModel", field="id"),
            "version": input.version,
            "changes": _fields(given),
        }

    @mutation(
        "Move an AI model through its life cycle; APPROVED needs a passing ACCURACY and"
        " FAIRNESS evaluation within the cadence (else EVALUATION_REQUIRED).",
        permission=EDITORS,
        action=actions.transition_ai_model,
        payload=AI_MODEL,
        name="transitionAIModel",
    )
    def transition_ai_model(self, input: TransitionAIModelInput) -> Arguments:
        return {
            "model_id": decode_id(input.id, "AIModel", field="id"),
            "version": input.version,
            "status": AIModelStatus(input.status),
        }

    @mutation(
        "Record an evaluation of an AI model; whether it passed follows from its comparator.",
        permission=EDITORS,
        action=actions.record_evaluation,
        payload=EVALUATION,
    )
    def record_evaluation(self, input: RecordEvaluationInput) -> Arguments:
        return {
            "model_id": decode_id(input.model_id, "AIModel", field="modelId"),
            "spec": actions.EvaluationSpec(
                kind=input.kind,
                metric=input.metric,
                threshold=input.threshold,
                value=input.value,
                comparator=input.comparator,
                dataset_ref=input.dataset_ref,
                evaluated_at=input.evaluated_at,
                evaluator=input.evaluator,
            ),
        }

    @mutation(
        "Import evaluations from CSV, JSON Lines or JSON: every row is stored, or none (each"
        " bad row is listed).",
        permission=EDITORS,
        action=evaluation_import.import_evaluations,
        payload=CustomPayload(ImportEvaluationsPayload, _imported),
    )
    def import_evaluations(self, input: ImportEvaluationsInput) -> Arguments:
        return {"format": RowFormat(input.format), "content": input.content}


async def _confirm(
    session: AsyncSession, principal: Principal, model_id: uuid.UUID
) -> AIModelModel:
    return await actions.confirm_ai_model_review(session, principal=principal, model_id=model_id)


register_reviewable("AIModel", confirm=_confirm, convert=AIModel.from_model)
