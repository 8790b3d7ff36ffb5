"""BacklogItem.valueStream (derived) and BacklogItem.source (feedback, request or incident),
loaded in batches: the same statements for 6 items as for 60."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from feedback.models import Feedback, FeedbackChannel, FeedbackKind
from graphql_schema.node import global_id
from tests.builders.catalog import create_service
from tests.builders.identity import create_person
from tests.builders.work import create_incident, create_item, create_request
from tests.conftest import StatementCounter
from tests.graphql import data
from work.backlog.models import BacklogItemType
from work.value_streams import ValueStream, item_value_stream

ITEMS = """
query($team: ID!) {
  backlogItems(first: 100, filter: {teamId: $team}) {
    edges { node {
      title type valueStream
      source {
        __typename
        ... on Feedback { id title service { slug } }
        ... on ServiceRequest { id title requester { displayName } service { slug } }
        ... on Incident { id title services { slug } }
      }
    } }
  }
}
"""
NODE = """
query($id: ID!) {
  node(id: $id) { ... on BacklogItem { valueStream source { ... on Incident { title } } } }
}
"""
# The page, and per source type one statement for the sources with one per relation
# selected on them: feedback (+ service); requests (+ requester, service); incidents
# (+ services). (The caller's person is cached since the first request.)
EXPECTED_STATEMENTS = 8

T = BacklogItemType


@pytest.mark.parametrize(
    ("item_type", "source_type", "stream"),
    [
        (T.FEATURE, None, ValueStream.REQUEST_TO_FULFIL),
        (T.IDEA, "FEEDBACK", ValueStream.REQUEST_TO_FULFIL),
        (T.TECH_DEBT, "REQUEST", ValueStream.REQUEST_TO_FULFIL),
        (T.FEATURE, "INCIDENT", ValueStream.DETECT_TO_CORRECT),
        (T.DEFECT, "REQUEST", ValueStream.DETECT_TO_CORRECT),
        (T.HOTFIX, None, ValueStream.DETECT_TO_CORRECT),
        (T.VULNERABILITY, "INCIDENT", ValueStream.DETECT_TO_CORRECT),
    ],
)
def test_the_value_stream_follows_the_type_and_the_source(
    item_type: BacklogItemType, source_type: str | None, stream: ValueStream
) -> None:
    assert item_value_stream(item_type, source_type) is stream


async def _backlog(session: AsyncSession, size: int) -> tuple[str, list[str]]:
    """`size` items answering feedback, requests and incidents in turn (and one of none)."""
    service = await create_service(session)
    person = await create_person(session, display_name="Ada Requester")
    team_id = service.owner_team_id
    sources: list[str] = []
    for index in range(size):
        kind = index % 3
        source_id: uuid.UUID
        if kind == 0:
            feedback = Feedback(
                id=uuid.uuid4(),
                service_id=service.id,
                author_id=person.id,
                kind=FeedbackKind.IDEA,
                channel=FeedbackChannel.GRAPHQL,
                title=f"Idea {index}",
                body="An idea",
            )
            session.add(feedback)
            await session.flush()
            source_type, source_id = "FEEDBACK", feedback.id
            sources.append(global_id("Feedback", feedback.id))
        elif kind == 1:
            request = await create_request(
                session, service_id=service.id, requester_id=person.id, title=f"Request {index}"
            )
            source_type, source_id = "REQUEST", request.id
            sources.append(global_id("ServiceRequest", request.id))
        else:
            incident = await create_incident(
                session, service_ids=[service.id], title=f"Incident {index}"
            )
            source_type, source_id = "INCIDENT", incident.id
            sources.append(global_id("Incident", incident.id))
        await create_item(
            session,
            team_id=team_id,
            service_id=service.id,
            title=f"Item {index}",
            type=T.HOTFIX if kind == 2 else T.FEATURE,
            source_type=source_type,
            source_id=source_id,
        )
    await create_item(session, team_id=team_id, title="Raised directly")
    return global_id("Team", team_id), sources


@pytest.mark.read_path("resolvers")  # the prefetch path's statements
@pytest.mark.parametrize("size", [6, 60])
async def test_sources_of_a_page_cost_flat_statements(
    size: int,
    client: httpx.AsyncClient,
    session: AsyncSession,
    count_statements: StatementCounter,
) -> None:
    team, sources = await _backlog(session, size)
    await data(client, "{ viewer { roles } }")

    count_statements.reset()
    result = await data(client, ITEMS, {"team": team})

    nodes = [edge["node"] for edge in result["backlogItems"]["edges"]]
    by_title = {node["title"]: node for node in nodes}
    assert len(nodes) == size + 1
    assert by_title["Raised directly"]["source"] is None
    assert by_title["Raised directly"]["valueStream"] == "REQUEST_TO_FULFIL"
    slug = by_title["Item 0"]["source"]["service"]["slug"]
    assert by_title["Item 0"] == {
        "title": "Item 0",
        "type": "FEATURE",
        "valueStream": "REQUEST_TO_FULFIL",
        "source": {
            "__typename": "Feedback",
            "id": sources[0],
            "title": "Idea 0",
            "service": {"slug": slug},
        },
    }
    assert by_title["Item 1"]["source"] == {
        "__typename": "ServiceRequest",
        "id": sources[1],
        "title": "Request 1",
        "requester": {"displayName": "Ada Requester"},
        "service": {"slug": slug},
    }
    assert by_title["Item 2"]["valueStream"] == "DETECT_TO_CORRECT"
    assert by_title["Item 2"]["source"] == {
        "__typename": "Incident",
        "id": sources[2],
        "title": "Incident 2",
        "services": [{"slug": slug}],
    }
    assert [by_title[f"Item {index}"]["source"]["id"] for index in range(size)] == sources
    selects = [s for s in count_statements.statements if s.startswith("SELECT")]
    assert len(selects) == EXPECTED_STATEMENTS, "\n\n".join(selects)


async def test_a_backlog_item_node_reads_its_incident(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)
    incident = await create_incident(session, service_ids=[service.id], title="Checkout down")
    item = await create_item(
        session,
        team_id=service.owner_team_id,
        service_id=service.id,
        type=T.FEATURE,
        source_type="INCIDENT",
        source_id=incident.id,
    )

    result = await data(client, NODE, {"id": global_id("BacklogItem", item.id)})

    assert result == {
        "node": {"valueStream": "DETECT_TO_CORRECT", "source": {"title": "Checkout down"}}
    }
