"""Builders for people, teams, business units and memberships."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from identity.models import BusinessUnit, Membership, MembershipRole, Person, Team, TeamKind
from tests.builders.kit import add, number


async def create_business_unit(session: AsyncSession, **overrides: Any) -> BusinessUnit:
    return await add(session, BusinessUnit(**{"name": f"Unit {number()}", **overrides}))


async def create_team(session: AsyncSession, **overrides: Any) -> Team:
    if "business_unit_id" not in overrides:
        overrides["business_unit_id"] = (await create_business_unit(session)).id
    n = number()
    values = {"name": f"Team {n}", "slug": f"team-{n}", "kind": TeamKind.PRODUCT, **overrides}
    return await add(session, Team(**values))


async def create_person(session: AsyncSession, **overrides: Any) -> Person:
    n = number()
    values = {
        "issuer": "https://idp.example.test",
        "subject": f"user-{n}",
        "display_name": f"Person {n}",
        "email": f"person{n}@example.test",
        **overrides,
    }
    return await add(session, Person(**values))


async def create_membership(session: AsyncSession, **overrides: Any) -> Membership:
    values = {"role": MembershipRole.ENGINEER, **overrides}
    return await add(session, Membership(**values))
