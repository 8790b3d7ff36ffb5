"""FEEDBACK_DELIVERED: "you asked, we shipped" — a released idea notifies the channels that
want it, its author and every active voter, once, in the release's transaction."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.ids import encode_global_id
from feedback.models import Feedback, FeedbackChannel, FeedbackKind, FeedbackStatus, Vote
from notifications.models import NotificationEvent
from tests.builders.catalog import create_service
from tests.builders.identity import create_person, create_team
from tests.builders.kit import add
from tests.builders.work import create_item, create_release
from tests.notifications.channel_builders import create_channel
from tests.notifications.producers import ADMIN, deliveries, wired
from work.backlog.models import BacklogItemStatus
from work.releases.actions import ship_release
from work.releases.models import Release, ReleaseStatus

__all__ = ["wired"]
pytestmark = pytest.mark.usefixtures("wired")
DELIVERED = [NotificationEvent.FEEDBACK_DELIVERED.value]


async def _planned_idea(session: AsyncSession, **overrides: Any) -> tuple[Release, Feedback]:
    """A PLANNED idea whose backlog item is DONE in a release in progress."""
    team = await create_team(session)
    service = await create_service(session, owner_team_id=team.id, name="Portal")
    release = await create_release(
        session, owner_team_id=team.id, service_ids=(service.id,), status=ReleaseStatus.IN_PROGRESS
    )
    item = await create_item(
        session, team_id=team.id, status=BacklogItemStatus.DONE, release_id=release.id
    )
    values: dict[str, Any] = {
        "service_id": service.id,
        "kind": FeedbackKind.IDEA,
        "title": "Dark mode",
        "body": "Please",
        "channel": FeedbackChannel.GRAPHQL,
        "status": FeedbackStatus.PLANNED,
        "backlog_item_id": item.id,
        **overrides,
    }
    return release, await add(session, Feedback(**values))


async def test_the_author_and_active_voters_hear_once_the_idea_ships(
    session: AsyncSession,
) -> None:
    author = await create_person(session, email="author@example.test")
    release, idea = await _planned_idea(session, author_id=author.id)
    voter = await create_person(session, email="voter@example.test")
    gone = await create_person(session, email="gone@example.test", active=False)
    for person in (voter, gone, author):
        await add(session, Vote(feedback_id=idea.id, person_id=person.id))
    channel = await create_channel(session, events=DELIVERED)

    await ship_release(session, principal=ADMIN, release_id=release.id, version=None)

    found = await deliveries(session)
    assert {(item.channel_id, item.recipient) for item in found} == {
        (channel.id, None),
        (None, "author@example.test"),
        (None, "voter@example.test"),
    }
    assert {item.event_key for item in found} == {f"feedback-delivered:{idea.id}"}
    body = found[0].body
    assert body["type"] == "feedback.delivered"
    assert body["data"] == {
        "feedbackId": encode_global_id("Feedback", idea.id),
        "serviceId": encode_global_id("Service", idea.service_id),
        "title": "Dark mode",
    }
    assert found[0].message["title"] == "You asked, we shipped: Dark mode"


async def test_an_anonymous_author_hears_at_their_contact_email(session: AsyncSession) -> None:
    release, _ = await _planned_idea(session, contact_email="someone@example.test")

    await ship_release(session, principal=ADMIN, release_id=release.id, version=None)

    assert [item.recipient for item in await deliveries(session)] == ["someone@example.test"]


async def test_a_release_rolled_back_before_commit_notifies_nobody(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    author = await create_person(session)
    release, _ = await _planned_idea(session, author_id=author.id)
    await create_channel(session, events=DELIVERED, service_ids=[uuid.uuid4()])
    await create_channel(session, events=DELIVERED)

    async with sessionmaker() as action:
        await ship_release(action, principal=ADMIN, release_id=release.id, version=None)
        assert len(await deliveries(action)) == 2
        await action.rollback()

    assert await deliveries(session) == []
