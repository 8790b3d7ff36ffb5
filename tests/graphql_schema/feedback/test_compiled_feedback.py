"""Feedback on the compiled read path: lists and rankings answer the resolvers' JSON and
cursors (ties in creation time and score, whole and fractional scores, anonymous, merged and
promoted items) from one statement; what depends on the caller stays with the resolvers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.settings import ReadPath, Settings
from feedback.models import (
    Feedback,
    FeedbackChannel,
    FeedbackKind,
    FeedbackStatus,
    FeedbackStatusChange,
)
from graphql_schema.compiled.extension import PLAN_HEADER, _first_difference
from graphql_schema.node import global_id
from identity.audit import AuditEvent
from tests.builders.catalog import create_service
from tests.builders.identity import create_business_unit, create_person, create_team
from tests.builders.work import create_item
from tests.conftest import StatementCounter
from tests.graphql import data, gql

MakeClient = Callable[[Settings], Awaitable[httpx.AsyncClient]]

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
FEEDBACK = """
  __typename id kind title body rating channel status voteCount voterTeamCount score version
  createdAt updatedAt
  service { id slug name ownerTeam { name } }
  author { id displayName }
  mergedInto { id title mergedInto { id } }
  backlogItem { id title type rank }
  statusHistory { fromStatus toStatus at actor note }
"""
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
PAGE = f"""
query($first: Int, $after: String, $last: Int, $before: String) {{
  feedback(first: $first, after: $after, last: $last, before: $before) {{
    totalCount edges {{ cursor node {{ {FEEDBACK} }} }} {PAGE_INFO}
  }}
}}
"""
RANKING = f"""
query($scope: RankingScope!, $scopeId: ID, $first: Int, $after: String) {{
  feedbackRanking(scope: $scope, scopeId: $scopeId, first: $first, after: $after) {{
    totalCount edges {{ cursor node {{ title score kind status }} }} {PAGE_INFO}
  }}
}}
"""
SHAPES = """
query($service: ID!) {
  mine: feedback(filter: {serviceId: $service}) { nodes { ...Told } }
  ideas: feedback(filter: {kinds: [IDEA, BUG], statuses: [NEW, PLANNED, DUPLICATE]}) {
    totalCount nodes { ... on Feedback { t: title s: score by: author { n: displayName } } }
  }
  open: feedbackRanking(scope: ORGANISATION) { nodes { title score } }
  __typename
}
fragment Told on Feedback { title kind history: statusHistory { toStatus } }
"""


@pytest.fixture
async def told(session: AsyncSession) -> dict[str, str]:
    """Four items on two services of one team: ties in creation time and in score, an
    anonymous bug merged into a promoted idea, praise without a score."""
    unit = await create_business_unit(session, name="Sales Cloud")
    team = await create_team(session, name="Ärzte & Co", business_unit_id=unit.id)
    checkout = await create_service(
        session, slug="checkout", name="Checkout", owner_team_id=team.id
    )
    billing = await create_service(session, slug="billing", name="Billing", owner_team_id=team.id)
    ada = await create_person(session, display_name="Ada")
    item = await create_item(session, team_id=team.id, rank=2.5, service_id=checkout.id)

    idea = Feedback(
        service_id=checkout.id,
        author_id=ada.id,
        kind=FeedbackKind.IDEA,
        title="Bulk edit",
        body='Line one\nand "quotes"',
        rating=5,
        channel=FeedbackChannel.GRAPHQL,
        status=FeedbackStatus.PLANNED,
        backlog_item_id=item.id,
        vote_count=3,
        voter_team_count=2,
        score=12.345678901234,
        created_at=AT,
    )
    session.add(idea)
    await session.flush()
    bug = Feedback(
        service_id=checkout.id,
        contact_email="someone@example.test",
        kind=FeedbackKind.BUG,
        title="Ünicode breaks",
        body="Ä",
        channel=FeedbackChannel.API,
        status=FeedbackStatus.DUPLICATE,
        merged_into_id=idea.id,
        score=3.0,
        created_at=AT,
    )
    praise = Feedback(
        service_id=billing.id,
        author_id=ada.id,
        kind=FeedbackKind.PRAISE,
        title="Thanks",
        body="Great",
        rating=1,
        channel=FeedbackChannel.SALESFORCE_IDEAS,
        created_at=AT,
    )
    question = Feedback(
        service_id=billing.id,
        kind=FeedbackKind.QUESTION,
        title="Why?",
        body="Because.",
        channel=FeedbackChannel.API,
        score=12.345678901234,
    )
    session.add_all([bug, praise, question])
    await session.flush()
    for from_status, to_status in (
        (None, FeedbackStatus.NEW),
        (FeedbackStatus.NEW, FeedbackStatus.UNDER_REVIEW),
        (FeedbackStatus.UNDER_REVIEW, FeedbackStatus.PLANNED),
    ):
        session.add(
            FeedbackStatusChange(
                feedback_id=idea.id, from_status=from_status, to_status=to_status, at=AT
            )
        )
    session.add(
        FeedbackStatusChange(
            feedback_id=bug.id,
            from_status=FeedbackStatus.NEW,
            to_status=FeedbackStatus.DUPLICATE,
            at=AT,
            actor="person:x",
            note="Same as bulk edit",
        )
    )
    await session.flush()
    return {
        "service": global_id("Service", checkout.id),
        "team": global_id("Team", team.id),
        "unit": global_id("BusinessUnit", unit.id),
    }


async def _clients(
    settings: Settings, make_client: MakeClient
) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
    compiled = await make_client(settings.model_copy(update={"read_path": ReadPath.COMPILED}))
    resolved = await make_client(settings.model_copy(update={"read_path": ReadPath.RESOLVERS}))
    return compiled, resolved


async def _both(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
    query: str,
    variables: dict[str, Any],
    *,
    resolved_inside: bool = False,
) -> dict[str, Any]:
    compiled, resolved = clients
    answer = await gql(compiled, query, variables, headers={PLAN_HEADER: "1"})
    plan = answer.pop("extensions", {}).get("plan")
    assert plan is not None, answer
    assert plan["path"] == "compiled", plan
    assert ("resolved" in plan) is resolved_inside, plan
    expected = await gql(resolved, query, variables)
    assert "errors" not in expected, expected["errors"]
    assert json.dumps(answer) == json.dumps(expected), _first_difference(expected, answer, ())
    return answer


async def test_feedback_pages_forward_and_back_with_the_resolvers_json_and_cursors(
    told: dict[str, str], settings: Settings, make_client: MakeClient
) -> None:
    clients = await _clients(settings, make_client)
    seen: list[str] = []
    variables: dict[str, Any] = {"first": 2}
    while True:
        page = (await _both(clients, PAGE, variables))["data"]["feedback"]
        assert page["totalCount"] == 4
        seen += [edge["node"]["title"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        variables["after"] = page["pageInfo"]["endCursor"]
    # Newest first; the three made at AT tie, and are ordered by id.
    assert seen[0] == "Why?"
    assert sorted(seen[1:]) == ["Bulk edit", "Thanks", "Ünicode breaks"]

    before = page["pageInfo"]["startCursor"]
    back = (await _both(clients, PAGE, {"last": 2, "before": before}))["data"]["feedback"]
    assert [edge["node"]["title"] for edge in back["edges"]] == seen[:2]
    assert back["pageInfo"]["hasPreviousPage"] is False

    every = (await _both(clients, PAGE, {"first": 4}))["data"]["feedback"]["edges"]
    by_title = {edge["node"]["title"]: edge["node"] for edge in every}
    assert by_title["Ünicode breaks"]["mergedInto"]["title"] == "Bulk edit"
    assert by_title["Ünicode breaks"]["author"] is None
    assert by_title["Bulk edit"]["backlogItem"]["rank"] == 2.5
    assert [change["toStatus"] for change in by_title["Bulk edit"]["statusHistory"]] == [
        "NEW",
        "UNDER_REVIEW",
        "PLANNED",
    ]
    assert by_title["Thanks"]["score"] is None
    assert by_title["Ünicode breaks"]["score"] == 3.0


@pytest.mark.parametrize("scope", ["ORGANISATION", "SERVICE", "TEAM", "BUSINESS_UNIT"])
async def test_rankings_page_by_tied_scores_with_the_resolvers_cursors(
    scope: str, told: dict[str, str], settings: Settings, make_client: MakeClient
) -> None:
    clients = await _clients(settings, make_client)
    scope_id = {"SERVICE": told["service"], "TEAM": told["team"], "BUSINESS_UNIT": told["unit"]}
    variables = {"scope": scope, "scopeId": scope_id.get(scope), "first": 1}
    titles: list[str] = []
    while True:
        page = (await _both(clients, RANKING, variables))["data"]["feedbackRanking"]
        titles += [edge["node"]["title"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        variables["after"] = page["pageInfo"]["endCursor"]
    # Open and scored only: the merged bug is DUPLICATE, the praise has no score.
    expected = {"SERVICE": ["Bulk edit"]}.get(scope, ["Why?", "Bulk edit"])
    assert sorted(titles) == sorted(expected)


async def test_filters_aliases_and_fragments_compile(
    told: dict[str, str], settings: Settings, make_client: MakeClient
) -> None:
    clients = await _clients(settings, make_client)
    body = await _both(clients, SHAPES, {"service": told["service"]})
    titles = [node["title"] for node in body["data"]["mine"]["nodes"]]
    assert sorted(titles) == ["Bulk edit", "Ünicode breaks"]
    assert body["data"]["ideas"]["totalCount"] == 2


async def test_the_callers_fields_are_answered_by_the_resolvers_and_audited(
    told: dict[str, str], settings: Settings, make_client: MakeClient, session: AsyncSession
) -> None:
    """`contactEmail` (owner team and ADMIN only, audited) and `viewerHasVoted` depend on
    the caller: the compiled statement leaves them to the resolvers, inside its objects."""
    clients = await _clients(settings, make_client)
    query = "{ feedback { nodes { title contactEmail viewerHasVoted } } }"
    body = await _both(clients, query, {}, resolved_inside=True)
    emails = {node["title"]: node["contactEmail"] for node in body["data"]["feedback"]["nodes"]}
    assert emails["Ünicode breaks"] == "someone@example.test"
    reads = list(
        await session.scalars(select(AuditEvent).where(AuditEvent.action == "READ_SENSITIVE"))
    )
    # One per request: the compiled one's and the resolvers'.
    assert [list(event.details) for event in reads] == [["Feedback.contactEmail"]] * 2


async def test_arguments_the_resolvers_refuse_are_refused_alike(
    told: dict[str, str], settings: Settings, make_client: MakeClient
) -> None:
    compiled, resolved = await _clients(settings, make_client)
    for query in (
        "{ feedbackRanking(scope: TEAM) { nodes { title } } }",
        f'{{ feedbackRanking(scope: TEAM, scopeId: "{told["service"]}") {{ nodes {{ title }} }} }}',
        '{ feedback(filter: {serviceId: "nope"}) { nodes { title } } }',
        '{ feedback(after: "nope") { nodes { title } } }',
    ):
        answer = await gql(compiled, query)
        assert "errors" in answer, answer
        assert json.dumps(answer) == json.dumps(await gql(resolved, query)), query


# Per request, beside the domain reads: the harness's SET TRANSACTION READ ONLY
# (tests/bench_guard/test_statement_budget.py says why), and its savepoints.
_HARNESS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "SET TRANSACTION")


def _domain_statements(counter: StatementCounter) -> list[str]:
    return [sql for sql in counter.statements if not sql.lstrip().upper().startswith(_HARNESS)]


@pytest.mark.read_path("compiled")
async def test_a_page_of_feedback_with_every_relation_is_one_statement(
    told: dict[str, str], client: httpx.AsyncClient, count_statements: StatementCounter
) -> None:
    await data(client, "{ __typename }")  # looks the development person up once
    for query, variables in (
        (PAGE, {"first": 1}),
        (PAGE, {"first": 4}),
        (RANKING, {"scope": "TEAM", "scopeId": told["team"], "first": 4}),
        (SHAPES, {"service": told["service"]}),
    ):
        count_statements.reset()
        await data(client, query, variables)
        assert len(_domain_statements(count_statements)) == 1, count_statements.statements
