"""Business rules of the AI-model register: register, change, move through the life cycle,
record evaluations (the model's owner person, the service's owner team, or an ADMIN)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, literal
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.ai_models import attention, repository
from catalog.ai_models.errors import EvaluationRequired, InvalidTransition
from catalog.ai_models.models import (
    AIModel,
    AIModelStatus,
    Evaluation,
    EvaluationComparator,
    EvaluationKind,
)
from catalog.permissions import require_ai_model_editor, require_service_editor
from catalog.services import actions as services
from catalog.services.models import DataClassification
from core.clock import utcnow
from core.errors import DomainError, DomainErrors, Duplicate, Invalid, NotFound, Required
from core.events import EvaluationsRecorded, publish
from core.records import apply_changes, check_version, require_found
from core.repository import get_by_id
from core.validation import optional_text, text_field
from identity.models import Person
from identity.principal import Principal

MAX_CADENCE_DAYS = 366
# A clock a little ahead of ours is not the future.
CLOCK_SKEW = timedelta(minutes=5)

TRANSITIONS: dict[AIModelStatus, frozenset[AIModelStatus]] = {
    AIModelStatus.PROPOSED: frozenset({AIModelStatus.APPROVED, AIModelStatus.RETIRED}),
    AIModelStatus.APPROVED: frozenset({AIModelStatus.SUSPENDED, AIModelStatus.RETIRED}),
    AIModelStatus.SUSPENDED: frozenset({AIModelStatus.APPROVED, AIModelStatus.RETIRED}),
    AIModelStatus.RETIRED: frozenset(),
}

UNIQUE_KEYS: dict[str, DomainError] = {
    "uq_ai_model_service_id_name": Duplicate(
        "the service already has a model of this name", field=["name"]
    ),
}


def _checked(fields: dict[str, Any]) -> dict[str, Any]:
    checked = dict(fields)
    if "name" in fields:
        checked["name"] = text_field(fields["name"], field="name", max_length=200)
    if "purpose" in fields:
        checked["purpose"] = optional_text(fields["purpose"], field="purpose", max_length=4000)
        checked["purpose"] = checked["purpose"] or ""
    if "input_classification" in fields:
        checked["input_classification"] = DataClassification(fields["input_classification"])
    if "evaluation_cadence_days" in fields:
        days = fields["evaluation_cadence_days"]
        if not 1 <= days <= MAX_CADENCE_DAYS:
            raise Invalid(
                f"evaluationCadenceDays is from 1 to {MAX_CADENCE_DAYS}",
                field=["evaluationCadenceDays"],
            )
    if "review_interval_days" in fields and not 1 <= fields["review_interval_days"] <= 3660:
        raise Invalid("reviewIntervalDays is from 1 to 3660", field=["reviewIntervalDays"])
    return checked


async def _check_owner(session: AsyncSession, owner_person_id: uuid.UUID | None) -> None:
    if owner_person_id is None:
        return
    person = await get_by_id(session, Person, owner_person_id)
    if person is None or not person.active:
        raise NotFound("no such active person", field=["ownerPersonId"])


async def _refuse_duplicate_name(
    session: AsyncSession, service_id: uuid.UUID, name: str, model_id: uuid.UUID | None
) -> None:
    if await repository.name_taken(session, service_id, name, other_than=model_id):
        raise Duplicate(f"the service already has a model named {name!r}", field=["name"])


async def create_ai_model(
    session: AsyncSession,
    *,
    principal: Principal,
    service_id: uuid.UUID,
    fields: dict[str, Any],
) -> AIModel:
    """Register a model a service uses (the service's owner team); it starts PROPOSED."""
    service = await services.get_service(session, service_id)
    if service is None or service.archived_at is not None:
        raise NotFound("no such service", field=["serviceId"])
    require_service_editor(principal, service.owner_team_id)
    checked = _checked(fields)
    await _check_owner(session, checked.get("owner_person_id"))
    await _refuse_duplicate_name(session, service.id, checked["name"], None)
    model = AIModel(id=uuid.uuid4(), service_id=service.id, **checked)
    session.add(model)
    await session.flush()
    return model


async def _editable(session: AsyncSession, principal: Principal, model_id: uuid.UUID) -> AIModel:
    model = require_found(await repository.get_for_change(session, model_id), what="AI model")
    require_ai_model_editor(
        principal,
        owner_team_id=model.service.owner_team_id,
        owner_person_id=model.owner_person_id,
    )
    return model


async def update_ai_model(
    session: AsyncSession,
    *,
    principal: Principal,
    model_id: uuid.UUID,
    version: int,
    changes: dict[str, Any],
) -> AIModel:
    """Change a model's description, owner, inputs or cadence (not its status)."""
    model = await _editable(session, principal, model_id)
    check_version(model, version)
    checked = _checked(changes)
    if "owner_person_id" in checked:
        await _check_owner(session, checked["owner_person_id"])
    if "name" in checked:
        await _refuse_duplicate_name(session, model.service_id, checked["name"], model.id)
    apply_changes(model, checked)
    await session.flush()
    return model


async def _refuse_unevaluated_approval(session: AsyncSession, model: AIModel) -> None:
    latest = await repository.latest_by_model_ids(session, [model.id])
    missing = attention.missing_for_approval(
        cadence_days=model.evaluation_cadence_days,
        latest=[_latest(item) for item in latest.get(model.id, [])],
        now=utcnow(),
    )
    if missing:
        kinds = " and ".join(kind.value for kind in missing)
        raise EvaluationRequired(
            f"approval needs a passing {kinds} evaluation within the last"
            f" {model.evaluation_cadence_days} days",
            field=["status"],
        )


async def transition_ai_model(
    session: AsyncSession,
    *,
    principal: Principal,
    model_id: uuid.UUID,
    version: int,
    status: AIModelStatus,
) -> AIModel:
    """Move a model through PROPOSED -> APPROVED <-> SUSPENDED -> RETIRED; approval needs
    passing ACCURACY and FAIRNESS evaluations within the cadence."""
    model = await _editable(session, principal, model_id)
    check_version(model, version)
    allowed = TRANSITIONS[model.status]
    if status not in allowed:
        nexts = ", ".join(sorted(item.value for item in allowed)) or "none: it is final"
        raise InvalidTransition(
            f"a {model.status.value} model cannot become {status.value} (next: {nexts})",
            field=["status"],
        )
    if status is AIModelStatus.APPROVED:
        await _refuse_unevaluated_approval(session, model)
    model.status = status
    await session.flush()
    return model


async def models_needing_attention(
    session: AsyncSession, *, service_ids: Sequence[uuid.UUID]
) -> int:
    """How many models of these services are overdue or failing (RETIRED ones aside)."""
    now = literal(utcnow(), DateTime(timezone=True))
    return await repository.count_attention(session, service_ids, now)


async def confirm_ai_model_review(
    session: AsyncSession, *, principal: Principal, model_id: uuid.UUID
) -> AIModel:
    """Record an owner review of the model's entry: it is fresh again."""
    model = await _editable(session, principal, model_id)
    model.last_reviewed_at = utcnow()
    await session.flush()
    return model


def _latest(evaluation: Evaluation) -> attention.Latest:
    return attention.Latest(evaluation.kind, evaluation.evaluated_at, evaluation.passed)


@dataclass(frozen=True)
class EvaluationSpec:
    """An evaluation as given; `threshold` None is refused (REQUIRED), as is a value or a
    threshold outside the kind's range."""

    kind: EvaluationKind
    metric: str
    threshold: float | None
    value: float
    comparator: EvaluationComparator | None = None
    dataset_ref: str | None = None
    evaluated_at: datetime | None = None
    evaluator: str | None = None


def evaluation_errors(
    spec: EvaluationSpec, *, now: datetime, where: list[str] | None = None
) -> list[DomainError]:
    """Everything wrong with an evaluation, each on its field (under `where`)."""
    at = where or []
    errors: list[DomainError] = []
    if not spec.metric.strip():
        errors.append(Required("metric must not be empty", field=[*at, "metric"]))
    elif len(spec.metric.strip()) > 100:
        errors.append(Invalid("metric is at most 100 characters", field=[*at, "metric"]))
    bounds = attention.range_text(spec.kind)
    if not attention.in_range(spec.kind, spec.value):
        errors.append(Invalid(f"a {spec.kind.value} value is {bounds}", field=[*at, "value"]))
    if spec.threshold is None:
        errors.append(Required("an evaluation needs its threshold", field=[*at, "threshold"]))
    elif not attention.in_range(spec.kind, spec.threshold):
        errors.append(
            Invalid(f"a {spec.kind.value} threshold is {bounds}", field=[*at, "threshold"])
        )
    if spec.evaluated_at is not None and (
        spec.evaluated_at.tzinfo is None or spec.evaluated_at > now + CLOCK_SKEW
    ):
        errors.append(
            Invalid("evaluatedAt is a past time with an offset", field=[*at, "evaluatedAt"])
        )
    if spec.dataset_ref is not None and len(spec.dataset_ref) > 500:
        errors.append(Invalid("datasetRef is at most 500 characters", field=[*at, "datasetRef"]))
    if spec.evaluator is not None and len(spec.evaluator) > 200:
        errors.append(Invalid("evaluator is at most 200 characters", field=[*at, "evaluator"]))
    return errors


def new_evaluation(
    model_id: uuid.UUID, spec: EvaluationSpec, *, principal: Principal, now: datetime
) -> Evaluation:
    """The stored evaluation of a checked spec; `passed` is computed, never given."""
    assert spec.threshold is not None
    comparator = spec.comparator or attention.DEFAULT_COMPARATORS[spec.kind]
    return Evaluation(
        id=uuid.uuid4(),
        model_id=model_id,
        kind=spec.kind,
        metric=spec.metric.strip(),
        comparator=comparator,
        threshold=spec.threshold,
        value=spec.value,
        passed=attention.passes(comparator, spec.value, spec.threshold),
        dataset_ref=(spec.dataset_ref or "").strip() or None,
        evaluated_at=spec.evaluated_at or now,
        evaluator=(spec.evaluator or "").strip() or principal.actor,
    )


async def record_evaluation(
    session: AsyncSession, *, principal: Principal, model_id: uuid.UUID, spec: EvaluationSpec
) -> Evaluation:
    """Record one evaluation of a model; whether it passed follows from its comparator."""
    model = await _editable(session, principal, model_id)
    if model.status is AIModelStatus.RETIRED:
        raise Invalid("a RETIRED model takes no evaluations", field=["modelId"])
    now = utcnow()
    errors = evaluation_errors(spec, now=now)
    if errors:
        raise DomainErrors(errors)
    evaluation = new_evaluation(model.id, spec, principal=principal, now=now)
    session.add(evaluation)
    await session.flush()
    await publish(session, EvaluationsRecorded((evaluation.id,)))
    return evaluation
