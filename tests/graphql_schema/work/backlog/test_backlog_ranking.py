"""Ranking: a move writes one row; a worn-out gap renumbers the backlog once."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.node import global_id
from tests.builders.identity import create_team
from tests.builders.work import create_item
from tests.conftest import StatementCounter
from tests.graphql import data

RANK = """
mutation($input: RankBacklogItemInput!) {
  rankBacklogItem(input: $input) { backlogItem { title rank } userErrors { field code message } }
}
"""
ORDER = """
query($team: ID!) { backlogItems(filter: {teamId: $team}) { nodes { title rank } } }
"""


def _id(record: Any) -> str:
    return global_id("BacklogItem", record.id)


async def _titles(client: httpx.AsyncClient, team: Any) -> list[str]:
    result = await data(client, ORDER, {"team": global_id("Team", team.id)})
    return [node["title"] for node in result["backlogItems"]["nodes"]]


async def _rank(client: httpx.AsyncClient, **given: Any) -> dict[str, Any]:
    result = await data(client, RANK, {"input": given})
    payload: dict[str, Any] = result["rankBacklogItem"]
    return payload


def _updates(counter: StatementCounter) -> list[str]:
    return [statement for statement in counter.statements if statement.startswith("UPDATE")]


async def test_moving_between_two_neighbours_updates_one_row(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    team = await create_team(session)
    a, b, c = [await create_item(session, team_id=team.id, title=title) for title in "ABC"]

    count_statements.reset()
    moved = await _rank(client, id=_id(c), afterId=_id(a), beforeId=_id(b))

    assert moved == {"backlogItem": {"title": "C", "rank": 1.5}, "userErrors": []}
    updates = _updates(count_statements)
    assert len(updates) == 1
    assert updates[0].startswith("UPDATE backlog_item SET")
    assert await _titles(client, team) == ["A", "C", "B"]


async def test_one_neighbour_is_enough(client: httpx.AsyncClient, session: AsyncSession) -> None:
    team = await create_team(session)
    a, b, c = [await create_item(session, team_id=team.id, title=title) for title in "ABC"]

    to_top = await _rank(client, id=_id(c), beforeId=_id(a))
    after_a = await _rank(client, id=_id(b), afterId=_id(a))

    assert to_top["backlogItem"] == {"title": "C", "rank": 0.0}
    assert after_a["backlogItem"] == {"title": "B", "rank": 2.0}
    assert await _titles(client, team) == ["C", "A", "B"]


async def test_neighbours_that_are_not_adjacent_are_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    a, _, c, d = [await create_item(session, team_id=team.id, title=title) for title in "ABCD"]

    refused = await _rank(client, id=_id(d), afterId=_id(a), beforeId=_id(c))

    assert refused == {
        "backlogItem": None,
        "userErrors": [
            {
                "field": ["beforeId"],
                "code": "INVALID",
                "message": "afterId and beforeId are not next to each other",
            }
        ],
    }


async def test_a_neighbour_on_another_backlog_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    mine = await create_item(session, team_id=(await create_team(session)).id)
    theirs = await create_item(session, team_id=(await create_team(session)).id)

    refused = await _rank(client, id=_id(mine), afterId=_id(theirs))

    assert refused["userErrors"] == [
        {"field": ["afterId"], "code": "INVALID", "message": "afterId is on another backlog"}
    ]


async def test_a_worn_out_gap_renumbers_the_backlog_once(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    team = await create_team(session)
    a = await create_item(session, team_id=team.id, title="A", rank=1.0)
    b = await create_item(session, team_id=team.id, title="B", rank=1.0 + 1e-12)
    c = await create_item(session, team_id=team.id, title="C", rank=5.0)

    count_statements.reset()
    moved = await _rank(client, id=_id(c), afterId=_id(a), beforeId=_id(b))

    assert moved == {"backlogItem": {"title": "C", "rank": 1.5}, "userErrors": []}
    assert len(_updates(count_statements)) == 2  # the renumbering, then the move
    result = await data(client, ORDER, {"team": global_id("Team", team.id)})
    assert result["backlogItems"]["nodes"] == [
        {"title": "A", "rank": 1.0},
        {"title": "C", "rank": 1.5},
        {"title": "B", "rank": 2.0},
    ]
