"""REVIEW_DUE: the Monday digest of owner reviews due — one email per owner person, one notice
per owner team to its services' channels, each once a week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catalog.services.models import OwnershipRoleKind
from core.clock import utcnow
from core.ids import encode_global_id
from core.settings import Settings
from notifications.models import NotificationEvent
from notifications.notices.reviews import iso_week
from server.jobs import JOBS
from server.jobs.review_digest import send_review_digest
from tests.builders.ai_models import create_ai_model
from tests.builders.catalog import create_ownership_role, create_service
from tests.builders.identity import create_person, create_team
from tests.builders.service_levels import create_sla
from tests.notifications.channel_builders import create_channel
from tests.notifications.producers import deliveries, job_context

REVIEW_DUE = [NotificationEvent.REVIEW_DUE.value]


def test_the_digest_goes_out_on_mondays_at_eight_utc() -> None:
    job = JOBS["review-digest"]
    slot = job.slot_start(datetime(2026, 12, 10, 15, tzinfo=UTC))  # a Thursday
    assert slot == datetime(2026, 12, 7, 8, tzinfo=UTC)
    assert slot.weekday() == 0
    assert job.every == timedelta(weeks=1)


async def test_each_owner_gets_one_digest_a_week_and_each_team_one_notice(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    settings: Settings,
) -> None:
    long_ago = utcnow() - timedelta(days=400)
    team = await create_team(session)
    stale = await create_service(
        session, owner_team_id=team.id, name="Portal", last_reviewed_at=long_ago
    )
    await create_service(session, owner_team_id=team.id)  # fresh: not due
    sla = await create_sla(session, stale.id, 0.9, last_reviewed_at=long_ago)
    owner = await create_person(session, email="owner@example.test")
    gone = await create_person(session, email="gone@example.test", active=False)
    for person in (owner, gone):
        await create_ownership_role(session, service_id=stale.id, person_id=person.id)
    await create_ownership_role(
        session,
        service_id=stale.id,
        person_id=(await create_person(session)).id,
        role=OwnershipRoleKind.AI_MODEL_OWNER,
    )
    modeller = await create_person(session, email="modeller@example.test")
    model = await create_ai_model(
        session, service_id=stale.id, owner_person_id=modeller.id, last_reviewed_at=long_ago
    )
    team_channel = await create_channel(session, events=REVIEW_DUE, service_ids=[stale.id])
    await create_channel(session, events=[NotificationEvent.SLA_BREACHED.value])
    context = job_context(settings, engine, sessionmaker)

    await send_review_digest(context)
    await send_review_digest(context)

    week = iso_week(utcnow())
    mine = [
        item
        for item in await deliveries(session)
        if item.recipient in {"owner@example.test", "modeller@example.test"}
        or item.channel_id == team_channel.id
    ]
    assert sorted((item.recipient or "team", item.event_key) for item in mine) == [
        ("modeller@example.test", f"review-digest:{modeller.id}:{week}"),
        ("owner@example.test", f"review-digest:{owner.id}:{week}"),
        ("team", f"review-digest:team:{team.id}:{week}"),
    ]
    assert not [item for item in await deliveries(session) if item.recipient == "gone@example.test"]
    by_recipient = {item.recipient: item for item in mine}
    owners = by_recipient["owner@example.test"]
    assert owners.body["type"] == "review.due"
    assert {review["id"] for review in owners.body["data"]["reviews"]} == {
        encode_global_id("Service", stale.id),
        encode_global_id("Sla", sla.id),
    }
    assert owners.message["title"] == "2 owner reviews due this week"
    assert [
        review["id"] for review in by_recipient["modeller@example.test"].body["data"]["reviews"]
    ] == [encode_global_id("AIModel", model.id)]
    assert len(by_recipient[None].body["data"]["reviews"]) == 3
