"""From a verified token to a Principal: machine clients, or people provisioned just in time."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import false, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from core.history import set_transaction_actor
from core.oidc_settings import IssuerConfig
from identity.models import Membership, MembershipRole, Person
from identity.principal import DEV_ISSUER, Principal, Role
from identity.scim import PLACEHOLDER_PREFIX
from identity.tokens import VerifiedToken

LAST_SEEN_RESOLUTION = timedelta(minutes=10)

ROLES_FROM_MEMBERSHIP = {
    MembershipRole.PRODUCT_OWNER: Role.PRODUCT_OWNER,
    MembershipRole.ENGINEER: Role.TEAM_MEMBER,
    MembershipRole.SUPPORT_L1: Role.SUPPORT_AGENT,
    MembershipRole.SUPPORT_L2: Role.SUPPORT_AGENT,
    MembershipRole.DESIGN_AUTHORITY: Role.DESIGN_AUTHORITY,
}


class Deactivated(Exception):
    """The person was deactivated (SCIM): refused even with an unexpired token."""


@dataclass(frozen=True)
class _PersonRow:
    id: uuid.UUID
    active: bool
    last_seen_at: datetime | None
    team_ids: frozenset[uuid.UUID]
    membership_roles: frozenset[MembershipRole]


def roles_from_groups(issuer: IssuerConfig, claims: dict[str, Any]) -> frozenset[Role]:
    """Every signed-in person is a VIEWER; IdP groups add the roles the issuer maps them to."""
    groups = claims.get(issuer.groups_claim) or []
    if isinstance(groups, str):
        groups = [groups]
    mapped = {Role(issuer.role_map[group]) for group in groups if group in issuer.role_map}
    return frozenset({Role.VIEWER, *mapped})


def _machine_client(issuer: IssuerConfig, claims: dict[str, Any]) -> str | None:
    client = claims.get("client_id") or claims.get("azp")
    return client if isinstance(client, str) and client in issuer.machine_clients else None


async def _load_person(session: AsyncSession, issuer: str, subject: str) -> _PersonRow | None:
    """The person, active flag and memberships in one indexed statement."""
    row = (
        await session.execute(
            select(
                Person.id,
                Person.active,
                Person.last_seen_at,
                func.array_remove(func.array_agg(Membership.team_id), None),
                func.array_remove(func.array_agg(Membership.role), None),
            )
            .outerjoin(Membership, Membership.person_id == Person.id)
            .where(Person.issuer == issuer, Person.subject == subject)
            .group_by(Person.id)
        )
    ).first()
    if row is None:
        return None
    return _PersonRow(
        row[0],
        row[1],
        row[2],
        frozenset(row[3] or ()),
        frozenset(MembershipRole(role) for role in row[4] or ()),
    )


async def _provision(session: AsyncSession, verified: VerifiedToken) -> None:
    """Create the person on first sight; concurrent first requests create it once."""
    claims = verified.claims
    name = claims.get("name") or claims.get("preferred_username") or claims.get("email")
    await set_transaction_actor(
        session, actor=f"subject:{claims['sub']}@{verified.issuer.issuer}", request_id=None
    )
    await session.execute(
        insert(Person)
        .values(
            issuer=verified.issuer.issuer,
            subject=str(claims["sub"]),
            display_name=str(name or claims["sub"])[:200],
            email=claims.get("email"),
            email_verified=bool(claims.get("email_verified", False)),
        )
        .on_conflict_do_nothing(index_elements=["issuer", "subject"])
    )


async def _claim_provisioned_person(session: AsyncSession, verified: VerifiedToken) -> bool:
    """Give a SCIM-created person (subject `scim:…`) the subject of their first token.

    Only a verified email claims: it must equal the person's SCIM userName (preferred) or
    email. A deactivated person is claimed too, and then refused like any other.
    """
    claims, issuer = verified.claims, verified.issuer.issuer
    email = claims.get("email")
    if claims.get("email_verified") is not True or not isinstance(email, str) or not email:
        return False
    await set_transaction_actor(session, actor=f"subject:{claims['sub']}@{issuer}", request_id=None)
    by_user_name = func.coalesce(func.lower(Person.scim_user_name) == email.lower(), false())
    candidate = (
        select(Person.id)
        .where(
            Person.issuer == issuer,
            Person.subject.startswith(PLACEHOLDER_PREFIX, autoescape=True),
            or_(by_user_name, func.lower(Person.email) == email.lower()),
        )
        .order_by(by_user_name.desc(), Person.created_at)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed = await session.scalar(
        update(Person)
        .where(Person.id == candidate)
        .values(subject=str(claims["sub"]), email_verified=True, version=Person.version + 1)
        .returning(Person.id)
        .execution_options(synchronize_session=False)
    )
    return claimed is not None


@dataclass(frozen=True)
class Authenticated:
    """The caller of a token, and when their person row was last marked as seen."""

    principal: Principal
    last_seen_at: datetime | None = None


def machine_principal(verified: VerifiedToken) -> Principal | None:
    """The machine client a token names (its roles are configured): no database needed."""
    issuer, claims = verified.issuer, verified.claims
    client = _machine_client(issuer, claims)
    if client is None:
        return None
    roles = frozenset(Role(role) for role in issuer.machine_clients[client])
    return Principal(client, issuer.issuer, roles, is_machine=True)


async def principal_for_token(session: AsyncSession, verified: VerifiedToken) -> Principal:
    """Resolve the caller of a verified token; commits a just-in-time person."""
    return (await authenticate(session, verified)).principal


async def authenticate(session: AsyncSession, verified: VerifiedToken) -> Authenticated:
    """The caller of a verified token, provisioned just in time (committed)."""
    machine = machine_principal(verified)
    if machine is not None:
        return Authenticated(machine)
    issuer, claims = verified.issuer, verified.claims
    subject = str(claims["sub"])
    person = await _load_person(session, issuer.issuer, subject)
    if person is None:
        if not await _claim_provisioned_person(session, verified):
            await _provision(session, verified)
        person = await _load_person(session, issuer.issuer, subject)
        assert person is not None
    if not person.active:
        raise Deactivated(f"person {person.id} is deactivated")
    last_seen_at = person.last_seen_at
    if last_seen_due(last_seen_at):
        last_seen_at = await touch_last_seen(session, person.id)
    await session.commit()
    granted = roles_from_groups(issuer, claims) | {
        ROLES_FROM_MEMBERSHIP[role] for role in person.membership_roles
    }
    principal = Principal(
        subject, issuer.issuer, frozenset(granted), person_id=person.id, team_ids=person.team_ids
    )
    return Authenticated(principal, last_seen_at)


def last_seen_due(last_seen_at: datetime | None) -> bool:
    """At most one write per person every LAST_SEEN_RESOLUTION, not one per request."""
    return last_seen_at is None or utcnow() - last_seen_at >= LAST_SEEN_RESOLUTION


async def touch_last_seen(session: AsyncSession, person_id: uuid.UUID) -> datetime:
    """Mark the person as seen now (the caller commits); returns the time written."""
    now = utcnow()
    await session.execute(
        update(Person)
        .where(Person.id == person_id)
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )
    return now


DEV_SUBJECT = "developer"


async def development_principal(session: AsyncSession, roles: frozenset[Role]) -> Principal:
    """The development person (dev, no issuer, the holder of the dev token), made on first use."""
    person = await _load_person(session, DEV_ISSUER, DEV_SUBJECT)
    if person is None:
        await set_transaction_actor(session, actor="system:development", request_id=None)
        await session.execute(
            insert(Person)
            .values(
                issuer=DEV_ISSUER,
                subject=DEV_SUBJECT,
                display_name="Development user",
                email="developer@localhost",
            )
            .on_conflict_do_nothing(index_elements=["issuer", "subject"])
        )
        await session.commit()
        person = await _load_person(session, DEV_ISSUER, DEV_SUBJECT)
        assert person is not None
    return Principal(DEV_SUBJECT, DEV_ISSUER, roles, person_id=person.id, team_ids=person.team_ids)
