"""AI_MODEL_ATTENTION: a model that starts failing an evaluation (when it is recorded) or falls
overdue for one (the daily job) notifies its service's channels and its owner, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catalog.ai_models.actions import EvaluationSpec, record_evaluation
from catalog.ai_models.models import EvaluationKind
from core.clock import utcnow
from core.ids import encode_global_id
from core.settings import Settings
from notifications.models import NotificationEvent
from server.jobs import JOBS
from server.jobs.daily_notices import notify_overdue_models
from tests.builders.ai_models import add_evaluation, create_ai_model
from tests.builders.identity import create_person
from tests.notifications.channel_builders import create_channel
from tests.notifications.producers import ADMIN, deliveries, job_context, wired

__all__ = ["wired"]
ATTENTION = [NotificationEvent.AI_MODEL_ATTENTION.value]


def _fairness(value: float) -> EvaluationSpec:
    return EvaluationSpec(kind=EvaluationKind.FAIRNESS, metric="parity", threshold=0.8, value=value)


@pytest.mark.usefixtures("wired")
async def test_a_failing_evaluation_notifies_the_channels_and_the_owner(
    session: AsyncSession,
) -> None:
    owner = await create_person(session, email="owner@example.test")
    model = await create_ai_model(session, owner_person_id=owner.id, name="Ranker")
    channel = await create_channel(session, events=ATTENTION, service_ids=[model.service_id])
    await create_channel(session, events=[NotificationEvent.SLA_BREACHED.value])

    await record_evaluation(session, principal=ADMIN, model_id=model.id, spec=_fairness(0.9))
    assert await deliveries(session) == []
    failed = await record_evaluation(
        session, principal=ADMIN, model_id=model.id, spec=_fairness(0.5)
    )

    found = await deliveries(session)
    assert {(item.channel_id, item.recipient) for item in found} == {
        (channel.id, None),
        (None, "owner@example.test"),
    }
    assert {item.event_key for item in found} == {f"ai-model:{model.id}:failing:{failed.id}"}
    assert found[0].body["type"] == "ai_model.attention"
    assert found[0].body["data"] == {
        "modelId": encode_global_id("AIModel", model.id),
        "serviceId": encode_global_id("Service", model.service_id),
        "reason": "FAILING",
        "evaluationId": encode_global_id("Evaluation", failed.id),
        "kind": "FAIRNESS",
    }
    assert found[0].message["title"] == "AI model failing its FAIRNESS evaluation: Ranker"


def test_overdue_models_are_checked_daily() -> None:
    assert JOBS["ai-model-attention"].every == timedelta(days=1)


async def test_a_model_overdue_is_notified_once_per_kind_and_due_date(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    settings: Settings,
) -> None:
    created = utcnow() - timedelta(days=100)
    model = await create_ai_model(session, created_at=created, evaluation_cadence_days=90)
    await add_evaluation(session, model, EvaluationKind.ACCURACY, value=0.9, threshold=0.8)
    fresh = await create_ai_model(session, evaluation_cadence_days=90)
    channel = await create_channel(session, events=ATTENTION)
    context = job_context(settings, engine, sessionmaker)

    await notify_overdue_models(context)
    await notify_overdue_models(context)

    [delivery] = [item for item in await deliveries(session) if item.channel_id == channel.id]
    due_on = (created + timedelta(days=90)).date().isoformat()
    assert delivery.event_key == f"ai-model:{model.id}:overdue:FAIRNESS:{due_on}"
    assert delivery.body["data"]["reason"] == "OVERDUE"
    assert delivery.body["data"]["dueOn"] == due_on
    assert str(fresh.id) not in delivery.event_key
