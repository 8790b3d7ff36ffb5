"""FEEDBACK_DELIVERED: "you asked, we shipped" — one notice per delivered idea, to the
channels that want it and, by email, to its author and every voter still active."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Result, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service
from core.clock import utcnow
from feedback.models import Feedback, Vote
from identity.models import Person
from notifications.models import NotificationEvent
from notifications.notices.ids import global_id
from notifications.outbox import Notice, Recipient


async def _people(
    session: AsyncSession, feedback_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Recipient]]:
    """Each idea's author and voters who are active and have an email (one statement); an
    anonymous author by the contact email they left."""
    authors = (
        select(Feedback.id, Person.email, Person.id)
        .join(Person, Person.id == Feedback.author_id)
        .where(Feedback.id.in_(feedback_ids), Person.active, Person.email.is_not(None))
    )
    anonymous = select(Feedback.id, Feedback.contact_email, literal(None)).where(
        Feedback.id.in_(feedback_ids),
        Feedback.author_id.is_(None),
        Feedback.contact_email.is_not(None),
    )
    voters = (
        select(Vote.feedback_id, Person.email, Person.id)
        .join(Person, Person.id == Vote.person_id)
        .where(Vote.feedback_id.in_(feedback_ids), Person.active, Person.email.is_not(None))
    )
    result: Result[Any] = await session.execute(union_all(authors, anonymous, voters))
    rows: list[tuple[uuid.UUID, str, uuid.UUID | None]] = [tuple(row) for row in result]
    found: dict[uuid.UUID, list[Recipient]] = {}
    for feedback_id, email, person_id in rows:
        found.setdefault(feedback_id, []).append(Recipient(email, person_id))
    return found


async def feedback_delivered_notices(
    session: AsyncSession, feedback_ids: Sequence[uuid.UUID]
) -> list[Notice]:
    """One notice per delivered idea, addressed to its author and voters (two statements)."""
    if not feedback_ids:
        return []
    ids = sorted(feedback_ids)
    rows = await session.execute(
        select(Feedback.id, Feedback.title, Feedback.service_id, Service.name, Feedback.vote_count)
        .join(Service, Service.id == Feedback.service_id)
        .where(Feedback.id.in_(ids))
    )
    people = await _people(session, ids)
    now = utcnow()
    return [
        Notice(
            event=NotificationEvent.FEEDBACK_DELIVERED,
            key=f"feedback-delivered:{feedback_id}",
            occurred_at=now,
            data={
                "feedbackId": global_id("Feedback", feedback_id),
                "serviceId": global_id("Service", service_id),
                "title": title,
            },
            title=f"You asked, we shipped: {title}",
            lines=(
                f"Service: {service_name}",
                f"The idea you raised or voted for ({votes} votes) is now released.",
            ),
            service_ids=(service_id,),
            recipients=tuple(people.get(feedback_id, ())),
        )
        for feedback_id, title, service_id, service_name, votes in rows
    ]
