"""One action behind both doors (REST and GraphQL): idempotent submission of feedback."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.ids import GlobalId
from feedback import actions, idempotency
from feedback.models import FeedbackChannel
from identity.principal import Principal


@dataclass(frozen=True)
class SubmissionResult:
    feedback_id: uuid.UUID
    response: idempotency.StoredResponse
    replayed: bool


def key_scope(principal: Principal | None, client_ip: str | None) -> str:
    """Keys belong to the caller: the principal, or the client address when anonymous."""
    return principal.actor if principal is not None else f"ip:{client_ip or 'unknown'}"


async def submit(
    session: AsyncSession,
    *,
    principal: Principal | None,
    client_ip: str | None,
    service: str | uuid.UUID,
    submission: actions.Submission,
    channel: FeedbackChannel,
    allow_anonymous: bool,
    idempotency_key: str | None,
    canonical_body: Any,
) -> SubmissionResult:
    """Store the feedback once per key; a repeat with the same body replays the first answer."""
    scope = key_scope(principal, client_ip)
    if idempotency_key is not None:
        stored = await idempotency.claim(
            session,
            scope=scope,
            key=idempotency_key,
            body_hash=idempotency.request_hash(canonical_body),
        )
        if stored is not None:
            feedback_id = GlobalId.decode(str(stored.body["id"])).id
            return SubmissionResult(feedback_id, stored, replayed=True)
    feedback = await actions.submit_feedback(
        session,
        principal=principal,
        service=service,
        submission=submission,
        channel=channel,
        allow_anonymous=allow_anonymous,
    )
    response = idempotency.StoredResponse(
        201, {"id": GlobalId("Feedback", feedback.id).encode(), "status": feedback.status.value}
    )
    if idempotency_key is not None:
        await idempotency.remember(session, scope=scope, key=idempotency_key, response=response)
    return SubmissionResult(feedback.id, response, replayed=False)
