"""Business rules of feedback: submit, vote, triage, merge, promote, deliver."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from catalog.services import actions as services
from catalog.services.models import Service, Tier
from core.clock import utcnow
from core.errors import AccessDenied, Invalid, NotFound, Required
from core.events import FeedbackDelivered, publish
from core.ids import GlobalId, MalformedGlobalId
from core.notifications import Channel, encode
from core.records import check_version, require_found
from core.repository import get_by_id
from core.validation import email_field, text_field
from feedback import repository
from feedback.errors import InvalidTransition
from feedback.models import Feedback, FeedbackChannel, FeedbackKind, FeedbackStatus
from feedback.score import priority_score
from feedback.transitions import MANUAL, MERGEABLE, PROMOTABLE, VOTABLE, allowed_next
from identity.permissions import require_role
from identity.principal import Principal, Role
from work.backlog import actions as work


@dataclass(frozen=True)
class Submission:
    service: str
    kind: FeedbackKind
    title: str
    body: str
    rating: int | None = None
    contact_email: str | None = None


def _rating(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= 5:
        raise Invalid("rating is from 1 to 5", field=["rating"])
    return value


def check_submission(
    *,
    principal: Principal | None,
    submission: Submission,
    channel: FeedbackChannel,
    allow_anonymous: bool,
) -> repository.NewFeedback:
    """Every rule of a submission but its service's (its statement finds the service); a
    signed-in author's email is known, so contactEmail is ignored."""
    if principal is None and not allow_anonymous:
        raise AccessDenied("sign in to give feedback")
    if principal is not None:
        require_role(principal, Role.CONTRIBUTOR, action="giving feedback")
    title = text_field(submission.title, field="title", max_length=200)
    body = text_field(submission.body, field="body", max_length=10_000)
    rating = _rating(submission.rating)
    contact = None
    if principal is None:
        contact = email_field(submission.contact_email, field="contactEmail")
        if contact is None:
            raise Required("anonymous feedback needs a contactEmail", field=["contactEmail"])
    kind = FeedbackKind(submission.kind)
    created_at = utcnow()
    values = {
        "id": uuid.uuid4(),
        "author_id": principal.person_id if principal else None,
        "contact_email": contact,
        "kind": kind,
        "title": title,
        "body": body,
        "rating": rating,
        "channel": channel,
        "status": FeedbackStatus.NEW,
        "created_at": created_at,
        "version": 1,
    }
    scores = {
        tier.value: priority_score(
            kind=kind.value,
            votes=0,
            voter_teams=0,
            rating=rating,
            tier=tier.value,
            created_at=created_at,
        )
        for tier in Tier
    }
    return repository.NewFeedback(values, scores)


# The notification's payload, the service's id put in by the statement that finds it.
_SERVICE_MARK = "service-id-found-by-the-statement"


def _submitted(feedback_id: uuid.UUID) -> repository.Notification:
    payload = encode({"id": str(feedback_id), "kind": "SUBMITTED", "serviceId": _SERVICE_MARK})
    head, tail = payload.split(_SERVICE_MARK)
    return repository.Notification(Channel.FEEDBACK.value, head, tail)


async def store_feedback(
    session: AsyncSession | AsyncEngine,
    *,
    principal: Principal | None,
    service: str | uuid.UUID,
    new: repository.NewFeedback,
    keyed: repository.Keyed | None = None,
    settings: Mapping[str, str] | None = None,
    audit: Mapping[str, Any] | None = None,
) -> repository.Inserted:
    """Store a checked submission in one statement: the feedback, its first status change
    and the notification; with a key, only if the key is this request's."""
    inserted = await repository.insert_submission(
        session,
        new=new,
        service=service,
        history_actor=_actor(principal),
        notification=_submitted(new.values["id"]),
        settings=settings,
        keyed=keyed,
        audit=audit,
    )
    if inserted.row is None and (keyed is None or inserted.claimed):
        raise NotFound("no such service", field=["service"])
    return inserted


def stored_feedback(session: AsyncSession, row: Mapping[str, Any]) -> Feedback:
    """The row `store_feedback` stored, as the session's object: no statement."""
    return repository.as_loaded(session, row)


async def submit_feedback(
    session: AsyncSession,
    *,
    principal: Principal | None,
    service: str | uuid.UUID,
    submission: Submission,
    channel: FeedbackChannel,
    allow_anonymous: bool,
) -> Feedback:
    """Store one feedback item (see `check_submission` and `store_feedback`)."""
    new = check_submission(
        principal=principal,
        submission=submission,
        channel=channel,
        allow_anonymous=allow_anonymous,
    )
    inserted = await store_feedback(session, principal=principal, service=service, new=new)
    assert inserted.row is not None
    return stored_feedback(session, inserted.row)


def _score(feedback: Feedback, service: Service, counts: repository.VoteCounts) -> float | None:
    return priority_score(
        kind=feedback.kind.value,
        votes=counts.votes,
        voter_teams=counts.teams,
        external_votes=counts.external,
        rating=feedback.rating,
        tier=service.tier.value,
        created_at=feedback.created_at,
    )


def _actor(principal: Principal | None) -> str | None:
    return principal.actor if principal is not None else None


async def rescore(session: AsyncSession, feedback: Feedback) -> None:
    """Count the item's votes again and store its score (the caller holds the row lock)."""
    await session.flush()  # a merge just made counts on what is not yet written
    counts = await repository.vote_counts(session, feedback.id)
    service = require_found(
        await services.get_service(session, feedback.service_id), what="service"
    )
    feedback.vote_count, feedback.voter_team_count = counts.votes, counts.teams
    feedback.external_vote_count = counts.external
    feedback.score = _score(feedback, service, counts)


def _voter(principal: Principal) -> uuid.UUID:
    require_role(principal, Role.CONTRIBUTOR, action="voting")
    if principal.person_id is None:
        raise AccessDenied("only people vote")
    return principal.person_id


async def vote(session: AsyncSession, *, principal: Principal, feedback_id: uuid.UUID) -> Feedback:
    """One vote per person; voting twice changes nothing. Exact under concurrency."""
    person_id = _voter(principal)
    locked = await repository.lock(session, [feedback_id])
    feedback = require_found(locked.get(feedback_id), what="feedback", field="feedbackId")
    if feedback.status not in VOTABLE:
        raise Invalid(f"{feedback.status} feedback takes no votes", field=["feedbackId"])
    if await repository.add_vote(session, feedback.id, person_id):
        await rescore(session, feedback)
        await session.flush()
    return feedback


async def retract_vote(
    session: AsyncSession, *, principal: Principal, feedback_id: uuid.UUID
) -> Feedback:
    """Take one's vote back; without a vote, nothing changes."""
    person_id = _voter(principal)
    locked = await repository.lock(session, [feedback_id])
    feedback = require_found(locked.get(feedback_id), what="feedback", field="feedbackId")
    if await repository.remove_vote(session, feedback.id, person_id):
        await rescore(session, feedback)
        await session.flush()
    return feedback


async def _stewarded(
    session: AsyncSession, principal: Principal, feedback_id: uuid.UUID, *, action: str
) -> Feedback:
    feedback = require_found(
        (await repository.lock(session, [feedback_id])).get(feedback_id), what="feedback"
    )
    service = require_found(
        await services.get_service(session, feedback.service_id), what="service"
    )
    await services.require_service_steward(session, principal, service, action=action)
    return feedback


def _refuse(feedback: Feedback, to: FeedbackStatus, hint: str = "") -> InvalidTransition:
    allowed = ", ".join(allowed_next(feedback.status)) or "none"
    return InvalidTransition(
        f"{feedback.status} feedback cannot become {to}{hint}; allowed next: {allowed}",
        field=["to"],
    )


async def transition(
    session: AsyncSession,
    *,
    principal: Principal,
    feedback_id: uuid.UUID,
    version: int,
    to: FeedbackStatus,
    note: str | None = None,
) -> Feedback:
    """Triage by the owner team or a product owner, following the status table."""
    feedback = await _stewarded(session, principal, feedback_id, action="triaging feedback")
    check_version(feedback, version)
    if to not in MANUAL.get(feedback.status, set()):
        hints = {
            FeedbackStatus.PLANNED: " except by promoteFeedback",
            FeedbackStatus.DUPLICATE: " except by mergeFeedback",
            FeedbackStatus.DELIVERED: " except when its backlog item is released",
        }
        raise _refuse(feedback, to, hints.get(to, ""))
    before, feedback.status = feedback.status, to
    await repository.record_status_change(
        session, feedback, before, actor=principal.actor, note=note
    )
    await session.flush()
    return feedback


async def merge(
    session: AsyncSession, *, principal: Principal, source_id: uuid.UUID, target_id: uuid.UUID
) -> Feedback:
    """Fold a duplicate into the surviving item: its votes move over, nobody votes twice."""
    if source_id == target_id:
        raise Invalid("feedback cannot be merged into itself", field=["targetId"])
    locked = await repository.lock(session, [source_id, target_id])
    source = require_found(locked.get(source_id), what="feedback", field="sourceId")
    target = require_found(locked.get(target_id), what="feedback", field="targetId")
    if source.service_id != target.service_id:
        raise Invalid("only feedback on the same service can be merged", field=["targetId"])
    service = require_found(await services.get_service(session, source.service_id), what="service")
    await services.require_service_steward(session, principal, service, action="merging feedback")
    if source.status not in MERGEABLE:
        raise _refuse(source, FeedbackStatus.DUPLICATE)
    if target.status not in VOTABLE:
        raise Invalid(f"cannot merge into {target.status} feedback", field=["targetId"])
    await repository.move_votes(session, source.id, target.id)
    before, source.status, source.merged_into_id = (
        source.status,
        FeedbackStatus.DUPLICATE,
        target.id,
    )
    await rescore(session, source)
    await rescore(session, target)
    await repository.record_status_change(
        session, source, before, actor=principal.actor, note=f"merged into {target.id}"
    )
    await session.flush()
    return target


_ITEM_TYPE = {
    FeedbackKind.IDEA: "FEATURE",
    FeedbackKind.BUG: "DEFECT",
    FeedbackKind.QUESTION: "IDEA",
}


async def promote(
    session: AsyncSession, *, principal: Principal, feedback_id: uuid.UUID, version: int
) -> Feedback:
    """Put the feedback on the owner team's backlog, linked both ways; it becomes PLANNED."""
    feedback = await _stewarded(session, principal, feedback_id, action="promoting feedback")
    check_version(feedback, version)
    if feedback.status not in PROMOTABLE:
        raise _refuse(feedback, FeedbackStatus.PLANNED)
    if feedback.kind not in _ITEM_TYPE:
        raise Invalid(f"{feedback.kind} feedback is not promoted to the backlog", field=["id"])
    item = await work.create_item_from_feedback(
        session,
        service_id=feedback.service_id,
        item_type=_ITEM_TYPE[feedback.kind],
        title=feedback.title,
        description=feedback.body,
        feedback_id=feedback.id,
    )
    before = feedback.status
    feedback.status, feedback.backlog_item_id = FeedbackStatus.PLANNED, item.id
    await repository.record_status_change(session, feedback, before, actor=principal.actor)
    await session.flush()
    return feedback


async def deliver_for_items(session: AsyncSession, item_ids: tuple[uuid.UUID, ...]) -> None:
    """Planned feedback whose backlog item was released is delivered."""
    delivered = await _move_linked(
        session, item_ids, FeedbackStatus.PLANNED, FeedbackStatus.DELIVERED
    )
    if delivered:
        await publish(session, FeedbackDelivered(tuple(delivered)))


async def undeliver_for_items(session: AsyncSession, item_ids: tuple[uuid.UUID, ...]) -> None:
    """A rolled-back release takes delivered feedback back to PLANNED."""
    await _move_linked(session, item_ids, FeedbackStatus.DELIVERED, FeedbackStatus.PLANNED)


async def _move_linked(
    session: AsyncSession,
    item_ids: tuple[uuid.UUID, ...],
    before: FeedbackStatus,
    after: FeedbackStatus,
) -> list[uuid.UUID]:
    moved = await repository.linked_to_items(session, item_ids, before)
    for feedback in moved:
        feedback.status = after
        await repository.record_status_change(session, feedback, before, actor="system:release")
    await session.flush()
    return [feedback.id for feedback in moved]


def service_reference(value: str) -> str | uuid.UUID:
    """A service named by slug, or by its global id."""
    try:
        decoded = GlobalId.decode(value)
    except MalformedGlobalId:
        return value
    if decoded.type_name != "Service":
        raise NotFound("no such service", field=["service"])
    return decoded.id


async def get_feedback(session: AsyncSession, feedback_id: uuid.UUID) -> Feedback:
    return require_found(await get_by_id(session, Feedback, feedback_id), what="feedback")
