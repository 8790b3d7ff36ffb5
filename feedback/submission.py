"""One action behind both doors (REST and GraphQL): idempotent submission of feedback.

A submission is one statement (`repository.insert_submission`): the key claimed, the
feedback, its status change, the notification, and at the REST door the
transaction's actor and the audit event. A second statement only where PostgreSQL cannot
answer in the first: a key whose holder committed while the statement waited for it (the
statement's snapshot predates that commit), or a refused submission whose key was used
before (a used key answers first, as it did when it was claimed before the checks).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.clock import utcnow
from core.errors import AccessDenied, DomainError
from core.history import ACTOR_SETTING, REQUEST_ID_SETTING
from core.ids import GlobalId
from feedback import actions, idempotency, repository
from feedback.models import FeedbackChannel, FeedbackStatus
from identity.audit import AuditOutcome, RequestFacts, actor_of
from identity.principal import Principal


@dataclass(frozen=True)
class SubmissionResult:
    feedback_id: uuid.UUID
    response: idempotency.StoredResponse
    replayed: bool
    # The stored row (`actions.stored_feedback` makes it the session's object); None for a
    # replay.
    row: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Door:
    """What a door that owns its transaction puts in the submission's statement: who acts
    (for triggers, as `core.history.set_transaction_actor` names them) and the
    audit event of a stored submission (as `identity.audit.record` writes it)."""

    facts: RequestFacts
    action: str
    details: dict[str, Any] = field(default_factory=dict)


def key_scope(principal: Principal | None, client_ip: str | None) -> str:
    """Keys belong to the caller: the principal, or the client address when anonymous."""
    return principal.actor if principal is not None else f"ip:{client_ip or 'unknown'}"


async def submit(
    session: AsyncSession | AsyncEngine,
    *,
    principal: Principal | None,
    client_ip: str | None,
    service: str | uuid.UUID,
    submission: actions.Submission,
    channel: FeedbackChannel,
    allow_anonymous: bool,
    idempotency_key: str | None,
    canonical_body: Any,
    door: Door | None = None,
) -> SubmissionResult:
    """Store the feedback once per key; a repeat with the same body replays the first answer.

    `session`: the caller's transaction, or an engine to send each statement alone on (a
    submission's one statement is atomic by itself)."""
    claim = None
    if idempotency_key is not None:
        idempotency.check_key(idempotency_key)
        scope = key_scope(principal, client_ip)
        claim = idempotency.KeyClaim(
            scope, idempotency_key, idempotency.request_hash(canonical_body)
        )
    now = utcnow()
    try:
        new = actions.check_submission(
            principal=principal,
            submission=submission,
            channel=channel,
            allow_anonymous=allow_anonymous,
        )
    except (DomainError, AccessDenied):
        stored = await idempotency.find(session, claim, now=now) if claim is not None else None
        if claim is None or stored is None:
            raise
        return _replayed(claim, stored)
    feedback_id: uuid.UUID = new.values["id"]
    response = idempotency.StoredResponse(
        201,
        {"id": GlobalId("Feedback", feedback_id).encode(), "status": FeedbackStatus.NEW.value},
    )
    inserted = await actions.store_feedback(
        session,
        principal=principal,
        service=service,
        new=new,
        keyed=repository.Keyed(claim, response, now) if claim is not None else None,
        settings=_settings(principal, door),
        audit=_audit(principal, door, feedback_id),
    )
    if inserted.row is not None:
        return SubmissionResult(feedback_id, response, replayed=False, row=inserted.row)
    assert claim is not None  # not stored, the service found: the key is another request's
    stored = inserted.stored or await idempotency.find(session, claim, now=now)
    assert stored is not None
    return _replayed(claim, stored)


def _replayed(claim: idempotency.KeyClaim, stored: idempotency.Stored) -> SubmissionResult:
    response = idempotency.replay(claim, stored)
    return SubmissionResult(GlobalId.decode(str(response.body["id"])).id, response, replayed=True)


def _settings(principal: Principal | None, door: Door | None) -> dict[str, str] | None:
    if door is None or principal is None:
        return None
    return {ACTOR_SETTING: principal.actor, REQUEST_ID_SETTING: door.facts.request_id or ""}


def _audit(
    principal: Principal | None, door: Door | None, feedback_id: uuid.UUID
) -> dict[str, Any] | None:
    if door is None:
        return None
    facts = door.facts
    return {
        "actor": actor_of(principal),
        "action": door.action,
        "target_type": "Feedback",
        "target_id": str(feedback_id),
        "outcome": AuditOutcome.SUCCESS,
        "client_ip": facts.client_ip,
        "user_agent": (facts.user_agent or "")[:1000] or None,
        "request_id": facts.request_id,
        "details": door.details,
    }
