"""Importing evaluations from CSV, JSON Lines or a JSON list: every row checked, then all
stored or none (the measurement import's machinery, core/row_import.py).

Keys: `model,kind,metric,threshold,value,at[,comparator,dataset,evaluator]`. `model` is an
AIModel's global id or `<service slug>/<model name>`; `at` an ISO 8601 time with an offset;
`comparator` AT_LEAST or AT_MOST (by default AT_MOST for DRIFT, AT_LEAST otherwise). A bad
row refuses the import and every row's errors are listed on `["rows", "<i>", "<key>"]`,
starting with the line they are on in CSV and JSON Lines.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.ai_models import repository
from catalog.ai_models.actions import EvaluationSpec, evaluation_errors, new_evaluation
from catalog.ai_models.models import AIModel, AIModelStatus, EvaluationComparator, EvaluationKind
from catalog.permissions import require_ai_model_editor
from core import row_import
from core.clock import utcnow
from core.errors import AccessDenied, DomainError, DomainErrors, Invalid, NotFound, Required
from core.events import EvaluationsRecorded, publish
from core.ids import GlobalId, MalformedGlobalId
from core.row_import import RowFormat, RowShape, located
from core.text import escaped
from identity.principal import Principal

SHAPE = RowShape(
    ("model", "kind", "metric", "threshold", "value", "at"),
    ("comparator", "dataset", "evaluator"),
)

ModelRef = uuid.UUID | tuple[str, str]


@dataclass
class _Row:
    where: list[str]
    line: int | None
    model_ref: ModelRef | None = None
    spec: EvaluationSpec | None = None
    model: AIModel | None = None


def _model_ref(value: Any, where: list[str]) -> ModelRef:
    if not isinstance(value, str) or not value:
        raise Required(
            "model is a global id or <service slug>/<model name>", field=[*where, "model"]
        )
    try:
        decoded = GlobalId.decode(value)
    except MalformedGlobalId:
        slug, _, name = value.partition("/")
        if not slug or not name:
            raise Invalid(
                "model is a global id or <service slug>/<model name>", field=[*where, "model"]
            ) from None
        return slug, name.strip()
    if decoded.type_name != "AIModel":
        raise NotFound("no such AI model", field=[*where, "model"])
    return decoded.id


def _choice(value: Any, key: str, enum: Any, where: list[str]) -> Any:
    if value in (None, ""):
        raise Required(f"{key} is required", field=[*where, key])
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(item.value for item in enum)
        raise Invalid(
            f"unknown {key} {escaped(str(value))}; one of {allowed}", field=[*where, key]
        ) from None


def _at(value: Any, where: list[str]) -> datetime:
    if not isinstance(value, str) or not value:
        raise Required("at is an ISO 8601 time with an offset", field=[*where, "at"])
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"at {value!r} is not an ISO 8601 time", field=[*where, "at"]) from None


def _optional_text(value: Any, key: str, where: list[str]) -> str | None:
    if value is None or isinstance(value, str):
        return value or None
    raise Invalid(f"{key} must be text", field=[*where, key])


def _read(index: int, raw: row_import.RawRow, now: datetime) -> tuple[_Row, list[DomainError]]:
    row = _Row(where=["rows", str(index)], line=raw.line)
    errors: list[DomainError] = []
    fields = raw.fields
    if None in fields:
        errors.append(Invalid(f"the row does not match {SHAPE.header}", field=row.where))
        return row, errors
    unknown = sorted(escaped(str(key)) for key in fields if key not in SHAPE.keys)
    if unknown:
        message = f"unknown {', '.join(unknown)}; a row has {', '.join(sorted(SHAPE.keys))}"
        return row, [Invalid(message, field=row.where)]
    where = row.where
    readers: dict[str, Any] = {
        "model": lambda v: _model_ref(v, where),
        "kind": lambda v: _choice(v, "kind", EvaluationKind, where),
        "metric": lambda v: "" if v is None else str(v),
        "threshold": lambda v: (
            None if v in (None, "") else row_import.number_value(v, "threshold", where)
        ),
        "value": lambda v: row_import.number_value(v, "value", where),
        "at": lambda v: _at(v, where),
        "comparator": lambda v: (
            None if v in (None, "") else _choice(v, "comparator", EvaluationComparator, where)
        ),
        "dataset": lambda v: _optional_text(v, "dataset", where),
        "evaluator": lambda v: _optional_text(v, "evaluator", where),
    }
    parts: dict[str, Any] = {}
    for key, read in readers.items():
        try:
            parts[key] = read(row_import.text_value(fields, key, where))
        except DomainError as error:
            errors.append(error)
    row.model_ref = parts.get("model")
    if {"kind", "metric", "threshold", "value", "at", "comparator"} <= parts.keys():
        spec = EvaluationSpec(
            kind=parts["kind"],
            metric=parts["metric"],
            threshold=parts["threshold"],
            value=parts["value"],
            comparator=parts["comparator"],
            dataset_ref=parts["dataset"],
            evaluated_at=parts["at"],
            evaluator=parts["evaluator"],
        )
        wrong = evaluation_errors(spec, now=now, where=where)
        # The spec's names for two fields are the row's keys here.
        errors.extend(_renamed(error) for error in wrong)
        row.spec = None if wrong else spec
    return row, errors


_KEYS = {"evaluatedAt": "at", "datasetRef": "dataset"}


def _renamed(error: DomainError) -> DomainError:
    path = [_KEYS.get(part, part) for part in error.field or []]
    return DomainError(error.message, field=path, code=error.code)


async def _resolve_models(session: AsyncSession, rows: Sequence[_Row]) -> None:
    """Each row's model, by id or by service slug and name: two statements in all."""
    ids = [row.model_ref for row in rows if isinstance(row.model_ref, uuid.UUID)]
    pairs = [row.model_ref for row in rows if isinstance(row.model_ref, tuple)]
    by_id = await repository.models_for_change(session, list(set(ids)))
    by_name = await repository.models_by_service_and_name(session, pairs)
    for row in rows:
        ref = row.model_ref
        row.model = (
            by_id.get(ref) if isinstance(ref, uuid.UUID) else by_name.get(ref) if ref else None
        )


def _require_editor(principal: Principal, rows: Sequence[_Row]) -> None:
    """Refuse the whole import when it names a model the caller may not change."""
    refused: set[str] = set()
    for model in {row.model.id: row.model for row in rows if row.model}.values():
        try:
            require_ai_model_editor(
                principal,
                owner_team_id=model.service.owner_team_id,
                owner_person_id=model.owner_person_id,
            )
        except AccessDenied:
            refused.add(f"{model.service.slug}/{model.name}")
    if refused:
        raise AccessDenied(
            "recording evaluations is reserved to a model's owners; not yours: "
            + ", ".join(sorted(refused))
        )


def _unresolved(row: _Row) -> DomainError | None:
    if row.model_ref is not None and row.model is None:
        return NotFound("no such AI model", field=[*row.where, "model"])
    if row.model is not None and row.model.status is AIModelStatus.RETIRED:
        return Invalid("a RETIRED model takes no evaluations", field=[*row.where, "model"])
    return None


async def import_evaluations(
    session: AsyncSession, *, principal: Principal, format: RowFormat, content: str
) -> int:
    """Store every evaluation of the content, or none; returns how many were stored."""
    now = utcnow()
    errors: list[DomainError] = []
    rows: list[_Row] = []
    for index, raw in enumerate(row_import.parse(format, content, SHAPE)):
        row, found = _read(index, raw, now)
        rows.append(row)
        errors.extend(located(error, row.line) for error in found)
    await _resolve_models(session, rows)
    _require_editor(principal, rows)
    for row in rows:
        missing = _unresolved(row)
        if missing is not None:
            errors.append(located(missing, row.line))
    if errors:
        raise DomainErrors(row_import.in_row_order(errors))
    recorded = []
    for row in rows:
        assert row.model is not None
        assert row.spec is not None
        recorded.append(new_evaluation(row.model.id, row.spec, principal=principal, now=now))
    session.add_all(recorded)
    await session.flush()
    if recorded:
        await publish(session, EvaluationsRecorded(tuple(item.id for item in recorded)))
    return len(rows)
