"""Every SQL statement about org users, licences and reconciliations."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    String,
    and_,
    any_,
    bindparam,
    case,
    delete,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.interfaces import ORMOption

from catalog.org_users.matching import PersonKey
from catalog.org_users.models import SalesforceOrgLicence, SalesforceOrgUser, SalesforceUserSync
from catalog.orgs.models import SalesforceOrg
from catalog.services.models import Service, service_salesforce_org
from identity.models import Person

# Rows per INSERT: 12 columns a row stays well below PostgreSQL's 32,767 parameters.
ROWS_PER_INSERT = 1000
# "Used" means a login within this window, as Salesforce's own licence reports count it.
USED_WITHIN = timedelta(days=90)


async def people_named_by(
    session: AsyncSession, subjects: Sequence[str], emails: Sequence[str]
) -> list[PersonKey]:
    """The people whose subject or email (case-insensitive) is one of these, in one statement."""
    if not subjects and not emails:
        return []
    statement = select(Person.id, Person.subject, Person.email).where(
        or_(
            Person.subject == any_(bindparam("subjects", list(subjects), type_=ARRAY(String))),
            func.lower(Person.email)
            == any_(bindparam("emails", list(emails), type_=ARRAY(String))),
        )
    )
    rows = await session.execute(statement)
    return [PersonKey(row.id, row.subject, row.email) for row in rows]


async def upsert_users(
    session: AsyncSession, org_id: uuid.UUID, rows: Sequence[dict[str, Any]], now: datetime
) -> None:
    """Store these users of the org (keyed by Salesforce user id), stamped `now`."""
    columns = SalesforceOrgUser.__table__.columns
    kept = {"id", "salesforce_org_id", "salesforce_user_id"}
    for start in range(0, len(rows), ROWS_PER_INSERT):
        chunk = [
            row | {"salesforce_org_id": org_id, "synced_at": now}
            for row in rows[start : start + ROWS_PER_INSERT]
        ]
        statement = insert(SalesforceOrgUser).values(chunk)
        changed = {c.name: statement.excluded[c.name] for c in columns if c.name not in kept}
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["salesforce_org_id", "salesforce_user_id"], set_=changed
            )
        )


async def remove_users_synced_before(
    session: AsyncSession, org_id: uuid.UUID, now: datetime
) -> None:
    """The users a reconciliation at `now` no longer found active in the org."""
    await session.execute(
        delete(SalesforceOrgUser).where(
            SalesforceOrgUser.salesforce_org_id == org_id, SalesforceOrgUser.synced_at < now
        )
    )


async def replace_licences(
    session: AsyncSession, org_id: uuid.UUID, rows: Sequence[dict[str, Any]], now: datetime
) -> None:
    if rows:
        values = [row | {"salesforce_org_id": org_id, "synced_at": now} for row in rows]
        statement = insert(SalesforceOrgLicence).values(values)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["salesforce_org_id", "name"],
                set_={
                    "total": statement.excluded.total,
                    "assigned": statement.excluded.assigned,
                    "synced_at": statement.excluded.synced_at,
                },
            )
        )
    await session.execute(
        delete(SalesforceOrgLicence).where(
            SalesforceOrgLicence.salesforce_org_id == org_id, SalesforceOrgLicence.synced_at < now
        )
    )


async def record_sync(
    session: AsyncSession, org_id: uuid.UUID, *, started: datetime, error: str | None
) -> None:
    """A run's outcome. A success clears a due mark made before the run started: a person
    deactivated while it ran is reconciled by the next one."""
    statement = insert(SalesforceUserSync).values(
        salesforce_org_id=org_id, synced_at=None if error else started, last_error=error
    )
    current = SalesforceUserSync.__table__.c
    changes: dict[str, Any] = {"last_error": statement.excluded.last_error}
    if error is None:
        changes["synced_at"] = statement.excluded.synced_at
        changes["due_at"] = case((current.due_at <= started, None), else_=current.due_at)
    await session.execute(
        statement.on_conflict_do_update(index_elements=["salesforce_org_id"], set_=changes)
    )


async def mark_due(session: AsyncSession, now: datetime) -> None:
    """Every connected org (one with credentials) is due a reconciliation; one statement."""
    orgs = select(SalesforceOrg.id, literal(now)).where(
        SalesforceOrg.credentials_ref.is_not(None), SalesforceOrg.archived_at.is_(None)
    )
    statement = insert(SalesforceUserSync).from_select(["salesforce_org_id", "due_at"], orgs)
    current = SalesforceUserSync.__table__.c
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["salesforce_org_id"],
            set_={"due_at": func.coalesce(current.due_at, statement.excluded.due_at)},
        )
    )


async def orgs_to_reconcile(
    session: AsyncSession, refs: Sequence[str], *, only_due: bool
) -> list[SalesforceOrg]:
    """The live orgs whose credentials reference is one of `refs`; only those due, if asked."""
    statement = select(SalesforceOrg).where(
        SalesforceOrg.credentials_ref.in_(list(refs)), SalesforceOrg.archived_at.is_(None)
    )
    if only_due:
        statement = statement.join(
            SalesforceUserSync, SalesforceUserSync.salesforce_org_id == SalesforceOrg.id
        ).where(SalesforceUserSync.due_at.is_not(None))
    return list(await session.scalars(statement.order_by(SalesforceOrg.name, SalesforceOrg.id)))


async def drift_by_org_ids(
    session: AsyncSession, org_ids: Sequence[uuid.UUID], options: Sequence[ORMOption] = ()
) -> dict[uuid.UUID, list[SalesforceOrgUser]]:
    """Each org's users that are drift: matched to an inactive person, or to nobody."""
    statement = (
        select(SalesforceOrgUser)
        .outerjoin(Person, Person.id == SalesforceOrgUser.person_id)
        .where(
            SalesforceOrgUser.salesforce_org_id.in_(list(org_ids)),
            SalesforceOrgUser.is_active,
            or_(SalesforceOrgUser.person_id.is_(None), Person.active.is_(False)),
        )
        .order_by(SalesforceOrgUser.username, SalesforceOrgUser.id)
        .options(*options)
    )
    found: dict[uuid.UUID, list[SalesforceOrgUser]] = {org_id: [] for org_id in org_ids}
    for user in await session.scalars(statement):
        found[user.salesforce_org_id].append(user)
    return found


async def synced_at_by_org_ids(
    session: AsyncSession, org_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, datetime | None]:
    rows = await session.execute(
        select(SalesforceUserSync.salesforce_org_id, SalesforceUserSync.synced_at).where(
            SalesforceUserSync.salesforce_org_id.in_(list(org_ids))
        )
    )
    return {row.salesforce_org_id: row.synced_at for row in rows}


async def licences_by_org_ids(
    session: AsyncSession, org_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[SalesforceOrgLicence]]:
    statement = (
        select(SalesforceOrgLicence)
        .where(SalesforceOrgLicence.salesforce_org_id.in_(list(org_ids)))
        .order_by(SalesforceOrgLicence.name)
    )
    found: dict[uuid.UUID, list[SalesforceOrgLicence]] = {org_id: [] for org_id in org_ids}
    for licence in await session.scalars(statement):
        found[licence.salesforce_org_id].append(licence)
    return found


async def licence_use_by_org_ids(
    session: AsyncSession, org_ids: Sequence[uuid.UUID], now: datetime
) -> dict[tuple[uuid.UUID, str], tuple[int, int]]:
    """(org, licence) -> (active users who logged in within 90 days, those who did not)."""
    user = SalesforceOrgUser
    recent = and_(user.last_login_at.is_not(None), user.last_login_at >= now - USED_WITHIN)
    statement = (
        select(
            user.salesforce_org_id,
            user.licence_name,
            func.count().filter(recent).label("used"),
            func.count().filter(~recent).label("unused"),
        )
        .where(
            user.salesforce_org_id.in_(list(org_ids)),
            user.is_active,
            user.licence_name.is_not(None),
        )
        .group_by(user.salesforce_org_id, user.licence_name)
    )
    rows = await session.execute(statement)
    return {(row.salesforce_org_id, row.licence_name): (row.used, row.unused) for row in rows}


async def owner_team_ids(session: AsyncSession, org_id: uuid.UUID) -> set[uuid.UUID]:
    """The owner teams of the services that run on the org."""
    statement = (
        select(Service.owner_team_id)
        .join(service_salesforce_org, service_salesforce_org.c.service_id == Service.id)
        .where(service_salesforce_org.c.salesforce_org_id == org_id)
        .distinct()
    )
    return set(await session.scalars(statement))


async def get_user(
    session: AsyncSession, org_id: uuid.UUID, salesforce_user_id: str
) -> SalesforceOrgUser | None:
    return await session.scalar(
        select(SalesforceOrgUser).where(
            SalesforceOrgUser.salesforce_org_id == org_id,
            SalesforceOrgUser.salesforce_user_id == salesforce_user_id,
        )
    )


async def mark_frozen(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(
        update(SalesforceOrgUser).where(SalesforceOrgUser.id == user_id).values(is_frozen=True)
    )
