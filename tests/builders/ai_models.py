"""Builders for AI models and their evaluations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.ai_models.attention import DEFAULT_COMPARATORS, passes
from catalog.ai_models.models import AIModel, Evaluation, EvaluationKind
from catalog.services.models import DataClassification
from core.clock import utcnow
from tests.builders.catalog import create_service
from tests.builders.kit import add, number


async def create_ai_model(session: AsyncSession, **overrides: Any) -> AIModel:
    if "service_id" not in overrides:
        overrides["service_id"] = (await create_service(session)).id
    values = {
        "name": f"Model {number()}",
        "purpose": "Ranks things",
        "input_classification": DataClassification.INTERNAL,
        **overrides,
    }
    return await add(session, AIModel(**values))


async def add_evaluation(
    session: AsyncSession,
    model: AIModel,
    kind: EvaluationKind,
    *,
    value: float,
    threshold: float,
    at: datetime | None = None,
    **overrides: Any,
) -> Evaluation:
    comparator = overrides.pop("comparator", DEFAULT_COMPARATORS[kind])
    values = {
        "id": uuid.uuid4(),
        "model_id": model.id,
        "kind": kind,
        "metric": kind.value.lower(),
        "comparator": comparator,
        "threshold": threshold,
        "value": value,
        "passed": passes(comparator, value, threshold),
        "evaluated_at": at or utcnow(),
        "evaluator": "test",
        **overrides,
    }
    return await add(session, Evaluation(**values))
