"""`search`: one query across every kind the caller may read, ranked, paged, highlighted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from core.history import RecordVersion
from core.oidc_settings import IssuerConfig
from core.settings import Settings, load_settings
from feedback.models import Feedback, FeedbackChannel, FeedbackKind
from graphql_schema.node import global_id
from identity.models import Team
from tests.builders.catalog import create_org, create_service
from tests.builders.identity import create_person, create_team
from tests.builders.work import create_incident, create_item, create_request
from tests.graphql import gql

SEARCH = """
query Search($query: String!, $kinds: [SearchKind!], $first: Int, $after: String) {
  search(query: $query, kinds: $kinds, first: $first, after: $after) {
    edges {
      cursor rank snippet
      node {
        __typename
        ... on Service { id name }
        ... on Team { id name }
        ... on SalesforceOrg { id name }
        ... on ServiceRequest { id title }
        ... on Incident { id title }
        ... on Feedback { id title }
        ... on BacklogItem { id title }
        ... on Person { id displayName }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

PUBLIC_SEARCH = """
query Search($query: String!) {
  search(query: $query) {
    edges { rank snippet node { __typename ... on Service { name } ... on Team { name } } }
  }
}
"""


def _settings(**overrides: Any) -> Settings:
    return load_settings(database_url="postgresql://unused/unused", _env_file=None, **overrides)


@pytest.fixture
async def viewer(make_client: Any) -> httpx.AsyncClient:
    client: httpx.AsyncClient = await make_client(_settings(dev_roles="VIEWER"))
    return client


@pytest.fixture
async def anonymous(make_client: Any) -> httpx.AsyncClient:
    issuer = IssuerConfig(issuer="https://idp.example.test", audience="catalog-api")
    client: httpx.AsyncClient = await make_client(
        _settings(oidc_issuers=(issuer,), anonymous_read=True)
    )
    return client


@dataclass
class Desk:
    service: Any
    request: Any
    incident: Any
    feedback: Any
    item: Any


@pytest.fixture
async def desk(session: AsyncSession) -> Desk:
    """A service desk where a login loop is reported four ways, and unrelated noise."""
    team = await create_team(session, name="Identity platform")
    service = await create_service(
        session, name="Partner portal", description="Where partners sign in", owner_team_id=team.id
    )
    person = await create_person(session, display_name="Ada Lovelace")
    request = await create_request(
        session,
        service_id=service.id,
        requester_id=person.id,
        title="Reset my login",
        body="I am stuck in a redirect after the SSO page.",
    )
    incident = await create_incident(
        session, service_ids=[service.id], title="Login loop after SSO for partners"
    )
    feedback = Feedback(
        service_id=service.id,
        author_id=person.id,
        kind=FeedbackKind.BUG,
        channel=FeedbackChannel.API,
        title="Annoying redirect",
        body="Every morning the portal sends me round a login loop before I get in.",
    )
    session.add(feedback)
    item = await create_item(
        session, team_id=team.id, title="Fix the logins that loop", service_id=service.id
    )
    await create_request(
        session, service_id=service.id, requester_id=person.id, title="New laptop", body="Please"
    )
    await session.flush()
    return Desk(service, request, incident, feedback, item)


async def _search(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    return await gql(client, SEARCH, {"query": query, **variables})


def _found(body: dict[str, Any]) -> list[tuple[str, str]]:
    assert "errors" not in body, body["errors"]
    return [
        (edge["node"]["__typename"], edge["node"]["id"]) for edge in body["data"]["search"]["edges"]
    ]


def _ids(desk: Desk) -> set[tuple[str, str]]:
    return {
        ("ServiceRequest", global_id("ServiceRequest", desk.request.id)),
        ("Incident", global_id("Incident", desk.incident.id)),
        ("Feedback", global_id("Feedback", desk.feedback.id)),
        ("BacklogItem", global_id("BacklogItem", desk.item.id)),
    }


async def test_one_query_finds_the_incident_request_feedback_and_backlog_item(
    viewer: httpx.AsyncClient, desk: Desk
) -> None:
    body = await _search(viewer, "login")

    assert set(_found(body)) == _ids(desk)
    edges = body["data"]["search"]["edges"]
    ranks = [edge["rank"] for edge in edges]
    assert ranks == sorted(ranks, reverse=True)
    # A title that says it outranks a body that mentions it.
    assert edges[-1]["node"]["__typename"] == "Feedback"
    snippets = {edge["node"]["__typename"]: edge["snippet"] for edge in edges}
    assert snippets["Feedback"] == (
        "Every morning the portal sends me round a <mark>login</mark> loop before I get in."
    )
    assert body["data"]["search"]["pageInfo"]["hasNextPage"] is False


async def test_a_typo_in_a_title_still_finds_it(viewer: httpx.AsyncClient, desk: Desk) -> None:
    body = await _search(viewer, "logn")

    found = set(_found(body))
    assert {
        ("ServiceRequest", global_id("ServiceRequest", desk.request.id)),
        ("Incident", global_id("Incident", desk.incident.id)),
    } <= found
    assert ("Feedback", global_id("Feedback", desk.feedback.id)) not in found  # body only


async def test_web_search_syntax_excludes_and_quotes(viewer: httpx.AsyncClient, desk: Desk) -> None:
    excluded = await _search(viewer, "login -sso", kinds=["INCIDENT", "REQUEST", "FEEDBACK"])
    phrase = await _search(viewer, '"login loop"')
    either = await _search(viewer, "laptop or redirect", kinds=["REQUEST"])

    assert set(_found(excluded)) == {("Feedback", global_id("Feedback", desk.feedback.id))}
    assert {name for name, _ in _found(phrase)} == {"Incident", "Feedback"}
    assert len(_found(either)) == 2


async def test_stems_match_across_forms(viewer: httpx.AsyncClient, desk: Desk) -> None:
    body = await _search(viewer, "logins", kinds=["INCIDENT"])

    assert _found(body) == [("Incident", global_id("Incident", desk.incident.id))]


async def test_kinds_narrow_the_search(viewer: httpx.AsyncClient, desk: Desk) -> None:
    body = await _search(viewer, "login", kinds=["BACKLOG_ITEM"])

    assert _found(body) == [("BacklogItem", global_id("BacklogItem", desk.item.id))]


async def test_services_teams_and_people_are_found_by_name(
    viewer: httpx.AsyncClient, desk: Desk
) -> None:
    services = await _search(viewer, "partner portal", kinds=["SERVICE"])
    teams = await _search(viewer, "identity", kinds=["TEAM"])
    people = await _search(viewer, "lovelace", kinds=["PERSON"])

    assert _found(services) == [("Service", global_id("Service", desk.service.id))]
    assert [name for name, _ in _found(teams)] == ["Team"]
    assert [name for name, _ in _found(people)] == ["Person"]


async def test_pages_follow_each_other_without_overlap(
    viewer: httpx.AsyncClient, desk: Desk
) -> None:
    whole = _found(await _search(viewer, "login"))
    first = await _search(viewer, "login", first=3)
    cursor = first["data"]["search"]["pageInfo"]["endCursor"]
    second = await _search(viewer, "login", first=3, after=cursor)

    assert first["data"]["search"]["pageInfo"]["hasNextPage"] is True
    assert second["data"]["search"]["pageInfo"]["hasNextPage"] is False
    assert _found(first) + _found(second) == whole


async def test_archived_services_are_not_found(
    viewer: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_service(session, name="Old billing", archived_at=utcnow() - timedelta(days=1))
    live = await create_service(session, name="New billing")

    body = await _search(viewer, "billing", kinds=["SERVICE"])

    assert _found(body) == [("Service", global_id("Service", live.id))]


async def test_an_anonymous_caller_finds_the_public_catalog_only(
    anonymous: httpx.AsyncClient, desk: Desk, session: AsyncSession
) -> None:
    await create_org(session, name="Login production")
    await create_service(session, name="Login broker", description="SSO for everyone")

    body = await gql(anonymous, PUBLIC_SEARCH, {"query": "login"})

    assert "errors" not in body, body
    names = [edge["node"].get("name") for edge in body["data"]["search"]["edges"]]
    kinds = {edge["node"]["__typename"] for edge in body["data"]["search"]["edges"]}
    assert "Login broker" in names
    assert kinds <= {"Service", "Team", "SalesforceOrg"}


async def test_an_anonymous_caller_may_not_ask_for_private_kinds(
    anonymous: httpx.AsyncClient, desk: Desk
) -> None:
    asked = await gql(
        anonymous,
        PUBLIC_SEARCH.replace("(query: $query)", "(query: $query, kinds: [INCIDENT])"),
        {"query": "login"},
    )
    selected = await _search(anonymous, "login")

    assert asked == {"data": {"search": {"edges": []}}}
    assert selected["data"] is None
    assert [error["extensions"]["code"] for error in selected["errors"]] == ["UNAUTHENTICATED"]


async def test_a_snippet_is_safe_to_show_as_html(
    viewer: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    await create_item(
        session, team_id=team.id, title="Sanitise", description="<script>alert(1)</script> login"
    )

    body = await _search(viewer, "login", kinds=["BACKLOG_ITEM"])

    snippet = body["data"]["search"]["edges"][0]["snippet"]
    assert snippet == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>login</mark>"


@pytest.mark.parametrize("query", ["the", "-", '""', "a an the -", "   "])
async def test_stop_words_and_operators_alone_find_nothing_or_are_refused(
    viewer: httpx.AsyncClient, desk: Desk, query: str
) -> None:
    body = await _search(viewer, query)

    if query.strip():
        assert body == {
            "data": {"search": {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}}
        }
    else:
        assert body["data"] is None
        assert body["errors"][0]["message"] == "query must not be empty"
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"query": ""}, "query must not be empty"),
        ({"query": "x" * 2000}, "query holds at most 200 characters; 2000 were given"),
        ({"query": "login", "first": -1}, "first and last must not be negative"),
        (
            {"query": "login", "after": "bm90IGEgY3Vyc29y"},
            "'bm90IGEgY3Vyc29y' is not a valid cursor",
        ),
    ],
)
async def test_bad_input_is_a_clear_error(
    viewer: httpx.AsyncClient, variables: dict[str, Any], message: str
) -> None:
    body = await gql(viewer, SEARCH, variables)

    assert body["data"] is None
    assert [(error["message"], error["extensions"]["code"]) for error in body["errors"]] == [
        (message, "BAD_USER_INPUT")
    ]


async def test_a_cursor_of_another_search_is_refused(viewer: httpx.AsyncClient, desk: Desk) -> None:
    first = await _search(viewer, "login", first=1)
    cursor = first["data"]["search"]["pageInfo"]["endCursor"]

    body = await _search(viewer, "loop", after=cursor)

    assert body["data"] is None
    assert body["errors"][0]["message"] == (
        "the cursor belongs to another search; start again without it"
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_an_unknown_kind_is_a_validation_error(viewer: httpx.AsyncClient) -> None:
    body = await _search(viewer, "login", kinds=["SPACESHIP"])

    assert body["data"] is None
    assert "SPACESHIP" in body["errors"][0]["message"]


async def test_history_does_not_record_the_search_vector(session: AsyncSession) -> None:
    service = await create_service(session, name="Tracked")
    service.description = "Now described"
    await session.flush()

    versions = (
        await session.scalars(
            select(RecordVersion)
            .where(RecordVersion.record_id == service.id)
            .order_by(RecordVersion.version)
        )
    ).all()

    fields = [{change["field"] for change in version.changes} for version in versions]
    assert all("search_vector" not in found for found in fields)
    assert fields[-1] == {"description"}


async def test_a_page_above_the_cap_is_refused_like_any_list(viewer: httpx.AsyncClient) -> None:
    body = await _search(viewer, "login", first=101)

    assert body["data"] is None
    assert [(error["message"], error["extensions"]["code"]) for error in body["errors"]] == [
        ("a page holds at most 100 items; 101 were asked for", "PAGE_SIZE_EXCEEDED")
    ]


async def test_exclusions_alone_find_nothing(viewer: httpx.AsyncClient, desk: Desk) -> None:
    body = await _search(viewer, "-sso")

    assert _found(body) == []


WITH_SERVICES = """
query Search($query: String!) {
  search(query: $query) {
    nodes {
      ... on ServiceRequest { title service { name } }
      ... on Incident { title services { name } }
      ... on Feedback { title service { name } }
      ... on BacklogItem { title }
    }
  }
}
"""


async def test_a_page_costs_one_statement_per_kind_found_not_per_hit(
    viewer: httpx.AsyncClient, desk: Desk, session: AsyncSession, count_statements: Any
) -> None:
    team = await session.get(Team, desk.service.owner_team_id)
    assert team is not None
    for n in range(5):
        await create_item(session, team_id=team.id, title=f"Login item {n}")
    await session.flush()
    count_statements.reset()

    body = await gql(viewer, WITH_SERVICES, {"query": "login"})

    assert "errors" not in body, body
    assert len(body["data"]["search"]["nodes"]) == 9
    domain = [
        statement
        for statement in count_statements.statements
        if any(
            f"FROM {table}" in statement
            for table in ("service", "incident", "feedback", "backlog_item", "hits")
        )
    ]
    # The search, then one statement per kind found, one per selected relation.
    assert len(domain) == 1 + 4 + 3, "\n\n".join(domain)


async def test_the_words_themselves_rank_above_a_typo(
    viewer: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    typo = await create_item(session, team_id=team.id, title="Porrtal header misaligned")
    exact = await create_item(session, team_id=team.id, title="Portal redesign")

    body = await _search(viewer, "portal", kinds=["BACKLOG_ITEM"])

    assert _found(body) == [
        ("BacklogItem", global_id("BacklogItem", exact.id)),
        ("BacklogItem", global_id("BacklogItem", typo.id)),
    ]
    ranks = [edge["rank"] for edge in body["data"]["search"]["edges"]]
    assert ranks[0] > ranks[1] > 0
