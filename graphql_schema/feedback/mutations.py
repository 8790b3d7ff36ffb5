"""Feedback mutations: submit, vote, triage, merge, promote."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from feedback import actions, models
from feedback.models import FeedbackChannel
from feedback.submission import submit
from graphql_schema.access import requires
from graphql_schema.context import Info
from graphql_schema.feedback.inputs import (
    FeedbackVoteInput,
    MergeFeedbackInput,
    PromoteFeedbackInput,
    SubmitFeedbackInput,
    TransitionFeedbackInput,
)
from graphql_schema.feedback.payloads import FeedbackPayload, SubmitFeedbackPayload
from graphql_schema.feedback.types import Feedback
from graphql_schema.mutation_runner import payload_object, run_mutation
from graphql_schema.node import decode_id
from identity.principal import Principal, Role

FeedbackAction = Callable[[AsyncSession, Principal], Awaitable[models.Feedback]]


async def _payload(info: Info, action: FeedbackAction) -> FeedbackPayload:
    feedback, errors = await run_mutation(info, action)
    return FeedbackPayload(feedback=await _converted(info, feedback), user_errors=errors)


async def _converted(info: Info, feedback: models.Feedback | None) -> Feedback | None:
    return await payload_object(
        info, feedback, field="feedback", type_name="Feedback", convert=Feedback.from_model
    )


@strawberry.type
class FeedbackMutation:
    @strawberry.mutation(
        description="Tell a service's team something (CONTRIBUTOR); idempotent with a key.",
        metadata=requires(Role.CONTRIBUTOR),
    )
    async def submit_feedback(
        self, info: Info, input: SubmitFeedbackInput
    ) -> SubmitFeedbackPayload:
        replayed = False

        async def action(session: AsyncSession, principal: Principal) -> models.Feedback:
            nonlocal replayed
            submission = actions.Submission(
                service=input.service,
                kind=input.kind,
                title=input.title,
                body=input.body,
                rating=input.rating,
                contact_email=input.contact_email,
            )
            result = await submit(
                session,
                principal=principal,
                client_ip=info.context.facts.client_ip,
                service=actions.service_reference(input.service),
                submission=submission,
                channel=FeedbackChannel.GRAPHQL,
                allow_anonymous=False,
                idempotency_key=input.idempotency_key,
                canonical_body=_canonical(input),
            )
            replayed = result.replayed
            return await actions.get_feedback(session, result.feedback_id)

        feedback, errors = await run_mutation(info, action)
        return SubmitFeedbackPayload(
            feedback=await _converted(info, feedback), replayed=replayed, user_errors=errors
        )

    @strawberry.mutation(
        description="Vote for feedback; once per person.", metadata=requires(Role.CONTRIBUTOR)
    )
    async def vote_feedback(self, info: Info, input: FeedbackVoteInput) -> FeedbackPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.Feedback:
            feedback_id = decode_id(input.feedback_id, "Feedback", field="feedbackId")
            return await actions.vote(session, principal=principal, feedback_id=feedback_id)

        return await _payload(info, action)

    @strawberry.mutation(description="Take one's vote back.", metadata=requires(Role.CONTRIBUTOR))
    async def retract_feedback_vote(self, info: Info, input: FeedbackVoteInput) -> FeedbackPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.Feedback:
            feedback_id = decode_id(input.feedback_id, "Feedback", field="feedbackId")
            return await actions.retract_vote(session, principal=principal, feedback_id=feedback_id)

        return await _payload(info, action)

    @strawberry.mutation(
        description="Triage (owner team or product owner); errors name the allowed next states.",
        metadata=requires(Role.CONTRIBUTOR),
    )
    async def transition_feedback(
        self, info: Info, input: TransitionFeedbackInput
    ) -> FeedbackPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.Feedback:
            return await actions.transition(
                session,
                principal=principal,
                feedback_id=decode_id(input.id, "Feedback", field="id"),
                version=input.version,
                to=input.to,
                note=input.note,
            )

        return await _payload(info, action)

    @strawberry.mutation(
        description="Merge a duplicate into the surviving item; votes move without doubles.",
        metadata=requires(Role.CONTRIBUTOR),
    )
    async def merge_feedback(self, info: Info, input: MergeFeedbackInput) -> FeedbackPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.Feedback:
            return await actions.merge(
                session,
                principal=principal,
                source_id=decode_id(input.source_id, "Feedback", field="sourceId"),
                target_id=decode_id(input.target_id, "Feedback", field="targetId"),
            )

        return await _payload(info, action)

    @strawberry.mutation(
        description="Put feedback on the owner team's backlog; it becomes PLANNED.",
        metadata=requires(Role.CONTRIBUTOR),
    )
    async def promote_feedback(self, info: Info, input: PromoteFeedbackInput) -> FeedbackPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.Feedback:
            return await actions.promote(
                session,
                principal=principal,
                feedback_id=decode_id(input.id, "Feedback", field="id"),
                version=input.version,
            )

        return await _payload(info, action)


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
