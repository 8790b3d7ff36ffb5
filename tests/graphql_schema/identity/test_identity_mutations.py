"""Business units, teams and memberships: create, update, and what is refused."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Base
from graphql_schema.node import global_id
from identity.models import BusinessUnit, Membership, MembershipRole, Team
from tests.builders.identity import (
    create_business_unit,
    create_membership,
    create_person,
    create_team,
)
from tests.graphql import data

CREATE_BUSINESS_UNIT = """
mutation CreateBusinessUnit($input: CreateBusinessUnitInput!) {
  createBusinessUnit(input: $input) {
    businessUnit { name version teams { slug } }
    userErrors { field message code }
  }
}
"""
UPDATE_BUSINESS_UNIT = """
mutation UpdateBusinessUnit($input: UpdateBusinessUnitInput!) {
  updateBusinessUnit(input: $input) {
    businessUnit { name version }
    userErrors { field message code }
  }
}
"""
CREATE_TEAM = """
mutation CreateTeam($input: CreateTeamInput!) {
  createTeam(input: $input) {
    team { name slug kind contactEmail chatChannel version businessUnit { name } }
    userErrors { field message code }
  }
}
"""
UPDATE_TEAM = """
mutation UpdateTeam($input: UpdateTeamInput!) {
  updateTeam(input: $input) {
    team { name slug kind contactEmail chatChannel version businessUnit { name } }
    userErrors { field message code }
  }
}
"""
CREATE_MEMBERSHIP = """
mutation CreateMembership($input: CreateMembershipInput!) {
  createMembership(input: $input) {
    membership { role version person { displayName } team { slug } }
    userErrors { field message code }
  }
}
"""
UPDATE_MEMBERSHIP = """
mutation UpdateMembership($input: UpdateMembershipInput!) {
  updateMembership(input: $input) {
    membership { role version }
    userErrors { field message code }
  }
}
"""

STALE = {
    "field": ["version"],
    "message": "the record changed since you read it (version 1, now 2); reload and try again",
    "code": "CONFLICT",
}


async def _count(session: AsyncSession, model: type[Base]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _row(session: AsyncSession, record: BusinessUnit | Team | Membership) -> dict[str, Any]:
    """The stored row as the database has it now, past any session cache."""
    table = record.__table__
    assert isinstance(table, Table)
    row = (await session.execute(select(table).where(table.c.id == record.id))).one()
    return dict(row._mapping)


async def _bump(session: AsyncSession, record: BusinessUnit | Team | Membership) -> None:
    """Someone else saved the record: it is at version 2 now."""
    record.updated_at = func.now()
    await session.flush()
    await session.refresh(record)
    assert record.version == 2


# --- business units --------------------------------------------------------------------------


async def test_create_business_unit(client: httpx.AsyncClient, session: AsyncSession) -> None:
    result = await data(client, CREATE_BUSINESS_UNIT, {"input": {"name": "  Sales  "}})

    assert result["createBusinessUnit"] == {
        "businessUnit": {"name": "Sales", "version": 1, "teams": []},
        "userErrors": [],
    }


async def test_business_unit_name_taken_is_a_duplicate(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_business_unit(session, name="Sales")

    result = await data(client, CREATE_BUSINESS_UNIT, {"input": {"name": "Sales"}})

    assert result["createBusinessUnit"] == {
        "businessUnit": None,
        "userErrors": [
            {
                "field": ["name"],
                "message": "a business unit named 'Sales' already exists",
                "code": "DUPLICATE",
            }
        ],
    }
    assert await _count(session, BusinessUnit) == 1


async def test_blank_business_unit_name_is_required(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    result = await data(client, CREATE_BUSINESS_UNIT, {"input": {"name": ""}})

    assert result["createBusinessUnit"] == {
        "businessUnit": None,
        "userErrors": [
            {"field": ["name"], "message": "name must not be empty", "code": "REQUIRED"}
        ],
    }
    assert await _count(session, BusinessUnit) == 0


async def test_rename_business_unit(client: httpx.AsyncClient, session: AsyncSession) -> None:
    unit = await create_business_unit(session, name="Sales")

    result = await data(
        client,
        UPDATE_BUSINESS_UNIT,
        {"input": {"id": global_id("BusinessUnit", unit.id), "version": 1, "name": "Revenue"}},
    )

    assert result["updateBusinessUnit"] == {
        "businessUnit": {"name": "Revenue", "version": 2},
        "userErrors": [],
    }


async def test_rename_business_unit_with_a_stale_version_is_a_conflict(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    unit = await create_business_unit(session, name="Sales")
    await _bump(session, unit)
    before = await _row(session, unit)

    result = await data(
        client,
        UPDATE_BUSINESS_UNIT,
        {"input": {"id": global_id("BusinessUnit", unit.id), "version": 1, "name": "Revenue"}},
    )

    assert result["updateBusinessUnit"] == {"businessUnit": None, "userErrors": [STALE]}
    assert await _row(session, unit) == before


async def test_rename_business_unit_to_a_taken_name_is_a_duplicate(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_business_unit(session, name="Service")
    unit = await create_business_unit(session, name="Sales")
    before = await _row(session, unit)

    result = await data(
        client,
        UPDATE_BUSINESS_UNIT,
        {"input": {"id": global_id("BusinessUnit", unit.id), "version": 1, "name": "Service"}},
    )

    assert result["updateBusinessUnit"] == {
        "businessUnit": None,
        "userErrors": [
            {
                "field": ["name"],
                "message": "a business unit named 'Service' already exists",
                "code": "DUPLICATE",
            }
        ],
    }
    assert await _row(session, unit) == before


async def test_rename_unknown_business_unit_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)  # its id names no business unit

    result = await data(
        client,
        UPDATE_BUSINESS_UNIT,
        {"input": {"id": global_id("BusinessUnit", team.id), "version": 1, "name": "X"}},
    )

    assert result["updateBusinessUnit"] == {
        "businessUnit": None,
        "userErrors": [
            {"field": ["id"], "message": "business unit not found", "code": "NOT_FOUND"}
        ],
    }


# --- teams -----------------------------------------------------------------------------------


def _team_input(unit: BusinessUnit, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "Revenue Cloud",
        "slug": "revenue-cloud",
        "kind": "PRODUCT",
        "businessUnitId": global_id("BusinessUnit", unit.id),
        **overrides,
    }


async def test_create_team_in_a_business_unit(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    unit = await create_business_unit(session, name="Sales")

    result = await data(
        client,
        CREATE_TEAM,
        {
            "input": _team_input(
                unit, contactEmail="revenue@example.test", chatChannel="#revenue-cloud"
            )
        },
    )

    assert result["createTeam"] == {
        "team": {
            "name": "Revenue Cloud",
            "slug": "revenue-cloud",
            "kind": "PRODUCT",
            "contactEmail": "revenue@example.test",
            "chatChannel": "#revenue-cloud",
            "version": 1,
            "businessUnit": {"name": "Sales"},
        },
        "userErrors": [],
    }


async def test_team_slug_taken_is_a_duplicate(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    unit = await create_business_unit(session)
    await create_team(session, slug="revenue-cloud", business_unit_id=unit.id)

    result = await data(client, CREATE_TEAM, {"input": _team_input(unit)})

    assert result["createTeam"] == {
        "team": None,
        "userErrors": [
            {
                "field": ["slug"],
                "message": "a team with slug 'revenue-cloud' already exists",
                "code": "DUPLICATE",
            }
        ],
    }
    assert await _count(session, Team) == 1


async def test_team_in_an_unknown_business_unit_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    unit = await create_business_unit(session)
    team_input = _team_input(unit)
    await session.delete(unit)
    await session.flush()

    result = await data(client, CREATE_TEAM, {"input": team_input})

    assert result["createTeam"] == {
        "team": None,
        "userErrors": [
            {
                "field": ["businessUnitId"],
                "message": "business unit not found",
                "code": "NOT_FOUND",
            }
        ],
    }
    assert await _count(session, Team) == 0


async def test_team_with_a_malformed_business_unit_id_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    unit = await create_business_unit(session)

    result = await data(client, CREATE_TEAM, {"input": _team_input(unit, businessUnitId="QnVz")})

    assert result["createTeam"] == {
        "team": None,
        "userErrors": [
            {
                "field": ["businessUnitId"],
                "message": "businessUnitId is not a valid id",
                "code": "NOT_FOUND",
            }
        ],
    }
    assert await _count(session, Team) == 0


async def test_team_with_a_bad_contact_email_is_invalid(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    unit = await create_business_unit(session)

    result = await data(
        client, CREATE_TEAM, {"input": _team_input(unit, contactEmail="revenue at example")}
    )

    assert result["createTeam"] == {
        "team": None,
        "userErrors": [
            {
                "field": ["contactEmail"],
                "message": "contactEmail is not an email address",
                "code": "INVALID",
            }
        ],
    }
    assert await _count(session, Team) == 0


async def test_update_team_changes_only_the_given_fields(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    unit = await create_business_unit(session, name="Sales")
    team = await create_team(
        session,
        name="Revenue Cloud",
        slug="revenue-cloud",
        business_unit_id=unit.id,
        contact_email="revenue@example.test",
        chat_channel="#revenue",
    )

    result = await data(
        client,
        UPDATE_TEAM,
        {
            "input": {
                "id": global_id("Team", team.id),
                "version": 1,
                "kind": "PLATFORM",
                "contactEmail": None,
            }
        },
    )

    assert result["updateTeam"] == {
        "team": {
            "name": "Revenue Cloud",
            "slug": "revenue-cloud",
            "kind": "PLATFORM",
            "contactEmail": None,
            "chatChannel": "#revenue",
            "version": 2,
            "businessUnit": {"name": "Sales"},
        },
        "userErrors": [],
    }


async def test_move_team_to_another_business_unit(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    other = await create_business_unit(session, name="Service")

    result = await data(
        client,
        UPDATE_TEAM,
        {
            "input": {
                "id": global_id("Team", team.id),
                "version": 1,
                "businessUnitId": global_id("BusinessUnit", other.id),
            }
        },
    )

    assert result["updateTeam"]["team"]["businessUnit"] == {"name": "Service"}
    assert result["updateTeam"]["userErrors"] == []


async def test_update_team_with_a_stale_version_is_a_conflict(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    await _bump(session, team)
    before = await _row(session, team)

    result = await data(
        client,
        UPDATE_TEAM,
        {"input": {"id": global_id("Team", team.id), "version": 1, "name": "Renamed"}},
    )

    assert result["updateTeam"] == {"team": None, "userErrors": [STALE]}
    assert await _row(session, team) == before


async def test_update_team_to_a_taken_slug_is_a_duplicate(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_team(session, slug="taken")
    team = await create_team(session)
    before = await _row(session, team)

    result = await data(
        client,
        UPDATE_TEAM,
        {"input": {"id": global_id("Team", team.id), "version": 1, "slug": "taken"}},
    )

    assert result["updateTeam"] == {
        "team": None,
        "userErrors": [
            {
                "field": ["slug"],
                "message": "a team with slug 'taken' already exists",
                "code": "DUPLICATE",
            }
        ],
    }
    assert await _row(session, team) == before


async def test_update_team_with_a_null_name_is_required(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    before = await _row(session, team)

    result = await data(
        client,
        UPDATE_TEAM,
        {"input": {"id": global_id("Team", team.id), "version": 1, "name": None}},
    )

    assert result["updateTeam"] == {
        "team": None,
        "userErrors": [{"field": ["name"], "message": "name cannot be null", "code": "REQUIRED"}],
    }
    assert await _row(session, team) == before


async def test_move_team_to_an_unknown_business_unit_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    before = await _row(session, team)

    result = await data(
        client,
        UPDATE_TEAM,
        {
            "input": {
                "id": global_id("Team", team.id),
                "version": 1,
                "businessUnitId": global_id("BusinessUnit", team.id),
            }
        },
    )

    assert result["updateTeam"] == {
        "team": None,
        "userErrors": [
            {
                "field": ["businessUnitId"],
                "message": "business unit not found",
                "code": "NOT_FOUND",
            }
        ],
    }
    assert await _row(session, team) == before


# --- memberships -----------------------------------------------------------------------------


async def test_put_a_person_in_a_team(client: httpx.AsyncClient, session: AsyncSession) -> None:
    team = await create_team(session, slug="revenue-cloud")
    person = await create_person(session, display_name="Ada Lovelace")

    result = await data(
        client,
        CREATE_MEMBERSHIP,
        {
            "input": {
                "personId": global_id("Person", person.id),
                "teamId": global_id("Team", team.id),
                "role": "PRODUCT_OWNER",
            }
        },
    )

    assert result["createMembership"] == {
        "membership": {
            "role": "PRODUCT_OWNER",
            "version": 1,
            "person": {"displayName": "Ada Lovelace"},
            "team": {"slug": "revenue-cloud"},
        },
        "userErrors": [],
    }


async def test_same_role_twice_in_a_team_is_a_duplicate(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    person = await create_person(session)
    await create_membership(
        session, person_id=person.id, team_id=team.id, role=MembershipRole.ENGINEER
    )

    result = await data(
        client,
        CREATE_MEMBERSHIP,
        {
            "input": {
                "personId": global_id("Person", person.id),
                "teamId": global_id("Team", team.id),
                "role": "ENGINEER",
            }
        },
    )

    assert result["createMembership"] == {
        "membership": None,
        "userErrors": [
            {
                "field": ["role"],
                "message": "the person already has this role in the team",
                "code": "DUPLICATE",
            }
        ],
    }
    assert await _count(session, Membership) == 1


@pytest.mark.parametrize("missing", ["person", "team"])
async def test_membership_of_an_unknown_person_or_team_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession, missing: str
) -> None:
    person = await create_person(session)
    team = await create_team(session)
    ids = {
        "personId": global_id("Person", team.id if missing == "person" else person.id),
        "teamId": global_id("Team", person.id if missing == "team" else team.id),
    }

    result = await data(client, CREATE_MEMBERSHIP, {"input": {**ids, "role": "ENGINEER"}})

    assert result["createMembership"] == {
        "membership": None,
        "userErrors": [
            {"field": [f"{missing}Id"], "message": f"{missing} not found", "code": "NOT_FOUND"}
        ],
    }
    assert await _count(session, Membership) == 0


async def test_change_a_members_role(client: httpx.AsyncClient, session: AsyncSession) -> None:
    team = await create_team(session)
    person = await create_person(session)
    membership = await create_membership(session, person_id=person.id, team_id=team.id)

    result = await data(
        client,
        UPDATE_MEMBERSHIP,
        {
            "input": {
                "id": global_id("Membership", membership.id),
                "version": 1,
                "role": "SUPPORT_L2",
            }
        },
    )

    assert result["updateMembership"] == {
        "membership": {"role": "SUPPORT_L2", "version": 2},
        "userErrors": [],
    }


async def test_change_a_members_role_with_a_stale_version_is_a_conflict(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    person = await create_person(session)
    membership = await create_membership(session, person_id=person.id, team_id=team.id)
    await _bump(session, membership)
    before = await _row(session, membership)

    result = await data(
        client,
        UPDATE_MEMBERSHIP,
        {
            "input": {
                "id": global_id("Membership", membership.id),
                "version": 1,
                "role": "SUPPORT_L2",
            }
        },
    )

    assert result["updateMembership"] == {"membership": None, "userErrors": [STALE]}
    assert await _row(session, membership) == before


async def test_change_to_a_role_the_member_already_holds_is_a_duplicate(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    person = await create_person(session)
    await create_membership(
        session, person_id=person.id, team_id=team.id, role=MembershipRole.SUPPORT_L2
    )
    membership = await create_membership(session, person_id=person.id, team_id=team.id)
    before = await _row(session, membership)

    result = await data(
        client,
        UPDATE_MEMBERSHIP,
        {
            "input": {
                "id": global_id("Membership", membership.id),
                "version": 1,
                "role": "SUPPORT_L2",
            }
        },
    )

    assert result["updateMembership"] == {
        "membership": None,
        "userErrors": [
            {
                "field": ["role"],
                "message": "the person already has this role in the team",
                "code": "DUPLICATE",
            }
        ],
    }
    assert await _row(session, membership) == before


async def test_change_the_role_of_an_unknown_membership_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)

    result = await data(
        client,
        UPDATE_MEMBERSHIP,
        {"input": {"id": global_id("Membership", team.id), "version": 1, "role": "ENGINEER"}},
    )

    assert result["updateMembership"] == {
        "membership": None,
        "userErrors": [{"field": ["id"], "message": "membership not found", "code": "NOT_FOUND"}],
    }
