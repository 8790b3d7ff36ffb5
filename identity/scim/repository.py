"""Every SQL statement of SCIM provisioning."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.models import Membership, Person


def _provisioned(issuer: str) -> Select[Person]:
    return select(Person).where(Person.issuer == issuer, Person.scim_provisioned_at.is_not(None))


async def list_provisioned(
    session: AsyncSession,
    *,
    issuer: str,
    condition: ColumnElement[bool] | None,
    offset: int,
    limit: int,
) -> tuple[int, list[Person]]:
    """One page of the issuer's SCIM-provisioned people, oldest first, and the total."""
    statement = _provisioned(issuer)
    if condition is not None:
        statement = statement.where(condition)
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    if limit == 0:
        return int(total or 0), []
    page = await session.scalars(
        statement.order_by(Person.created_at, Person.id).offset(offset).limit(limit)
    )
    return int(total or 0), list(page)


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
