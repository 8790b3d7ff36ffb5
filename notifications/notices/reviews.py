"""REVIEW_DUE: the weekly digest of owner reviews due (services, SLAs and AI models whose
freshness review is overdue, as the stale lists say): one email per owner person, and one
notice per owner team to the channels of its services.

A service's owners are the people holding a current ownership role on it (AI-model owners
aside); an SLA's are its service's; an AI model's is its owner, else its service's owners.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, DateTime, and_, func, literal, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from catalog.ai_models.models import AIModel
from catalog.ai_models.repository import stale_models_query
from catalog.services.models import OwnershipRole, OwnershipRoleKind, Service
from catalog.services.repository import stale_services_query
from identity.models import Person
from notifications.models import NotificationEvent
from notifications.notices.ids import global_id, when
from notifications.outbox import Notice, Recipient
from service_levels.models import Sla
from service_levels.repository import stale_slas_query


@dataclass(frozen=True)
class DueReview:
    type_name: str  # "Service", "Sla", "AIModel": as the API names them
    id: uuid.UUID
    name: str
    service_id: uuid.UUID
    service_name: str
    owner_team_id: uuid.UUID
    due_at: datetime
    owner_person_id: uuid.UUID | None = None  # an AI model's own owner

    def line(self) -> str:
        kind = {"Service": "Service", "Sla": "SLA", "AIModel": "AI model"}[self.type_name]
        where = "" if self.type_name == "Service" else f" ({self.service_name})"
        return f"{kind} {self.name}{where}: review due since {when(self.due_at)}"

    def data(self) -> dict[str, str]:
        return {
            "type": self.type_name,
            "id": global_id(self.type_name, self.id),
            "serviceId": global_id("Service", self.service_id),
            "dueAt": self.due_at.isoformat(),
        }


def _due(
    reviewed: InstrumentedAttribute[datetime | None],
    created: InstrumentedAttribute[datetime],
    days: InstrumentedAttribute[int],
) -> ColumnElement[datetime]:
    """When the review fell due, as the stale lists reckon it (days of 24 hours)."""
    return func.coalesce(reviewed, created) + days * text("interval '1 day'")


def _values(row: Any) -> tuple[Any, ...]:
    return tuple(row)


async def due_reviews(session: AsyncSession, now: datetime) -> list[DueReview]:
    """Every review due at `now` (three statements: services, SLAs, AI models)."""
    services = stale_services_query(now).with_only_columns(
        literal("Service"),
        Service.id,
        Service.name,
        Service.id,
        Service.name,
        Service.owner_team_id,
        _due(Service.last_reviewed_at, Service.created_at, Service.review_interval_days),
        literal(None),
    )
    slas = (
        stale_slas_query(now)
        .join(Service, Service.id == Sla.service_id)
        .where(Service.archived_at.is_(None))
        .with_only_columns(
            literal("Sla"),
            Sla.id,
            Sla.name,
            Service.id,
            Service.name,
            Service.owner_team_id,
            _due(Sla.last_reviewed_at, Sla.created_at, Sla.review_interval_days),
            literal(None),
        )
    )
    models = stale_models_query(literal(now, DateTime(timezone=True))).with_only_columns(
        literal("AIModel"),
        AIModel.id,
        AIModel.name,
        Service.id,
        Service.name,
        Service.owner_team_id,
        _due(AIModel.last_reviewed_at, AIModel.created_at, AIModel.review_interval_days),
        AIModel.owner_person_id,
    )
    found: list[DueReview] = []
    for statement in (services, slas, models):
        rows = await session.execute(statement)
        found.extend(DueReview(*_values(row)) for row in rows)
    return sorted(found, key=lambda item: (item.due_at, item.name, item.id))


async def _owners(
    session: AsyncSession, reviews: Sequence[DueReview], today: date
) -> tuple[dict[uuid.UUID, list[uuid.UUID]], dict[uuid.UUID, Recipient]]:
    """Each due service's current owners, and every owner who can be written to: active,
    with an email (one statement)."""
    service_ids = sorted({item.service_id for item in reviews})
    model_owner_ids = sorted({item.owner_person_id for item in reviews if item.owner_person_id})
    current = and_(
        OwnershipRole.service_id.in_(service_ids),
        OwnershipRole.role != OwnershipRoleKind.AI_MODEL_OWNER,
        OwnershipRole.effective_from <= today,
        or_(OwnershipRole.effective_to.is_(None), OwnershipRole.effective_to >= today),
    )
    rows = await session.execute(
        select(OwnershipRole.service_id, Person.id, Person.email)
        .select_from(Person)
        .outerjoin(OwnershipRole, and_(OwnershipRole.person_id == Person.id, current))
        .where(
            Person.active,
            Person.email.is_not(None),
            or_(OwnershipRole.id.is_not(None), Person.id.in_(model_owner_ids)),
        )
        .order_by(Person.id)
    )
    by_service: dict[uuid.UUID, list[uuid.UUID]] = {}
    people: dict[uuid.UUID, Recipient] = {}
    for service_id, person_id, email in rows:
        people[person_id] = Recipient(str(email), person_id)
        if service_id is not None and person_id not in by_service.get(service_id, []):
            by_service.setdefault(service_id, []).append(person_id)
    return by_service, people


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _digest(
    event_key: str, title: str, reviews: Sequence[DueReview], now: datetime, **data: object
) -> Notice:
    return Notice(
        event=NotificationEvent.REVIEW_DUE,
        key=event_key,
        occurred_at=now,
        data={**data, "week": iso_week(now), "reviews": [item.data() for item in reviews]},
        title=title,
        lines=tuple(item.line() for item in reviews),
        service_ids=tuple(dict.fromkeys(item.service_id for item in reviews)),
    )


async def review_digest_notices(session: AsyncSession, now: datetime) -> list[Notice]:
    """One digest per owner person (by email only) and one per owner team (to the channels of
    its services) of the reviews due at `now`, keyed by ISO week (five statements)."""
    reviews = await due_reviews(session, now)
    if not reviews:
        return []
    by_service, people = await _owners(session, reviews, now.date())
    per_person: dict[uuid.UUID, list[DueReview]] = {}
    per_team: dict[uuid.UUID, list[DueReview]] = {}
    for item in reviews:
        per_team.setdefault(item.owner_team_id, []).append(item)
        owners = [item.owner_person_id] if item.owner_person_id in people else []
        for person_id in owners or by_service.get(item.service_id, []):
            per_person.setdefault(person_id, []).append(item)
    week = iso_week(now)
    notices = []
    for person_id, due in per_person.items():
        notice = _digest(
            f"review-digest:{person_id}:{week}",
            f"{len(due)} owner review{'s' if len(due) > 1 else ''} due this week",
            due,
            now,
            personId=global_id("Person", person_id),
        )
        notices.append(replace(notice, recipients=(people[person_id],), to_channels=False))
    for team_id, due in per_team.items():
        notices.append(
            _digest(
                f"review-digest:team:{team_id}:{week}",
                f"{len(due)} owner review{'s' if len(due) > 1 else ''} due for your team",
                due,
                now,
                teamId=global_id("Team", team_id),
            )
        )
    return notices
