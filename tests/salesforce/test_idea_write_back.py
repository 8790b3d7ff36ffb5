"""A shipped idea written back to Salesforce: recorded with the release, sent once by the
job, kept for a later try while Salesforce is down."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.events import BacklogItemsReleased, publish
from feedback.idea_write_back import SendSummary, send_write_backs
from feedback.ideas_sync import sync_ideas
from feedback.models import Feedback, FeedbackStatus, IdeaWriteBack
from salesforce.fake import FakeOrg, FakeSalesforce
from salesforce.gateway import SalesforceGateway
from salesforce.ideas import SalesforceIdeas
from server import subscribers
from tests.builders.catalog import create_service
from tests.builders.identity import create_team
from tests.builders.work import create_item, create_release
from work.backlog.models import BacklogItemStatus
from work.releases.models import ReleaseStatus

SHIPPED = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


async def ship_imported_idea(
    session: AsyncSession, gateway: SalesforceGateway, crm: FakeOrg
) -> dict[str, object]:
    """An Idea imported, promoted to a backlog item, and the item's release shipped."""
    subscribers.wire()
    team = await create_team(session)
    await create_service(session, salesforce_key="portal", owner_team_id=team.id)
    idea = crm.add("Idea", Title="Dark mode", Status="Under Consideration", Service__c="portal")
    await sync_ideas(session, source=SalesforceIdeas(gateway), ref="crm", org_id=crm.org_id)
    release = await create_release(
        session,
        owner_team_id=team.id,
        name="Winter",
        version_label="2026.12",
        status=ReleaseStatus.RELEASED,
        released_at=SHIPPED,
    )
    item = await create_item(
        session, team_id=team.id, status=BacklogItemStatus.RELEASED, release_id=release.id
    )
    feedback = await session.scalar(select(Feedback).where(Feedback.external_id == idea["Id"]))
    assert feedback is not None
    feedback.status, feedback.backlog_item_id = FeedbackStatus.PLANNED, item.id
    await session.flush()
    await publish(session, BacklogItemsReleased((item.id,)))
    await session.flush()
    return idea


async def _send(
    sessionmaker: async_sessionmaker[AsyncSession],
    gateway: SalesforceGateway,
    crm: FakeOrg,
    now: datetime,
) -> SendSummary:
    return await send_write_backs(
        sessionmaker,
        target=SalesforceIdeas(gateway),
        refs={crm.org_id: "crm"},
        status="Delivered",
        now=now,
    )


def _comments(crm: FakeOrg, idea: dict[str, object]) -> list[str]:
    return [
        c["CommentBody"] for c in crm.records["IdeaComment"].values() if c["IdeaId"] == idea["Id"]
    ]


async def test_a_shipped_idea_gets_its_status_and_one_comment(
    gateway: SalesforceGateway,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    fake: FakeSalesforce,
    crm: FakeOrg,
) -> None:
    idea = await ship_imported_idea(session, gateway, crm)
    now = datetime.now(UTC)

    first = await _send(sessionmaker, gateway, crm, now)
    again = await _send(sessionmaker, gateway, crm, now + timedelta(minutes=1))

    assert (first.sent, again.sent) == (1, 0)
    assert idea["Status"] == "Delivered"
    [comment] = _comments(crm, idea)
    assert comment.startswith("Delivered in release Winter 2026.12 on 2026-12-04.")
    rows = (await session.scalars(select(IdeaWriteBack))).all()
    assert len(rows) == 1
    assert [c.kind for c in fake.calls if c.method in ("POST", "PATCH") and c.org_id] == [
        "update",
        "create",
    ]


async def test_salesforce_down_keeps_the_write_back_for_a_later_try(
    gateway: SalesforceGateway,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    crm: FakeOrg,
) -> None:
    idea = await ship_imported_idea(session, gateway, crm)
    now = datetime.now(UTC)
    crm.failing = True

    down = await _send(sessionmaker, gateway, crm, now)
    crm.heal()
    too_soon = await _send(sessionmaker, gateway, crm, now)
    await asyncio.sleep(0.6)  # the open circuit's time-to-live
    later = await _send(sessionmaker, gateway, crm, now + timedelta(minutes=5))

    assert (down.failed, too_soon.sent, later.sent) == (1, 0, 1)
    assert idea["Status"] == "Delivered"
    assert len(_comments(crm, idea)) == 1
    row = await session.scalar(select(IdeaWriteBack).execution_options(populate_existing=True))
    assert row is not None
    assert row.sent_at is not None
    assert row.attempts == 2


async def test_a_comment_made_before_a_lost_answer_is_not_made_again(
    gateway: SalesforceGateway,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    crm: FakeOrg,
) -> None:
    idea = await ship_imported_idea(session, gateway, crm)
    row = await session.scalar(select(IdeaWriteBack))
    assert row is not None
    crm.add("IdeaComment", IdeaId=idea["Id"], CommentBody=row.comment)

    summary = await _send(sessionmaker, gateway, crm, datetime.now(UTC))

    assert summary.sent == 1
    assert len(_comments(crm, idea)) == 1
    assert idea["Status"] == "Delivered"
