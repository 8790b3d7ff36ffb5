"""Memberships and a business unit's teams on the compiled read path: listed in the order
the resolvers list them (memberships as made, teams by name as Python compares names), from
one statement."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from core.settings import ReadPath, Settings
from graphql_schema.compiled.extension import PLAN_HEADER, _first_difference
from identity.models import MembershipRole
from tests.builders.identity import (
    create_business_unit,
    create_membership,
    create_person,
    create_team,
)
from tests.conftest import StatementCounter
from tests.graphql import data, gql

MakeClient = Callable[[Settings], Awaitable[httpx.AsyncClient]]

MEMBERSHIP = "__typename id role version person { displayName } team { name slug }"
QUERY = f"""
query($first: Int) {{
  teams(first: $first) {{ nodes {{ name memberships {{ {MEMBERSHIP} }} }} }}
  people(first: $first) {{
    nodes {{ displayName memberships {{ ... on Membership {{ role team {{ name }} }} }} }}
  }}
  businessUnits(first: $first) {{
    nodes {{ name teams {{ name all: memberships {{ id }} businessUnit {{ name }} }} }}
  }}
}}
"""


@pytest.fixture
async def organisation(session: AsyncSession) -> None:
    """Teams whose names sort differently by code point and by language (upper and lower
    case, umlauts), two of the same name; people in several teams, made in one transaction
    (their memberships tie in time)."""
    unit = await create_business_unit(session, name="Sales Cloud")
    teams = [
        await create_team(session, name=name, business_unit_id=unit.id)
        for name in ("beta", "Ärzte", "Zeta", "alpha", "Zeta")
    ]
    ada = await create_person(session, display_name="Ada")
    bob = await create_person(session, display_name="Bob")
    for team in teams[:3]:
        for role in (MembershipRole.ENGINEER, MembershipRole.PRODUCT_OWNER):
            await create_membership(session, person_id=ada.id, team_id=team.id, role=role)
        await create_membership(session, person_id=bob.id, team_id=team.id)
    await create_business_unit(session, name="Empty")
    await session.flush()


async def test_memberships_and_teams_compile_to_the_resolvers_json(
    organisation: None, settings: Settings, make_client: MakeClient
) -> None:
    compiled = await make_client(settings.model_copy(update={"read_path": ReadPath.COMPILED}))
    resolved = await make_client(settings.model_copy(update={"read_path": ReadPath.RESOLVERS}))
    answer = await gql(compiled, QUERY, {"first": 20}, headers={PLAN_HEADER: "1"})
    plan = answer.pop("extensions")["plan"]
    assert plan["path"] == "compiled", plan
    assert "resolved" not in plan, plan
    expected = await gql(resolved, QUERY, {"first": 20})
    assert json.dumps(answer) == json.dumps(expected), _first_difference(expected, answer, ())

    units = {node["name"]: node["teams"] for node in answer["data"]["businessUnits"]["nodes"]}
    assert [team["name"] for team in units["Sales Cloud"]] == [
        "Zeta",
        "Zeta",
        "alpha",
        "beta",
        "Ärzte",
    ]
    assert units["Empty"] == []
    people = {node["displayName"]: node for node in answer["data"]["people"]["nodes"]}
    assert len(people["Ada"]["memberships"]) == 6


@pytest.mark.read_path("compiled")
async def test_memberships_and_teams_are_one_statement(
    organisation: None, client: httpx.AsyncClient, count_statements: StatementCounter
) -> None:
    await data(client, "{ __typename }")  # looks the development person up once
    harness = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "SET TRANSACTION")
    for first in (1, 20):
        count_statements.reset()
        await data(client, QUERY, {"first": first})
        statements = [
            sql for sql in count_statements.statements if not sql.lstrip().startswith(harness)
        ]
        assert len(statements) == 1, statements
