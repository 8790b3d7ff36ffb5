"""Every SQL statement of the organisation."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.models import BusinessUnit, Membership, Person, Team


def people_query() -> Select[Person]:
    return select(Person)


def teams_query(
    *, business_unit_id: uuid.UUID | None = None, include_archived: bool = False
) -> Select[Team]:
    statement = select(Team)
    if not include_archived:
        statement = statement.where(Team.archived_at.is_(None))
    if business_unit_id is not None:
        statement = statement.where(Team.business_unit_id == business_unit_id)
    return statement


def business_units_query(*, include_archived: bool = False) -> Select[BusinessUnit]:
    statement = select(BusinessUnit)
    if not include_archived:
        statement = statement.where(BusinessUnit.archived_at.is_(None))
    return statement


async def get_team_by_slug(session: AsyncSession, slug: str) -> Team | None:
    return await session.scalar(select(Team).where(Team.slug == slug))


async def get_business_unit_by_name(session: AsyncSession, name: str) -> BusinessUnit | None:
    return await session.scalar(select(BusinessUnit).where(BusinessUnit.name == name))


async def get_person_by_identity(session: AsyncSession, issuer: str, subject: str) -> Person | None:
    return await session.scalar(
        select(Person).where(Person.issuer == issuer, Person.subject == subject)
    )


async def find_membership(
    session: AsyncSession, *, person_id: uuid.UUID, team_id: uuid.UUID, role: Any
) -> Membership | None:
    return await session.scalar(
        select(Membership).where(
            Membership.person_id == person_id,
            Membership.team_id == team_id,
            Membership.role == role,
        )
    )
