"""Ideas re-synced with their Votes into the feedback score, through the fake over HTTPS."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Tier
from feedback import repository
from feedback.ideas_sync import SyncSummary, sync_ideas
from feedback.models import Feedback, FeedbackChannel, SalesforceIdea, SalesforceVote, Vote
from feedback.score import priority_score
from salesforce.fake import FakeOrg, FakeSalesforce
from salesforce.gateway import SalesforceGateway
from salesforce.ideas import SalesforceIdeas
from salesforce.queries import CHUNK
from tests.builders.catalog import create_service
from tests.builders.identity import create_person

NOVEMBER = datetime(2026, 11, 1, tzinfo=UTC)


async def _by_title(session: AsyncSession) -> dict[str, Feedback]:
    rows = await session.scalars(
        select(Feedback)
        .where(Feedback.channel == FeedbackChannel.SALESFORCE_IDEAS)
        .execution_options(populate_existing=True)
    )
    return {row.title: row for row in rows}


async def _sync(session: AsyncSession, gateway: SalesforceGateway, org: FakeOrg) -> SyncSummary:
    return await sync_ideas(session, source=SalesforceIdeas(gateway), ref="crm", org_id=org.org_id)


def _ranking(found: dict[str, Feedback]) -> list[str]:
    return [f.title for f in sorted(found.values(), key=lambda f: -(f.score or 0))]


async def test_mapped_votes_count_as_people_the_others_as_external(
    gateway: SalesforceGateway, session: AsyncSession, crm: FakeOrg
) -> None:
    await create_service(session, salesforce_key="portal", tier=Tier.TIER_1)
    ada = await create_person(session, email="Ada@Example.test")
    bob = await create_person(session, subject="bob-okta-id")
    by_email = crm.add("User", Email="ada@example.test")
    by_federation = crm.add("User", FederationIdentifier="bob-okta-id")
    strangers = [crm.add("User", Email=f"guest{n}@partner.test") for n in range(3)]
    older = crm.add("Idea", Title="Older, voted", Service__c="portal", CreatedDate=NOVEMBER)
    newer = crm.add("Idea", Title="Newer, unvoted", Service__c="portal")
    for user in (by_email, by_federation, *strangers):
        crm.add("Vote", ParentId=older["Id"], Type="Up", CreatedById=user["Id"])
    crm.add("Vote", ParentId=newer["Id"], Type="Down", CreatedById=strangers[0]["Id"])

    summary = await _sync(session, gateway, crm)

    found = await _by_title(session)
    voted = found["Older, voted"]
    assert summary == SyncSummary(changed=2, imported=2, rescored=2, votes=6, unknown_service=0)
    assert (voted.vote_count, voted.external_vote_count) == (2, 3)
    assert (found["Newer, unvoted"].vote_count, found["Newer, unvoted"].external_vote_count) == (
        0,
        0,
    )
    assert voted.score == pytest.approx(
        priority_score(
            kind="IDEA",
            votes=2,
            voter_teams=0,
            external_votes=3,
            rating=None,
            tier="TIER_1",
            created_at=NOVEMBER,
        )
    )
    assert _ranking(found) == ["Older, voted", "Newer, unvoted"]
    link = await session.get(SalesforceIdea, voted.id)
    assert link is not None
    assert link.vote_total == 50
    people = await session.scalars(
        select(SalesforceVote.person_id).where(
            SalesforceVote.feedback_id == voted.id, SalesforceVote.person_id.is_not(None)
        )
    )
    assert set(people) == {ada.id, bob.id}


async def test_a_person_voting_in_both_places_counts_once(
    gateway: SalesforceGateway, session: AsyncSession, crm: FakeOrg
) -> None:
    await create_service(session, salesforce_key="portal")
    ada = await create_person(session, email="ada@example.test")
    user = crm.add("User", FederationIdentifier="ada@example.test")
    idea = crm.add("Idea", Title="Dark mode", Service__c="portal")
    crm.add("Vote", ParentId=idea["Id"], Type="Up", CreatedById=user["Id"])
    await _sync(session, gateway, crm)
    feedback = (await _by_title(session))["Dark mode"]
    session.add(Vote(feedback_id=feedback.id, person_id=ada.id))
    await session.flush()

    counts = await repository.vote_counts(session, feedback.id)

    assert (counts.votes, counts.external) == (1, 0)


async def test_resync_reads_only_changed_ideas_and_is_idempotent(
    gateway: SalesforceGateway, session: AsyncSession, fake: FakeSalesforce, crm: FakeOrg
) -> None:
    await create_service(session, salesforce_key="portal")
    quiet = crm.add("Idea", Title="Quiet", Service__c="portal", CreatedDate=NOVEMBER)
    busy = crm.add("Idea", Title="Busy", Service__c="portal", CreatedDate=NOVEMBER.replace(day=2))
    crm.add("Vote", ParentId=quiet["Id"], Type="Up")
    await _sync(session, gateway, crm)
    fake.clear_calls()

    unchanged = await _sync(session, gateway, crm)
    crm.add("Vote", ParentId=busy["Id"], Type="Up")
    crm.add("Vote", ParentId=busy["Id"], Type="Up")
    changed = await _sync(session, gateway, crm)

    assert unchanged.changed == 0
    assert changed == SyncSummary(changed=1, imported=0, rescored=1, votes=2, unknown_service=0)
    assert fake.soql_by_object(crm) == {"Idea": 2, "Vote": 1}
    found = await _by_title(session)
    assert (found["Quiet"].external_vote_count, found["Busy"].external_vote_count) == (1, 2)
    assert _ranking(found) == ["Busy", "Quiet"]
    assert len(found) == 2


async def test_a_retracted_vote_goes_away(
    gateway: SalesforceGateway, session: AsyncSession, crm: FakeOrg
) -> None:
    await create_service(session, salesforce_key="portal")
    idea = crm.add("Idea", Title="Dark mode", Service__c="portal")
    vote = crm.add("Vote", ParentId=idea["Id"], Type="Up")
    await _sync(session, gateway, crm)
    del crm.records["Vote"][vote["Id"]]
    # As the platform does: the totals recounted, the Idea modified (maybe in the same second).
    crm.records["Idea"][idea["Id"]].update(
        VoteTotal=0, VoteScore=0.0, LastModifiedDate=datetime.now(UTC)
    )

    await _sync(session, gateway, crm)

    assert (await _by_title(session))["Dark mode"].external_vote_count == 0


async def test_votes_of_many_ideas_are_read_in_chunks(
    gateway: SalesforceGateway, session: AsyncSession, fake: FakeSalesforce, crm: FakeOrg
) -> None:
    await create_service(session, salesforce_key="portal")
    for n in range(CHUNK + 1):
        idea = crm.add("Idea", Title=f"Idea {n:03d}", Service__c="portal")
        crm.add("Vote", ParentId=idea["Id"], Type="Up")

    summary = await _sync(session, gateway, crm)

    assert summary.votes == CHUNK + 1
    assert fake.soql_by_object(crm)["Vote"] == 2


async def test_a_merged_ideas_votes_count_on_the_surviving_item_once_per_voter(
    gateway: SalesforceGateway, session: AsyncSession, crm: FakeOrg
) -> None:
    await create_service(session, salesforce_key="portal")
    guest = crm.add("User", Email="guest@partner.test")
    first = crm.add("Idea", Title="Dark mode", Service__c="portal")
    second = crm.add("Idea", Title="Night theme", Service__c="portal")
    for idea in (first, second):
        crm.add("Vote", ParentId=idea["Id"], Type="Up", CreatedById=guest["Id"])
    crm.add("Vote", ParentId=second["Id"], Type="Up")
    await _sync(session, gateway, crm)
    found = await _by_title(session)
    found["Night theme"].merged_into_id = found["Dark mode"].id
    await session.flush()

    await _sync(session, gateway, crm)  # nothing changed: the survivor is not rescored yet
    crm.add("Vote", ParentId=second["Id"], Type="Down")
    await _sync(session, gateway, crm)

    assert (await _by_title(session))["Dark mode"].external_vote_count == 2
