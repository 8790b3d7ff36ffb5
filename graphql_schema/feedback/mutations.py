"""Feedback mutations: submit, vote, triage, merge, promote."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from feedback import actions, models
from feedback.models import FeedbackChannel
from feedback.submission import submit
from graphql_schema.context import Info
from graphql_schema.errors import UserError
from graphql_schema.feedback.inputs import (
    FeedbackVoteInput,
    MergeFeedbackInput,
    PromoteFeedbackInput,
    SubmitFeedbackInput,
    TransitionFeedbackInput,
)
from graphql_schema.feedback.payloads import FeedbackPayload, SubmitFeedbackPayload
from graphql_schema.feedback.types import Feedback
from graphql_schema.mutation_runner import Arguments, CustomPayload, ObjectPayload, mutation
from graphql_schema.node import decode_id
from identity.principal import Principal, Role

FEEDBACK = ObjectPayload(FeedbackPayload, "feedback", Feedback)


@dataclass(frozen=True)
class _Submitted:
    feedback: models.Feedback
    replayed: bool


async def _submit(session: AsyncSession, *, principal: Principal, **given: Any) -> _Submitted:
    """Submit through the door every channel shares; the item as stored, and whether it was
    a replay of an earlier submission."""
    result = await submit(session, principal=principal, **given)
    if result.row is not None:
        return _Submitted(actions.stored_feedback(session, result.row), replayed=False)
    return _Submitted(await actions.get_feedback(session, result.feedback_id), result.replayed)


async def _submitted(
    info: Info, input: SubmitFeedbackInput, result: _Submitted | None, errors: list[UserError]
) -> SubmitFeedbackPayload:
    return SubmitFeedbackPayload(
        feedback=await FEEDBACK.node(info, result.feedback if result else None),
        replayed=result.replayed if result else False,
        user_errors=errors,
    )


@strawberry.type
class FeedbackMutation:
    @mutation(
        "Tell a service's team something (CONTRIBUTOR); idempotent with a key.",
        permission=Role.CONTRIBUTOR,
        action=_submit,
        payload=CustomPayload(SubmitFeedbackPayload, _submitted),
        audited=lambda submitted: submitted.feedback,
    )
    def submit_feedback(self, input: SubmitFeedbackInput, info: Info) -> Arguments:
        submission = actions.Submission(
            service=input.service,
            kind=input.kind,
            title=input.title,
            body=input.body,
            rating=input.rating,
            contact_email=input.contact_email,
        )
        return {
            "client_ip": info.context.facts.client_ip,
            "service": actions.service_reference(input.service),
            "submission": submission,
            "channel": FeedbackChannel.GRAPHQL,
            "allow_anonymous": False,
            "idempotency_key": input.idempotency_key,
            "canonical_body": _canonical(input),
        }

    @mutation(
        "Vote for feedback; once per person.",
        permission=Role.CONTRIBUTOR,
        action=actions.vote,
        payload=FEEDBACK,
    )
    def vote_feedback(self, input: FeedbackVoteInput) -> Arguments:
        return {"feedback_id": decode_id(input.feedback_id, "Feedback", field="feedbackId")}

    @mutation(
        "Take one's vote back.",
        permission=Role.CONTRIBUTOR,
        action=actions.retract_vote,
        payload=FEEDBACK,
    )
    def retract_feedback_vote(self, input: FeedbackVoteInput) -> Arguments:
        return {"feedback_id": decode_id(input.feedback_id, "Feedback", field="feedbackId")}

    @mutation(
        "Triage (owner team or product owner); errors name the allowed next states.",
        permission=Role.CONTRIBUTOR,
        action=actions.transition,
        payload=FEEDBACK,
    )
    def transition_feedback(self, input: TransitionFeedbackInput) -> Arguments:
        return {
            "feedback_id": decode_id(input.id, "Feedback", field="id"),
            "version": input.version,
            "to": input.to,
            "note": input.note,
        }

    @mutation(
        "Merge a duplicate into the surviving item; votes move without doubles.",
        permission=Role.CONTRIBUTOR,
        action=actions.merge,
        payload=FEEDBACK,
    )
    def merge_feedback(self, input: MergeFeedbackInput) -> Arguments:
        return {
            "source_id": decode_id(input.source_id, "Feedback", field="sourceId"),
            "target_id": decode_id(input.target_id, "Feedback", field="targetId"),
        }

    @mutation(
        "Put feedback on the owner team's backlog; it becomes PLANNED.",
        permission=Role.CONTRIBUTOR,
        action=actions.promote,
        payload=FEEDBACK,
    )
    def promote_feedback(self, input: PromoteFeedbackInput) -> Arguments:
        return {
            "feedback_id": decode_id(input.id, "Feedback", field="id"),
            "version": input.version,
        }


def _canonical(data: SubmitFeedbackInput) -> dict[str, object]:
    """The submission as the REST door would hash it (the key itself excluded)."""
    return {
        "service": data.service,
        "kind": data.kind.value,
        "title": data.title,
        "body": data.body,
        "rating": data.rating,
        "contactEmail": data.contact_email,
    }
