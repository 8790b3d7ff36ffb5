"""A feedback submission is one statement, over a real engine and pool (not the suite's
shared connection): the key, the feedback, its status change, the audit event
and the notification. The middleware's lookup of the caller is not the submission's."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catalog.services.models import Service
from core.clock import utcnow
from core.db import make_engine, make_sessionmaker
from core.ids import GlobalId
from core.notifications import Channel, encode
from core.settings import Settings
from feedback import actions, submission
from feedback.errors import KeyInFlight
from feedback.models import (
    Feedback,
    FeedbackChannel,
    FeedbackKind,
    FeedbackStatusChange,
    IdempotencyKey,
)
from feedback.score import priority_score
from identity.audit import AuditEvent
from identity.principal import Principal, Role
from server.app import create_app
from tests.builders.catalog import create_service
from tests.builders.identity import create_person
from tests.dev_token import DEV_TOKEN
from tests.graphql import data
from tests.lifespan import developer_client

BODY = {"service": "case-management", "kind": "IDEA", "title": "Bulk close", "body": "Please."}
SUBMIT = """
mutation($input: SubmitFeedbackInput!) {
  submitFeedback(input: $input) { feedback { title } replayed userErrors { field code } }
}
"""


@dataclass
class Statements:
    """Every statement and transaction end (`COMMIT`, `ROLLBACK`) on the engine, in order,
    but the caller's lookup (the middleware's, whatever it costs)."""

    sent: list[str] = field(default_factory=list)
    # Each statement's connection isolation level ("AUTOCOMMIT": sent alone, no BEGIN).
    isolation: list[str | None] = field(default_factory=list)

    def reset(self) -> None:
        self.sent.clear()
        self.isolation.clear()

    @property
    def statements(self) -> list[str]:
        return [sql for sql in self.sent if sql not in ENDS]

    @property
    def last_transaction(self) -> list[str]:
        """The statements of the last transaction, and how it ended."""
        ends = [index for index, sql in enumerate(self.sent[:-1]) if sql in ENDS]
        return self.sent[ends[-1] + 1 if ends else 0 :]


ENDS = ("COMMIT", "ROLLBACK")


@dataclass
class Subject:
    url: str
    sessions: async_sessionmaker[AsyncSession]
    client: httpx.AsyncClient
    statements: Statements


@pytest.fixture
async def subject(settings: Settings, fresh_database: str) -> AsyncIterator[Subject]:
    engine = make_engine(fresh_database)
    sessions = make_sessionmaker(engine)
    app = create_app(settings, engine=engine, sessionmaker=sessions, dev_token=DEV_TOKEN)
    statements = Statements()
    sync = engine.sync_engine

    def statement(*args: Any) -> None:
        if "person.issuer =" not in " ".join(args[2].split()):
            statements.sent.append(args[2])
            statements.isolation.append(args[0].get_execution_options().get("isolation_level"))

    event.listen(sync, "before_cursor_execute", statement)
    for end in ENDS:
        event.listen(sync, end.lower(), lambda *_, end=end: statements.sent.append(end))
    try:
        async with developer_client(app) as client:
            await data(client, "{ viewer { roles } }")  # provisions the developer
            async with sessions() as session, session.begin():
                await create_service(session, slug="case-management")
            yield Subject(fresh_database, sessions, client, statements)
    finally:
        await engine.dispose()


async def test_a_rest_submission_is_one_statement_sent_alone(subject: Subject) -> None:
    subject.statements.reset()
    response = await subject.client.post("/api/feedback", json=BODY)

    assert response.status_code == 201
    # Was 6: set_config, the service, the feedback, its status change, pg_notify, the audit.
    [submitted] = subject.statements.statements
    assert submitted.startswith("WITH")
    # Atomic by itself: no BEGIN before it, no COMMIT after it.
    assert subject.statements.isolation == ["AUTOCOMMIT"]
    feedback_id = GlobalId.decode(response.json()["id"]).id
    async with subject.sessions() as session:  # another connection sees it stored
        stored = await session.get(Feedback, feedback_id)
        events = await session.scalars(
            select(AuditEvent).where(AuditEvent.target_id == str(feedback_id))
        )
        assert stored is not None
        assert stored.title == BODY["title"]
        assert [event.action for event in events] == ["submitFeedback"]


async def test_a_keyed_submission_and_its_replay_are_one_statement_each(
    subject: Subject,
) -> None:
    headers = {"Idempotency-Key": "k-1"}
    subject.statements.reset()
    first = await subject.client.post("/api/feedback", json=BODY, headers=headers)
    created = len(subject.statements.statements)  # was 11: the key took 5 more
    subject.statements.reset()
    second = await subject.client.post("/api/feedback", json=BODY, headers=headers)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert created == 1
    assert len(subject.statements.statements) == 1  # was 6


async def test_a_graphql_submission_is_one_statement_in_its_savepoint(subject: Subject) -> None:
    variables = {"input": {**BODY, "idempotencyKey": "g-1"}}
    subject.statements.reset()
    result = await data(subject.client, SUBMIT, variables)

    assert result["submitFeedback"]["userErrors"] == []
    sent = [" ".join(sql.split()) for sql in subject.statements.statements]
    savepoint = next(index for index, sql in enumerate(sent) if sql.startswith("SAVEPOINT"))
    assert sent[savepoint + 2].startswith("RELEASE SAVEPOINT")  # was 11 statements between


async def test_the_one_statement_writes_what_the_submission_always_wrote(
    subject: Subject,
) -> None:
    listener = await asyncpg.connect(subject.url.replace("postgresql+asyncpg", "postgresql"))
    heard: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener(Channel.FEEDBACK.value, lambda *args: heard.put_nowait(args[3]))
    try:
        response = await subject.client.post(
            "/api/feedback",
            json={**BODY, "rating": 2},
            headers={"X-Request-ID": "req-feedback", "User-Agent": "curl/8"},
        )
        payload = await asyncio.wait_for(heard.get(), timeout=10)
    finally:
        await listener.close()

    assert response.status_code == 201
    feedback_id = GlobalId.decode(response.json()["id"]).id
    async with subject.sessions() as session:
        feedback = await session.get(Feedback, feedback_id)
        assert feedback is not None
        service = await session.get(Service, feedback.service_id)
        assert service is not None
        changes = list(await session.scalars(select(FeedbackStatusChange)))
        (audit,) = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "submitFeedback")
        )
    assert payload == encode(
        {"id": str(feedback_id), "kind": "SUBMITTED", "serviceId": str(feedback.service_id)}
    )
    assert feedback.score == priority_score(
        kind="IDEA",
        votes=0,
        voter_teams=0,
        rating=2,
        tier=service.tier.value,
        created_at=feedback.created_at,
    )
    assert [(change.from_status, change.to_status) for change in changes] == [(None, "NEW")]
    assert changes[0].actor == audit.actor
    assert audit.actor is not None
    assert (audit.target_type, audit.target_id, audit.outcome) == (
        "Feedback",
        str(feedback_id),
        "SUCCESS",
    )
    assert (audit.request_id, audit.user_agent, audit.details) == (
        "req-feedback",
        "curl/8",
        {"door": "REST"},
    )


async def test_an_expired_key_is_taken_again(subject: Subject) -> None:
    headers = {"Idempotency-Key": "k-old"}
    first = await subject.client.post("/api/feedback", json=BODY, headers=headers)
    async with subject.sessions() as session, session.begin():
        key = await session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "k-old"))
        assert key is not None
        key.expires_at = utcnow() - timedelta(seconds=1)

    again = await subject.client.post(
        "/api/feedback", json={**BODY, "title": "Another"}, headers=headers
    )

    assert first.status_code == again.status_code == 201
    assert "idempotent-replayed" not in again.headers
    assert again.json()["id"] != first.json()["id"]
    async with subject.sessions() as session:
        key = await session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "k-old"))
    assert key is not None
    assert key.response_body == again.json()
    assert key.expires_at > utcnow()


async def test_a_key_used_before_answers_before_the_checks(subject: Subject) -> None:
    """As when the key was claimed before the submission's checks: reused, not invalid."""
    headers = {"Idempotency-Key": "k-2"}
    await subject.client.post("/api/feedback", json=BODY, headers=headers)

    response = await subject.client.post(
        "/api/feedback", json={**BODY, "title": "   "}, headers=headers
    )

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["idempotencyKey"]
    assert json.loads(response.content)["status"] == 422


def _principal(person_id: Any) -> Principal:
    return Principal(str(person_id), "https://idp.test", frozenset({Role.CONTRIBUTOR}), person_id)


async def _submit_keyed(
    session: AsyncSession | AsyncEngine, principal: Principal
) -> submission.SubmissionResult:
    return await submission.submit(
        session,
        principal=principal,
        client_ip="127.0.0.1",
        service="case-management",
        submission=actions.Submission("case-management", FeedbackKind.BUG, "Broken", "It is"),
        channel=FeedbackChannel.API,
        allow_anonymous=False,
        idempotency_key="held",
        canonical_body={"title": "Broken"},
    )


async def test_a_key_held_by_a_request_in_flight_is_refused_after_the_wait(
    subject: Subject,
) -> None:
    async with subject.sessions() as session, session.begin():
        principal = _principal((await create_person(session)).id)
    async with subject.sessions() as holder, holder.begin():
        held = await _submit_keyed(holder, principal)
        # The wait's bound is lifted within the statement that claimed the key.
        assert await holder.scalar(text("SHOW lock_timeout")) == "0"
        async with subject.sessions() as other, other.begin():
            with pytest.raises(KeyInFlight):
                await _submit_keyed(other, principal)
    async with subject.sessions() as session, session.begin():
        again = await _submit_keyed(session, principal)

    assert held.replayed is False
    assert again.replayed is True
    assert again.feedback_id == held.feedback_id


async def test_a_submission_sent_alone_is_refused_while_its_key_is_held_then_replays(
    subject: Subject,
) -> None:
    """The REST door sends a signed-in caller's submission alone, straight to asyncpg (an
    engine nobody listens to): the held key refuses it after the wait, writing nothing, and
    once the holder committed the same submission replays the holder's answer."""
    alone = make_engine(subject.url)
    try:
        async with subject.sessions() as session, session.begin():
            principal = _principal((await create_person(session)).id)
        async with subject.sessions() as holder, holder.begin():
            held = await _submit_keyed(holder, principal)
            with pytest.raises(KeyInFlight):
                await _submit_keyed(alone, principal)
        again = await _submit_keyed(alone, principal)
    finally:
        await alone.dispose()
    async with subject.sessions() as session:
        stored = await session.scalar(select(func.count()).select_from(Feedback))

    assert again.replayed is True
    assert again.feedback_id == held.feedback_id
    assert stored == 1
