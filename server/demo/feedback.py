"""Demo feedback: a few hundred believable items on live services, with votes and triage.

Deterministic (a fixed random seed) and idempotent: items carry external ids `demo-<n>`,
and a catalog that already has them is left alone.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Lifecycle, Service
from feedback import actions
from feedback.models import Feedback, FeedbackChannel, FeedbackKind, FeedbackStatus
from feedback.score import priority_score
from identity.models import Person
from identity.principal import Principal, Role
from server.demo.kit import SEED_PRINCIPAL, Tally, ignore
from server.demo.organisation import ISSUER

ITEMS = 300
IDEAS = (
    "Bulk edit from the list view",
    "Show the customer's open cases on the account page",
    "Export this report to Excel with filters kept",
    "Single sign-on for partners",
    "Keyboard shortcuts for the console",
    "Remember my last filter",
    "Mobile layout for field engineers",
    "Notify me when my request changes state",
)
BUGS = (
    "Save spins forever on large records",
    "Wrong currency on converted quotes",
    "Duplicate emails after a case update",
    "Search misses records created today",
    "Login loop when I open the app from a link",
)
QUESTIONS = ("Who approves access to this?", "Where is the runbook?", "Is there an API for this?")
PRAISE = ("The new layout saves me an hour a day", "Thanks for the quick fix last week")
_KINDS = (
    (FeedbackKind.IDEA, IDEAS),
    (FeedbackKind.BUG, BUGS),
    (FeedbackKind.QUESTION, QUESTIONS),
    (FeedbackKind.PRAISE, PRAISE),
)
_WEIGHTS = (55, 25, 12, 8)


def _author(person_id: uuid.UUID) -> Principal:
    return Principal(str(person_id), ISSUER, frozenset({Role.CONTRIBUTOR}), person_id)


async def seed_demo_feedback(
    session: AsyncSession, *, now: datetime, tally: Tally = ignore
) -> None:
    """Feedback, votes and a little triage, spread over the last 90 days."""
    already = await session.scalar(select(func.count()).where(Feedback.external_id.like("demo-%")))
    if already:
        for _ in range(already):
            tally("feedback", created=False)
        return
    services = list(
        await session.scalars(
            select(Service).where(Service.lifecycle == Lifecycle.LIVE).order_by(Service.slug)
        )
    )
    people = list(
        await session.scalars(
            select(Person.id).where(Person.issuer == ISSUER).order_by(Person.subject)
        )
    )
    if not services or len(people) < 2:
        return
    rng = random.Random(20261127)
    for number in range(ITEMS):
        feedback = await _item(session, rng, number, services, people, now)
        await _votes(session, rng, feedback, people)
        await _triage(session, rng, feedback)
        tally("feedback", created=True)


async def _item(
    session: AsyncSession,
    rng: random.Random,
    number: int,
    services: list[Service],
    people: list[uuid.UUID],
    now: datetime,
) -> Feedback:
    service = services[rng.randrange(len(services))]
    kind, titles = rng.choices(_KINDS, weights=_WEIGHTS)[0]
    rating = rng.choice((None, 1, 2, 2, 3, 3, 4, 4, 4, 5, 5))
    submission = actions.Submission(
        service.slug, kind, rng.choice(titles), f"Seen on {service.name}.", rating=rating
    )
    channel = rng.choice((FeedbackChannel.GRAPHQL, FeedbackChannel.GRAPHQL, FeedbackChannel.API))
    feedback = await actions.submit_feedback(
        session,
        principal=_author(rng.choice(people)),
        service=service.slug,
        submission=submission,
        channel=channel,
        allow_anonymous=False,
    )
    feedback.external_id = f"demo-{number}"
    feedback.created_at = now - timedelta(hours=rng.randrange(90 * 24))
    feedback.score = priority_score(
        kind=kind.value,
        votes=0,
        voter_teams=0,
        rating=rating,
        tier=service.tier.value,
        created_at=feedback.created_at,
    )
    await session.flush()
    return feedback


async def _votes(
    session: AsyncSession, rng: random.Random, feedback: Feedback, people: list[uuid.UUID]
) -> None:
    if feedback.kind is FeedbackKind.PRAISE:
        return
    for voter in rng.sample(people, k=min(len(people), int(rng.expovariate(1 / 3)))):
        await actions.vote(session, principal=_author(voter), feedback_id=feedback.id)


async def _triage(session: AsyncSession, rng: random.Random, feedback: Feedback) -> None:
    roll = rng.random()
    if feedback.kind is FeedbackKind.PRAISE or roll > 0.35:
        return
    if roll < 0.06 and feedback.kind in (FeedbackKind.IDEA, FeedbackKind.BUG):
        await actions.promote(
            session, principal=SEED_PRINCIPAL, feedback_id=feedback.id, version=feedback.version
        )
        return
    target = FeedbackStatus.DECLINED if roll < 0.1 else FeedbackStatus.UNDER_REVIEW
    await actions.transition(
        session,
        principal=SEED_PRINCIPAL,
        feedback_id=feedback.id,
        version=feedback.version,
        to=target,
        note="demo triage",
    )
