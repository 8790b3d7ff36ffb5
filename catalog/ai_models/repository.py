"""Every SQL statement of the AI-model register, the read path's batch methods included.

`attention` is the SQL twin of attention.py's `is_overdue or is_failing` (a test holds
them to the same answers): filters and `Service.aiModelsAttention` use it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Uuid,
    and_,
    any_,
    bindparam,
    exists,
    func,
    not_,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY, distinct_on
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.interfaces import ORMOption

from catalog.ai_models.models import AIModel, AIModelStatus, Evaluation, EvaluationKind
from catalog.services.models import Service


def _latest_at(kind: EvaluationKind) -> ColumnElement[Any]:
    return (
        select(func.max(Evaluation.evaluated_at))
        .where(Evaluation.model_id == AIModel.id, Evaluation.kind == kind)
        .scalar_subquery()
    )


def overdue(now: ColumnElement[Any]) -> ColumnElement[bool]:
    """A required kind's latest evaluation (else the model's creation) is older than the
    cadence; DRIFT is required of models learning from live data."""
    limit = now - func.make_interval(0, 0, 0, AIModel.evaluation_cadence_days)

    def stale(kind: EvaluationKind) -> ColumnElement[bool]:
        return func.coalesce(_latest_at(kind), AIModel.created_at) < limit

    return or_(
        stale(EvaluationKind.ACCURACY),
        stale(EvaluationKind.FAIRNESS),
        and_(AIModel.learns_from_live_data, stale(EvaluationKind.DRIFT)),
    )


def _later(evaluation: Any) -> ColumnElement[bool]:
    """A later evaluation of the same model and kind exists."""
    later = aliased(Evaluation)
    return exists().where(
        later.model_id == evaluation.model_id,
        later.kind == evaluation.kind,
        tuple_(later.evaluated_at, later.created_at, later.id)
        > tuple_(evaluation.evaluated_at, evaluation.created_at, evaluation.id),
    )


def failing() -> ColumnElement[bool]:
    """The latest evaluation of some kind failed."""
    evaluation = aliased(Evaluation)
    return exists().where(
        evaluation.model_id == AIModel.id,
        not_(evaluation.passed),
        not_(_later(evaluation)),
    )


def attention(now: ColumnElement[Any]) -> ColumnElement[bool]:
    """Overdue or failing, and not RETIRED."""
    return and_(AIModel.status != AIModelStatus.RETIRED, or_(overdue(now), failing()))


def models_query(
    *,
    now: ColumnElement[Any],
    service_id: uuid.UUID | None = None,
    status: AIModelStatus | None = None,
    attention_only: bool | None = None,
) -> Select[AIModel]:
    """Models of live services, filtered; the page orders them."""
    statement = (
        select(AIModel)
        .join(Service, Service.id == AIModel.service_id)
        .where(Service.archived_at.is_(None))
    )
    if service_id is not None:
        statement = statement.where(AIModel.service_id == service_id)
    if status is not None:
        statement = statement.where(AIModel.status == status)
    if attention_only is not None:
        flagged = attention(now)
        statement = statement.where(flagged if attention_only else not_(flagged))
    return statement


def stale_models_query(now: ColumnElement[Any]) -> Select[AIModel]:
    """Models of live services, not RETIRED, whose last owner review is older than their
    interval (never reviewed counts from creation), as `Reviewable.stale` says: exact days
    of 24 hours."""
    reviewed = func.coalesce(AIModel.last_reviewed_at, AIModel.created_at)
    due = reviewed + func.make_interval(0, 0, 0, 0, AIModel.review_interval_days * 24)
    return models_query(now=now).where(AIModel.status != AIModelStatus.RETIRED, due < now)


def evaluations_query(model_id: uuid.UUID, kind: EvaluationKind | None) -> Select[Evaluation]:
    statement = select(Evaluation).where(Evaluation.model_id == model_id)
    if kind is not None:
        statement = statement.where(Evaluation.kind == kind)
    return statement


async def get_for_change(session: AsyncSession, model_id: uuid.UUID) -> AIModel | None:
    """The model with its service (whose owner team may change it)."""
    return await session.scalar(
        select(AIModel)
        .where(AIModel.id == model_id)
        .options(joinedload(AIModel.service))
        .execution_options(populate_existing=True)
    )


async def models_for_change(
    session: AsyncSession, model_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, AIModel]:
    rows = await session.scalars(
        select(AIModel).where(AIModel.id.in_(list(model_ids))).options(joinedload(AIModel.service))
    )
    return {model.id: model for model in rows}


async def models_by_service_and_name(
    session: AsyncSession, pairs: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], AIModel]:
    """Models named `(service slug, model name)`, with their services (one statement)."""
    if not pairs:
        return {}
    rows = await session.scalars(
        select(AIModel)
        .join(Service, Service.id == AIModel.service_id)
        .where(tuple_(Service.slug, AIModel.name).in_(list(set(pairs))))
        .options(joinedload(AIModel.service))
    )
    return {(model.service.slug, model.name): model for model in rows}


async def name_taken(
    session: AsyncSession, service_id: uuid.UUID, name: str, *, other_than: uuid.UUID | None
) -> bool:
    statement = select(AIModel.id).where(AIModel.service_id == service_id, AIModel.name == name)
    if other_than is not None:
        statement = statement.where(AIModel.id != other_than)
    return await session.scalar(statement.limit(1)) is not None


async def latest_by_model_ids(
    session: AsyncSession, model_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Evaluation]]:
    """The latest evaluation of each kind of each model, by kind (one statement)."""
    rows = await session.scalars(
        select(Evaluation)
        .where(Evaluation.model_id.in_(list(model_ids)))
        .ext(distinct_on(Evaluation.model_id, Evaluation.kind))
        .order_by(
            Evaluation.model_id,
            Evaluation.kind,
            Evaluation.evaluated_at.desc(),
            Evaluation.created_at.desc(),
            Evaluation.id.desc(),
        )
    )
    found: dict[uuid.UUID, list[Evaluation]] = {}
    for evaluation in rows:
        found.setdefault(evaluation.model_id, []).append(evaluation)
    return found


async def models_by_service_ids(
    session: AsyncSession, service_ids: Sequence[uuid.UUID], options: Sequence[ORMOption] = ()
) -> dict[uuid.UUID, list[AIModel]]:
    """Each service's models, by name (one statement, and one per relation in `options`)."""
    rows = await session.scalars(
        select(AIModel)
        .where(AIModel.service_id.in_(list(service_ids)))
        .options(*options)
        .order_by(AIModel.name, AIModel.id)
    )
    found: dict[uuid.UUID, list[AIModel]] = {}
    for model in rows:
        found.setdefault(model.service_id, []).append(model)
    return found


async def attention_by_service_ids(
    session: AsyncSession, service_ids: Sequence[uuid.UUID], now: ColumnElement[Any]
) -> dict[uuid.UUID, bool]:
    """Whether any model of each service needs attention (one statement)."""
    rows = await session.scalars(
        select(AIModel.service_id)
        .where(AIModel.service_id.in_(list(service_ids)), attention(now))
        .distinct()
    )
    return dict.fromkeys(rows, True)


async def count_attention(
    session: AsyncSession, service_ids: Sequence[uuid.UUID], now: ColumnElement[Any]
) -> int:
    """How many models of these services need attention (one statement, any number of ids)."""
    ids = bindparam("service_ids", list(service_ids), type_=ARRAY(Uuid()))
    found = await session.scalar(
        select(func.count()).where(AIModel.service_id == any_(ids), attention(now))
    )
    return int(found or 0)
