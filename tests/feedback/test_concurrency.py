"""Races never duplicate: concurrent votes are exact, concurrent keyed submissions store once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import make_engine, make_sessionmaker
from feedback import actions, submission
from feedback.errors import KeyInFlight
from feedback.models import Feedback, FeedbackChannel, FeedbackKind, Vote
from identity.principal import Principal, Role
from tests.builders.catalog import create_service
from tests.builders.identity import create_person


@pytest.fixture
async def committed(fresh_database: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine: AsyncEngine = make_engine(fresh_database, pool_size=25, max_overflow=30)
    yield make_sessionmaker(engine)
    await engine.dispose()


def _principal(person_id: Any) -> Principal:
    return Principal(str(person_id), "https://idp.test", frozenset({Role.CONTRIBUTOR}), person_id)


async def _setup(maker: async_sessionmaker[AsyncSession], people: int) -> tuple[Any, list[Any]]:
    async with maker() as session, session.begin():
        service = await create_service(session, slug="crm")
        persons = [await create_person(session) for _ in range(people)]
        feedback = await actions.submit_feedback(
            session,
            principal=_principal(persons[0].id),
            service=service.slug,
            submission=actions.Submission("crm", FeedbackKind.IDEA, "Idea", "Body"),
            channel=FeedbackChannel.GRAPHQL,
            allow_anonymous=False,
        )
        return feedback.id, [person.id for person in persons]


async def _vote(maker: async_sessionmaker[AsyncSession], feedback_id: Any, person_id: Any) -> None:
    async with maker() as session, session.begin():
        await actions.vote(session, principal=_principal(person_id), feedback_id=feedback_id)


async def test_fifty_concurrent_votes_from_fifty_people_count_fifty(
    committed: async_sessionmaker[AsyncSession],
) -> None:
    feedback_id, people = await _setup(committed, 50)

    await asyncio.gather(*(_vote(committed, feedback_id, person) for person in people))

    async with committed() as session:
        stored = await session.get(Feedback, feedback_id)
        assert stored is not None
        assert stored.vote_count == 50
        votes = await session.scalar(select(func.count()).where(Vote.feedback_id == feedback_id))
        assert votes == 50


async def test_fifty_concurrent_repeats_from_one_person_count_one(
    committed: async_sessionmaker[AsyncSession],
) -> None:
    feedback_id, people = await _setup(committed, 1)

    await asyncio.gather(*(_vote(committed, feedback_id, people[0]) for _ in range(50)))

    async with committed() as session:
        stored = await session.get(Feedback, feedback_id)
        assert stored is not None
        assert stored.vote_count == 1


async def _keyed(maker: async_sessionmaker[AsyncSession], principal: Principal) -> str:
    async with maker() as session, session.begin():
        try:
            result = await submission.submit(
                session,
                principal=principal,
                client_ip="127.0.0.1",
                service="crm",
                submission=actions.Submission("crm", FeedbackKind.BUG, "Broken", "It is"),
                channel=FeedbackChannel.API,
                allow_anonymous=False,
                idempotency_key="same-key",
                canonical_body={"title": "Broken"},
            )
        except KeyInFlight:
            return "in-flight"
        return "replayed" if result.replayed else "created"


async def test_concurrent_submissions_with_one_key_store_one_row(
    committed: async_sessionmaker[AsyncSession],
) -> None:
    _, people = await _setup(committed, 1)
    principal = _principal(people[0])

    outcomes = await asyncio.gather(*(_keyed(committed, principal) for _ in range(20)))

    assert outcomes.count("created") == 1
    assert set(outcomes) <= {"created", "replayed", "in-flight"}
    async with committed() as session:
        bugs = await session.scalar(select(func.count()).where(Feedback.kind == FeedbackKind.BUG))
        assert bugs == 1
