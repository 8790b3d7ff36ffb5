"""The demo's AI models: one per AI-using service, with a quarter of evaluations.

Einstein Lead Scoring's model is APPROVED and evaluated monthly, but its latest FAIRNESS
evaluation failed (failing); the support chat bot's intent model, which learns from live
chats, was last evaluated two months ago on a 30-day cadence (overdue). Both flag their
service (`Service.aiModelsAttention`) and the organisation's `kpiSummary`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.ai_models.actions import EvaluationSpec, new_evaluation
from catalog.ai_models.models import AIModel, AIModelStatus, EvaluationKind
from catalog.services.models import DataClassification
from server.demo.kit import SEED_PRINCIPAL, Tally

ACCURACY, FAIRNESS, DRIFT = EvaluationKind.ACCURACY, EvaluationKind.FAIRNESS, EvaluationKind.DRIFT


@dataclass(frozen=True)
class DemoEvaluation:
    days_ago: int
    kind: EvaluationKind
    metric: str
    threshold: float
    value: float


@dataclass(frozen=True)
class DemoModel:
    service: str
    name: str
    purpose: str
    owner: str
    learns_from_live_data: bool
    status: AIModelStatus
    cadence_days: int
    created_days_ago: int
    evaluations: tuple[DemoEvaluation, ...]


def _monthly(kind: EvaluationKind, metric: str, threshold: float, values: tuple[float, ...],
             *, last_days_ago: int) -> tuple[DemoEvaluation, ...]:  # fmt: skip
    """One evaluation a month, the last `last_days_ago` days ago."""
    count = len(values)
    return tuple(
        DemoEvaluation(last_days_ago + 30 * (count - 1 - i), kind, metric, threshold, value)
        for i, value in enumerate(values)
    )


MODELS = (
    DemoModel(
        "einstein-lead-scoring",
        "Lead scoring model",
        "Scores inbound leads 0-100 from firmographics and engagement; orders the inside"
        " sales work queue.",
        "priya.raman",
        learns_from_live_data=False,
        status=AIModelStatus.APPROVED,
        cadence_days=45,
        created_days_ago=120,
        evaluations=(
            *_monthly(ACCURACY, "auc", 0.8, (0.86, 0.87, 0.88), last_days_ago=5),
            *_monthly(FAIRNESS, "disparate_impact_ratio", 0.8, (0.91, 0.88, 0.74), last_days_ago=5),
        ),
    ),
    DemoModel(
        "einstein-bots",
        "Support chat intent model",
        "Recognises order-status and password questions in chat before handing over to an agent.",
        "kenji.watanabe",
        learns_from_live_data=True,
        status=AIModelStatus.PROPOSED,
        cadence_days=30,
        created_days_ago=100,
        evaluations=(
            *_monthly(ACCURACY, "intent_accuracy", 0.85, (0.87, 0.9), last_days_ago=60),
            *_monthly(FAIRNESS, "language_parity_ratio", 0.8, (0.9, 0.92), last_days_ago=60),
            *_monthly(DRIFT, "psi", 0.2, (0.08, 0.11), last_days_ago=60),
        ),
    ),
)


async def _model(
    session: AsyncSession,
    demo: DemoModel,
    *,
    services: dict[str, uuid.UUID],
    people: dict[str, uuid.UUID],
    now: datetime,
    tally: Tally,
) -> None:
    service_id = services[demo.service]
    found = await session.scalar(
        select(AIModel.id).where(AIModel.service_id == service_id, AIModel.name == demo.name)
    )
    tally("ai_model", created=found is None)
    for _ in demo.evaluations:
        tally("ai_model_evaluation", created=found is None)
    if found is not None:
        return
    model = AIModel(
        id=uuid.uuid4(),
        service_id=service_id,
        name=demo.name,
        purpose=demo.purpose,
        owner_person_id=people[demo.owner],
        learns_from_live_data=demo.learns_from_live_data,
        input_classification=DataClassification.CONFIDENTIAL,
        status=demo.status,
        evaluation_cadence_days=demo.cadence_days,
        created_at=now - timedelta(days=demo.created_days_ago),
    )
    session.add(model)
    await session.flush()
    for item in demo.evaluations:
        spec = EvaluationSpec(
            kind=item.kind,
            metric=item.metric,
            threshold=item.threshold,
            value=item.value,
            dataset_ref=f"s3://ml-evals/{demo.service}/{item.kind.value.lower()}",
            evaluated_at=now - timedelta(days=item.days_ago),
            evaluator="ml-platform-ci",
        )
        session.add(new_evaluation(model.id, spec, principal=SEED_PRINCIPAL, now=now))
    await session.flush()


async def seed_demo_ai_models(
    session: AsyncSession,
    *,
    services: dict[str, uuid.UUID],
    people: dict[str, uuid.UUID],
    now: datetime,
    tally: Tally,
) -> None:
    for demo in MODELS:
        await _model(session, demo, services=services, people=people, now=now, tally=tally)
