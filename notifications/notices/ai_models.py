"""AI_MODEL_ATTENTION: a model whose latest evaluation of a kind failed, or whose required
evaluation is overdue; to the channels of its service and to its owner by email."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import ScalarSelect, and_, exists, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from catalog.ai_models.attention import required_kinds
from catalog.ai_models.models import AIModel, AIModelStatus, Evaluation, EvaluationKind
from catalog.services.models import Service
from identity.models import Person
from notifications.models import NotificationEvent
from notifications.notices.ids import global_id, when
from notifications.outbox import Notice, Recipient


def _owner(email: str | None, person_id: uuid.UUID | None) -> tuple[Recipient, ...]:
    return (Recipient(email, person_id),) if email else ()


def _attention(
    model: AIModel,
    service_name: str,
    owner: tuple[Recipient, ...],
    *,
    key: str,
    at: datetime,
    reason: str,
    title: str,
    line: str,
    **data: object,
) -> Notice:
    return Notice(
        event=NotificationEvent.AI_MODEL_ATTENTION,
        key=key,
        occurred_at=at,
        data={
            "modelId": global_id("AIModel", model.id),
            "serviceId": global_id("Service", model.service_id),
            "reason": reason,
            **data,
        },
        title=title,
        lines=(f"Service: {service_name}", line),
        service_ids=(model.service_id,),
        recipients=owner,
    )


async def failing_notices(
    session: AsyncSession, evaluation_ids: Sequence[uuid.UUID]
) -> list[Notice]:
    """A notice per recorded evaluation that failed and is its model's latest of its kind, the
    model not RETIRED (one statement)."""
    if not evaluation_ids:
        return []
    later = aliased(Evaluation)
    superseded = exists().where(
        later.model_id == Evaluation.model_id,
        later.kind == Evaluation.kind,
        tuple_(later.evaluated_at, later.created_at, later.id)
        > tuple_(Evaluation.evaluated_at, Evaluation.created_at, Evaluation.id),
    )
    active_owner = and_(Person.id == AIModel.owner_person_id, Person.active)
    rows = await session.execute(
        select(Evaluation, AIModel, Service.name, Person.email, Person.id)
        .join(AIModel, AIModel.id == Evaluation.model_id)
        .join(Service, Service.id == AIModel.service_id)
        .outerjoin(Person, active_owner)
        .where(
            Evaluation.id.in_(list(evaluation_ids)),
            Evaluation.passed.is_(False),
            AIModel.status != AIModelStatus.RETIRED,
            ~superseded,
        )
        .order_by(Evaluation.evaluated_at, Evaluation.id)
    )
    return [
        _attention(
            model,
            service_name,
            _owner(email, person_id),
            key=f"ai-model:{model.id}:failing:{evaluation.id}",
            at=evaluation.evaluated_at,
            reason="FAILING",
            title=f"AI model failing its {evaluation.kind} evaluation: {model.name}",
            line=(
                f"{evaluation.metric}: {evaluation.value:g}, threshold {evaluation.threshold:g}"
                f" ({evaluation.comparator.replace('_', ' ').lower()})"
            ),
            evaluationId=global_id("Evaluation", evaluation.id),
            kind=str(evaluation.kind),
        )
        for evaluation, model, service_name, email, person_id in rows
    ]


def _latest(kind: EvaluationKind) -> ScalarSelect[datetime]:
    return (
        select(func.max(Evaluation.evaluated_at))
        .where(Evaluation.model_id == AIModel.id, Evaluation.kind == kind)
        .scalar_subquery()
    )


async def overdue_notices(session: AsyncSession, now: datetime) -> list[Notice]:
    """A notice per (model, required kind) whose evaluation is overdue at `now`, keyed by the
    day it fell due: one a day it stays overdue would repeat nothing (one statement)."""
    kinds = (EvaluationKind.ACCURACY, EvaluationKind.FAIRNESS, EvaluationKind.DRIFT)
    active_owner = and_(Person.id == AIModel.owner_person_id, Person.active)
    rows = await session.execute(
        select(AIModel, Service.name, Person.email, Person.id, *(_latest(kind) for kind in kinds))
        .join(Service, Service.id == AIModel.service_id)
        .outerjoin(Person, active_owner)
        .where(AIModel.status != AIModelStatus.RETIRED, Service.archived_at.is_(None))
        .order_by(AIModel.id)
    )
    notices = []
    for row in rows:
        model, service_name, email, person_id = row[0], row[1], row[2], row[3]
        last_of: dict[EvaluationKind, datetime | None] = dict(zip(kinds, row[4:], strict=True))
        for kind in required_kinds(model.learns_from_live_data):
            last = last_of[kind] or model.created_at
            due_at = last + timedelta(days=model.evaluation_cadence_days)
            if due_at >= now:
                continue
            due_on: date = due_at.date()
            notices.append(
                _attention(
                    model,
                    service_name,
                    _owner(email, person_id),
                    key=f"ai-model:{model.id}:overdue:{kind}:{due_on.isoformat()}",
                    at=due_at,
                    reason="OVERDUE",
                    title=f"AI model overdue for its {kind} evaluation: {model.name}",
                    line=f"Due {when(due_at)} (every {model.evaluation_cadence_days} days)",
                    kind=kind.value,
                    dueOn=due_on.isoformat(),
                )
            )
    return notices
