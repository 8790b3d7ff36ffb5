"""Every SQL statement of SCIM provisioning."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from identity.models import Membership, Person, Team
from identity.scim.models import ScimGroup, ScimGroupMember

T = TypeVar("T")


def _provisioned(issuer: str) -> Select[Person]:
    return select(Person).where(Person.issuer == issuer, Person.scim_provisioned_at.is_not(None))


async def _page(
    session: AsyncSession,
    statement: Select[T],
    condition: ColumnElement[bool] | None,
    order: tuple[InstrumentedAttribute[Any], ...],
    offset: int,
    limit: int,
) -> tuple[int, list[T]]:
    """One page of `statement` narrowed by a SCIM filter, and the total (SCIM's
    `totalResults`; `count=0` asks for the total alone)."""
    if condition is not None:
        statement = statement.where(condition)
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    if limit == 0:
        return int(total or 0), []
    page = await session.scalars(statement.order_by(*order).offset(offset).limit(limit))
    return int(total or 0), list(page)


async def list_provisioned(
    session: AsyncSession,
    *,
    issuer: str,
    condition: ColumnElement[bool] | None,
    offset: int,
    limit: int,
) -> tuple[int, list[Person]]:
    """One page of the issuer's SCIM-provisioned people, oldest first, and the total."""
    order = (Person.created_at, Person.id)
    return await _page(session, _provisioned(issuer), condition, order, offset, limit)


async def get_provisioned(
    session: AsyncSession, *, issuer: str, person_id: uuid.UUID, lock: bool = False
) -> Person | None:
    statement = _provisioned(issuer).where(Person.id == person_id)
    if lock:
        statement = statement.with_for_update()
    return await session.scalar(statement)


async def find_by_subject(session: AsyncSession, *, issuer: str, subject: str) -> Person | None:
    return await session.scalar(
        select(Person).where(Person.issuer == issuer, Person.subject == subject).with_for_update()
    )


async def find_by_verified_email(
    session: AsyncSession, *, issuer: str, email: str
) -> Person | None:
    """The issuer's person whose verified email is this one (the most recently seen)."""
    return await session.scalar(
        select(Person)
        .where(
            Person.issuer == issuer,
            Person.email_verified.is_(True),
            func.lower(Person.email) == email.lower(),
        )
        .order_by(Person.last_seen_at.desc().nulls_last(), Person.created_at)
        .limit(1)
        .with_for_update()
    )


async def user_name_holder(
    session: AsyncSession, *, issuer: str, user_name: str
) -> uuid.UUID | None:
    return await session.scalar(
        select(Person.id).where(
            Person.issuer == issuer,
            func.lower(Person.scim_user_name) == user_name.lower(),
        )
    )


async def external_id_holder(
    session: AsyncSession, *, issuer: str, external_id: str
) -> uuid.UUID | None:
    return await session.scalar(
        select(Person.id).where(Person.issuer == issuer, Person.scim_external_id == external_id)
    )


async def subject_holder(session: AsyncSession, *, issuer: str, subject: str) -> uuid.UUID | None:
    return await session.scalar(
        select(Person.id).where(Person.issuer == issuer, Person.subject == subject)
    )


async def delete_memberships(session: AsyncSession, *, person_id: uuid.UUID) -> None:
    await session.execute(
        delete(Membership)
        .where(Membership.person_id == person_id)
        .execution_options(synchronize_session=False)
    )


def _groups(issuer: str) -> Select[ScimGroup]:
    return select(ScimGroup).where(ScimGroup.issuer == issuer)


async def list_groups(
    session: AsyncSession,
    *,
    issuer: str,
    condition: ColumnElement[bool] | None,
    offset: int,
    limit: int,
) -> tuple[int, list[ScimGroup]]:
    """One page of the issuer's SCIM groups, oldest first, and the total."""
    order = (ScimGroup.created_at, ScimGroup.id)
    return await _page(session, _groups(issuer), condition, order, offset, limit)


async def get_group(
    session: AsyncSession, *, issuer: str, group_id: uuid.UUID, lock: bool = False
) -> ScimGroup | None:
    statement = _groups(issuer).where(ScimGroup.id == group_id)
    if lock:
        statement = statement.with_for_update()
    return await session.scalar(statement)


async def group_name_holder(
    session: AsyncSession, *, issuer: str, display_name: str
) -> uuid.UUID | None:
    return await session.scalar(
        select(ScimGroup.id).where(
            ScimGroup.issuer == issuer,
            func.lower(ScimGroup.display_name) == display_name.lower(),
        )
    )


async def group_of_team(session: AsyncSession, *, team_id: uuid.UUID) -> uuid.UUID | None:
    return await session.scalar(select(ScimGroup.id).where(ScimGroup.team_id == team_id))


async def team_for_group(
    session: AsyncSession, *, display_name: str, external_id: str | None
) -> uuid.UUID | None:
    """The team a group maps to: slug = externalId, else slug or name = displayName."""
    keys = [display_name.lower()] + ([external_id.lower()] if external_id else [])
    rows = (
        await session.execute(
            select(Team.id, func.lower(Team.slug), func.lower(Team.name)).where(
                Team.archived_at.is_(None),
                or_(func.lower(Team.slug).in_(keys), func.lower(Team.name) == keys[0]),
            )
        )
    ).all()
    matches: list[list[uuid.UUID]] = [[], [], []]  # by externalId, slug, name
    for team_id, slug, name in rows:
        if external_id is not None and slug == external_id.lower():
            matches[0].append(team_id)
        if slug == display_name.lower():
            matches[1].append(team_id)
        if name == display_name.lower():
            matches[2].append(team_id)
    return next((found[0] for found in matches if len(found) == 1), None)


async def group_members(
    session: AsyncSession, *, group_ids: list[uuid.UUID]
) -> list[tuple[uuid.UUID, uuid.UUID, str]]:
    """(group id, person id, display name) of every member of these groups, in order."""
    rows = await session.execute(
        select(
            ScimGroupMember.group_id,
            Person.id,
            func.coalesce(ScimGroupMember.display, Person.display_name),
        )
        .join(Person, Person.id == ScimGroupMember.person_id)
        .where(ScimGroupMember.group_id.in_(group_ids))
        .order_by(ScimGroupMember.created_at, Person.id)
    )
    return [(group_id, person_id, name) for group_id, person_id, name in rows]


async def provisioned_people(
    session: AsyncSession, *, issuer: str, person_ids: set[uuid.UUID]
) -> dict[uuid.UUID, bool]:
    """Which of these ids are SCIM users of the issuer, and whether each is active."""
    rows = await session.execute(
        select(Person.id, Person.active).where(
            Person.issuer == issuer,
            Person.scim_provisioned_at.is_not(None),
            Person.id.in_(person_ids),
        )
    )
    return {row[0]: row[1] for row in rows.all()}


async def put_group_members(
    session: AsyncSession, *, group_id: uuid.UUID, members: dict[uuid.UUID, str | None]
) -> None:
    """Add these members (person id → display), or update the display of those already in."""
    if members:
        statement = insert(ScimGroupMember).values(
            [
                {"group_id": group_id, "person_id": person_id, "display": display}
                for person_id, display in members.items()
            ]
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["group_id", "person_id"],
                set_={"display": statement.excluded.display},
            )
        )


async def remove_group_members(
    session: AsyncSession, *, group_id: uuid.UUID, person_ids: list[uuid.UUID]
) -> None:
    if person_ids:
        await session.execute(
            delete(ScimGroupMember).where(
                ScimGroupMember.group_id == group_id, ScimGroupMember.person_id.in_(person_ids)
            )
        )


async def forget_group_memberships(session: AsyncSession, *, person_id: uuid.UUID) -> None:
    """A released SCIM user is in no group any more."""
    await session.execute(delete(ScimGroupMember).where(ScimGroupMember.person_id == person_id))
