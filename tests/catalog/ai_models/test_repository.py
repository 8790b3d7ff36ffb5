"""The SQL attention filter answers as the pure rules do."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import DateTime

from catalog.ai_models import repository
from catalog.ai_models.attention import Latest, is_failing, is_overdue
from catalog.ai_models.models import AIModel, AIModelStatus, EvaluationKind
from core.clock import utcnow
from tests.builders.ai_models import add_evaluation, create_ai_model
from tests.builders.catalog import create_service

ACCURACY, FAIRNESS, DRIFT = EvaluationKind.ACCURACY, EvaluationKind.FAIRNESS, EvaluationKind.DRIFT


async def test_sql_attention_agrees_with_the_pure_rules(session: AsyncSession) -> None:
    now = utcnow()
    old = now - timedelta(days=200)
    service = await create_service(session)
    young = await create_ai_model(session, service_id=service.id, name="young")
    unevaluated = await create_ai_model(
        session, service_id=service.id, name="unevaluated", created_at=old
    )
    current = await create_ai_model(session, service_id=service.id, name="current", created_at=old)
    for kind in (ACCURACY, FAIRNESS):
        await add_evaluation(session, current, kind, value=0.9, threshold=0.8)
    failing = await create_ai_model(session, service_id=service.id, name="failing")
    await add_evaluation(
        session, failing, FAIRNESS, value=0.5, threshold=0.8, at=now - timedelta(days=2)
    )
    await add_evaluation(session, failing, FAIRNESS, value=0.7, threshold=0.8)
    recovered = await create_ai_model(session, service_id=service.id, name="recovered")
    await add_evaluation(
        session, recovered, ACCURACY, value=0.5, threshold=0.8, at=now - timedelta(days=2)
    )
    await add_evaluation(session, recovered, ACCURACY, value=0.9, threshold=0.8)
    drifting = await create_ai_model(
        session, service_id=service.id, name="drifting", created_at=old, learns_from_live_data=True
    )
    for kind in (ACCURACY, FAIRNESS):
        await add_evaluation(session, drifting, kind, value=0.9, threshold=0.8)
    retired = await create_ai_model(
        session, service_id=service.id, name="retired", created_at=old, status=AIModelStatus.RETIRED
    )
    models = [young, unevaluated, current, failing, recovered, drifting, retired]

    latest = await repository.latest_by_model_ids(session, [model.id for model in models])
    by_python = {}
    for model in models:
        found = [Latest(e.kind, e.evaluated_at, e.passed) for e in latest.get(model.id, [])]
        overdue = is_overdue(
            status=model.status,
            created_at=model.created_at,
            cadence_days=model.evaluation_cadence_days,
            learns_from_live_data=model.learns_from_live_data,
            latest=found,
            now=now,
        )
        by_python[model.name] = overdue or is_failing(status=model.status, latest=found)
    flagged = list(
        await session.scalars(
            select(AIModel.name).where(
                AIModel.service_id == service.id,
                repository.attention(literal(now, DateTime(timezone=True))),
            )
        )
    )

    assert sorted(flagged) == sorted(name for name, flag in by_python.items() if flag)
    assert by_python == {
        "young": False,
        "unevaluated": True,
        "current": False,
        "failing": True,
        "recovered": False,
        "drifting": True,
        "retired": False,
    }
    assert await repository.attention_by_service_ids(
        session, [service.id], literal(now, DateTime(timezone=True))
    ) == {service.id: True}
