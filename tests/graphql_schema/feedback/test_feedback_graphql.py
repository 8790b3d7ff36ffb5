"""Feedback through GraphQL: submit, vote, triage, merge, promote, rank, satisfaction."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Tier
from core.events import BacklogItemsReleased, publish
from feedback import actions
from feedback.models import FeedbackChannel, FeedbackKind
from graphql_schema.node import global_id
from identity.principal import Principal, Role
from server import subscribers
from tests.builders.catalog import create_service
from tests.builders.identity import create_person
from tests.conftest import StatementCounter
from tests.graphql import data

SUBMIT = """
mutation($input: SubmitFeedbackInput!) {
  submitFeedback(input: $input) {
    feedback { id title status voteCount score author { displayName } }
    replayed
    userErrors { field code message }
  }
}
"""
VOTE = """
mutation($input: FeedbackVoteInput!) {
  voteFeedback(input: $input) { feedback { voteCount viewerHasVoted } userErrors { code } }
}
"""
RETRACT = """
mutation($input: FeedbackVoteInput!) {
  retractFeedbackVote(input: $input) { feedback { voteCount viewerHasVoted } userErrors { code } }
}
"""
TRANSITION = """
mutation($input: TransitionFeedbackInput!) {
  transitionFeedback(input: $input) {
    feedback { status version statusHistory { fromStatus toStatus } }
    userErrors { field code message }
  }
}
"""
PROMOTE = """
mutation($input: PromoteFeedbackInput!) {
  promoteFeedback(input: $input) {
    feedback { status backlogItem { type status title sourceType sourceId } }
    userErrors { code message }
  }
}
"""
MERGE = """
mutation($input: MergeFeedbackInput!) {
  mergeFeedback(input: $input) { feedback { id voteCount } userErrors { code message } }
}
"""


def _person(person_id: Any, *teams: Any) -> Principal:
    return Principal(
        str(person_id),
        "https://idp.test",
        frozenset({Role.CONTRIBUTOR}),
        person_id,
        frozenset(teams),
    )


async def _submit(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    given = {"service": "crm", "kind": "IDEA", "title": "Bulk edit", "body": "Please.", **overrides}
    result = await data(client, SUBMIT, {"input": given})
    payload: dict[str, Any] = result["submitFeedback"]
    return payload


async def test_submit_with_a_key_twice_returns_the_first_item(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_service(session, slug="crm")

    first = await _submit(client, idempotencyKey="abc")
    second = await _submit(client, idempotencyKey="abc")

    assert first["userErrors"] == []
    assert first["replayed"] is False
    assert second["replayed"] is True
    assert second["feedback"]["id"] == first["feedback"]["id"]
    assert first["feedback"]["author"] == {"displayName": "Development user"}


async def test_an_overlong_or_empty_key_is_a_user_error_and_stores_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """Found by fuzzing: a key over the column's 200 characters was an INTERNAL_SERVER_ERROR."""
    await create_service(session, slug="crm")

    overlong = await _submit(client, idempotencyKey="k" * 201)
    empty = await _submit(client, idempotencyKey="")

    assert overlong == {
        "feedback": None,
        "replayed": False,
        "userErrors": [
            {"field": ["idempotencyKey"], "code": "TOO_LONG", "message": "at most 200 characters"}
        ],
    }
    assert empty["userErrors"] == [
        {"field": ["idempotencyKey"], "code": "REQUIRED", "message": "an empty idempotency key"}
    ]
    assert (await _submit(client, idempotencyKey="k" * 200))["userErrors"] == []


async def test_an_unknown_service_is_a_user_error(client: httpx.AsyncClient) -> None:
    payload = await _submit(client, service="nowhere")

    assert payload == {
        "feedback": None,
        "replayed": False,
        "userErrors": [{"field": ["service"], "code": "NOT_FOUND", "message": "no such service"}],
    }


async def test_voting_twice_counts_once_and_retracting_removes_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_service(session, slug="crm")
    feedback_id = (await _submit(client))["feedback"]["id"]
    vote = {"input": {"feedbackId": feedback_id}}

    once = await data(client, VOTE, vote)
    twice = await data(client, VOTE, vote)
    retracted = await data(client, RETRACT, vote)

    assert once["voteFeedback"]["feedback"] == {"voteCount": 1, "viewerHasVoted": True}
    assert twice["voteFeedback"]["feedback"] == {"voteCount": 1, "viewerHasVoted": True}
    assert retracted["retractFeedbackVote"]["feedback"] == {"voteCount": 0, "viewerHasVoted": False}


async def test_triage_follows_the_table_and_names_the_allowed_states(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_service(session, slug="crm")
    feedback_id = (await _submit(client))["feedback"]["id"]

    refused = await data(
        client, TRANSITION, {"input": {"id": feedback_id, "version": 1, "to": "DELIVERED"}}
    )
    moved = await data(
        client, TRANSITION, {"input": {"id": feedback_id, "version": 1, "to": "UNDER_REVIEW"}}
    )

    (error,) = refused["transitionFeedback"]["userErrors"]
    assert error["code"] == "INVALID_TRANSITION"
    assert "allowed next: UNDER_REVIEW, DECLINED, DUPLICATE" in error["message"]
    feedback = moved["transitionFeedback"]["feedback"]
    assert feedback["status"] == "UNDER_REVIEW"
    assert feedback["statusHistory"] == [
        {"fromStatus": None, "toStatus": "NEW"},
        {"fromStatus": "NEW", "toStatus": "UNDER_REVIEW"},
    ]


async def test_promotion_links_both_ways_and_release_delivers(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_service(session, slug="crm")
    feedback_id = (await _submit(client, kind="BUG"))["feedback"]["id"]

    promoted = await data(client, PROMOTE, {"input": {"id": feedback_id, "version": 1}})

    feedback = promoted["promoteFeedback"]["feedback"]
    assert feedback["status"] == "PLANNED"
    item = feedback["backlogItem"]
    assert item["type"] == "DEFECT"
    assert item["status"] == "NEW"
    assert (item["sourceType"], item["sourceId"]) == ("FEEDBACK", feedback_id)

    subscribers.wire()
    stored = await actions.get_feedback(session, _uuid(feedback_id))
    assert stored.backlog_item_id is not None
    await publish(session, BacklogItemsReleased((stored.backlog_item_id,)))
    await session.flush()
    after = await data(
        client,
        "query($id: ID!) { node(id: $id) { ... on Feedback { status } } }",
        {"id": feedback_id},
    )
    assert after["node"] == {"status": "DELIVERED"}


def _uuid(global_value: str) -> Any:
    from core.ids import GlobalId

    return GlobalId.decode(global_value).id


async def test_merging_moves_votes_without_double_votes(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, slug="crm")
    people = [await create_person(session) for _ in range(3)]
    submission = actions.Submission("crm", FeedbackKind.IDEA, "Idea", "Body")
    source = await _stored(session, people[0], submission, service.slug)
    target = await _stored(session, people[0], submission, service.slug)
    for person in people:
        await actions.vote(session, principal=_person(person.id), feedback_id=source.id)
    await actions.vote(session, principal=_person(people[0].id), feedback_id=target.id)

    merged = await data(
        client,
        MERGE,
        {
            "input": {
                "sourceId": global_id("Feedback", source.id),
                "targetId": global_id("Feedback", target.id),
            }
        },
    )

    assert merged["mergeFeedback"]["feedback"]["voteCount"] == 3
    source_after = await actions.get_feedback(session, source.id)
    await session.refresh(source_after)
    assert source_after.status.value == "DUPLICATE"
    assert source_after.vote_count == 0


async def _stored(
    session: AsyncSession, author: Any, submission: actions.Submission, slug: str
) -> Any:
    return await actions.submit_feedback(
        session,
        principal=_person(author.id),
        service=slug,
        submission=submission,
        channel=FeedbackChannel.GRAPHQL,
        allow_anonymous=False,
    )


RANKING = """
query($first: Int!, $after: String) {
  feedbackRanking(scope: ORGANISATION, first: $first, after: $after) {
    edges { node { title score } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_the_ranking_pages_by_score_without_repeats(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, slug="crm", tier=Tier.TIER_1)
    author = await create_person(session)
    for index in range(7):
        submission = actions.Submission(
            "crm", FeedbackKind.IDEA, f"Idea {index}", "Body", rating=index % 5 + 1
        )
        await _stored(session, author, submission, service.slug)
    await _stored(
        session, author, actions.Submission("crm", FeedbackKind.PRAISE, "Thanks", "Great"), "crm"
    )

    seen: list[tuple[str, float]] = []
    after = None
    while True:
        page = (await data(client, RANKING, {"first": 3, "after": after}))["feedbackRanking"]
        seen += [(edge["node"]["title"], edge["node"]["score"]) for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert len(seen) == 7
    assert len({title for title, _ in seen}) == 7
    assert [score for _, score in seen] == sorted((score for _, score in seen), reverse=True)


SATISFACTION = """
{
  services(first: 50) {
    edges { node { slug satisfaction { meanRating satisfiedShare ratings } } }
  }
}
"""


async def test_satisfaction_is_computed_in_one_statement_for_any_number_of_services(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    author = await create_person(session)
    for index in range(12):
        service = await create_service(session, slug=f"svc-{index:02d}", name=f"Svc {index:02d}")
        for rating in (index % 5 + 1, 5):
            submission = actions.Submission(
                service.slug, FeedbackKind.IDEA, "x", "y", rating=rating
            )
            await _stored(session, author, submission, service.slug)
    await data(client, "{ viewer { roles } }")

    count_statements.reset()
    result = await data(client, SATISFACTION)

    first = result["services"]["edges"][0]["node"]
    assert first == {
        "slug": "svc-00",
        "satisfaction": {"meanRating": 3.0, "satisfiedShare": 0.5, "ratings": 2},
    }
    selects = [s for s in count_statements.statements if "feedback" in s and s.startswith("SELECT")]
    assert len(selects) == 1
