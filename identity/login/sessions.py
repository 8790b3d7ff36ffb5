"""Signed-in browser sessions: create on callback, resolve per request, end on logout."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from identity.authentication import ROLES_FROM_MEMBERSHIP
from identity.login.models import BrowserSession
from identity.models import Membership, MembershipRole, Person
from identity.principal import Principal, Role

SESSION_LIFETIME = timedelta(hours=8)
COOKIE_NAME = "catalog_session"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start(session: AsyncSession, principal: Principal, *, id_token: str | None) -> str:
    """Store a new session for a signed-in person; returns the cookie's token."""
    assert principal.person_id is not None
    token = secrets.token_urlsafe(32)
    session.add(
        BrowserSession(
            token_hash=_hash(token),
            person_id=principal.person_id,
            issuer=principal.issuer,
            subject=principal.subject,
            group_roles=sorted(role.value for role in principal.granted_roles),
            id_token=id_token,
            expires_at=utcnow() + SESSION_LIFETIME,
        )
    )
    await session.flush()
    return token


async def resolve(session: AsyncSession, token: str) -> Principal | None:
    """The session's person, if the session is live and the person still active (one query)."""
    row = (
        await session.execute(
            select(
                BrowserSession.person_id,
                BrowserSession.issuer,
                BrowserSession.subject,
                BrowserSession.group_roles,
                func.array_remove(func.array_agg(Membership.team_id), None),
                func.array_remove(func.array_agg(Membership.role), None),
            )
            .join(Person, Person.id == BrowserSession.person_id)
            .outerjoin(Membership, Membership.person_id == Person.id)
            .where(
                BrowserSession.token_hash == _hash(token),
                BrowserSession.expires_at > utcnow(),
                Person.active.is_(True),
            )
            .group_by(BrowserSession.token_hash)
        )
    ).first()
    if row is None:
        return None
    person_id, issuer, subject, group_roles, team_ids, membership_roles = row
    roles = {Role(role) for role in group_roles} | {
        ROLES_FROM_MEMBERSHIP[MembershipRole(role)] for role in membership_roles or ()
    }
    return Principal(
        subject, issuer, frozenset(roles), person_id=person_id, team_ids=frozenset(team_ids or ())
    )


@dataclass(frozen=True)
class Ended:
    """A session just forgotten: its issuer and id token, for the IdP's logout."""

    issuer: str
    id_token: str | None


async def end(session: AsyncSession, token: str) -> Ended | None:
    """Forget the session; returns its issuer and id token, if it existed."""
    row = (
        await session.execute(
            delete(BrowserSession)
            .where(BrowserSession.token_hash == _hash(token))
            .returning(BrowserSession.issuer, BrowserSession.id_token)
        )
    ).first()
    return None if row is None else Ended(row[0], row[1])
