"""Business rules of the organisation: business units, teams, memberships, people."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import DomainError, Duplicate, NotFound
from core.records import (
    apply_changes,
    archive_record,
    check_version,
    delete_record,
    require_found,
)
from core.repository import get_by_id
from core.validation import email_field, optional_text, slug_field, text_field
from identity import repository
from identity.changes import identity_changed
from identity.models import BusinessUnit, Membership, MembershipRole, Person, Team, TeamKind
from identity.permissions import require_admin, require_team_member
from identity.principal import Principal

# The unique keys of this domain's tables, as a refusal on the field they guard: the checks
# below refuse a duplicate first, but a concurrent writer can win the race to the insert.
UNIQUE_KEYS: dict[str, DomainError] = {
    "uq_business_unit_name": Duplicate(
        "a business unit with this name already exists", field=["name"]
    ),
    "uq_team_slug": Duplicate("a team with this slug already exists", field=["slug"]),
    "uq_membership_person_id_team_id_role": Duplicate(
        "the person already has this role in the team", field=["role"]
    ),
}


async def create_business_unit(
    session: AsyncSession, *, principal: Principal, name: str
) -> BusinessUnit:
    """Create a business unit; names are unique."""
    require_admin(principal, action="creating a business unit")
    name = text_field(name, field="name", max_length=200)
    await _refuse_duplicate_business_unit(session, name)
    unit = BusinessUnit(name=name)
    session.add(unit)
    await session.flush()
    return unit


async def update_business_unit(
    session: AsyncSession,
    *,
    principal: Principal,
    business_unit_id: uuid.UUID,
    version: int,
    name: str | None = None,
) -> BusinessUnit:
    """Rename a business unit."""
    require_admin(principal, action="changing a business unit")
    unit = require_found(
        await get_by_id(session, BusinessUnit, business_unit_id), what="business unit"
    )
    check_version(unit, version)
    if name is not None:
        name = text_field(name, field="name", max_length=200)
        if name != unit.name:
            await _refuse_duplicate_business_unit(session, name)
        unit.name = name
    await session.flush()
    return unit


async def _refuse_duplicate_business_unit(session: AsyncSession, name: str) -> None:
    if await repository.get_business_unit_by_name(session, name) is not None:
        raise Duplicate(f"a business unit named {name!r} already exists", field=["name"])


def _team_fields(fields: dict[str, Any]) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    if "name" in fields:
        checked["name"] = text_field(fields["name"], field="name", max_length=200)
    if "slug" in fields:
        checked["slug"] = slug_field(fields["slug"])
    if "kind" in fields:
        checked["kind"] = TeamKind(fields["kind"])
    if "contact_email" in fields:
        checked["contact_email"] = email_field(fields["contact_email"], field="contactEmail")
    if "chat_channel" in fields:
        checked["chat_channel"] = optional_text(
            fields["chat_channel"], field="chatChannel", max_length=200
        )
    if "business_unit_id" in fields:
        checked["business_unit_id"] = fields["business_unit_id"]
    return checked


async def _check_team_references(session: AsyncSession, fields: dict[str, Any]) -> None:
    if "business_unit_id" in fields:
        unit = await get_by_id(session, BusinessUnit, fields["business_unit_id"])
        if unit is None:
            raise NotFound("business unit not found", field=["businessUnitId"])
    if "slug" in fields and await repository.get_team_by_slug(session, fields["slug"]):
        raise Duplicate(f"a team with slug {fields['slug']!r} already exists", field=["slug"])


async def create_team(
    session: AsyncSession,
    *,
    principal: Principal,
    name: str,
    slug: str,
    kind: TeamKind,
    business_unit_id: uuid.UUID,
    contact_email: str | None = None,
    chat_channel: str | None = None,
) -> Team:
    """Create a team in a business unit."""
    require_admin(principal, action="creating a team")
    fields = _team_fields(
        {
            "name": name,
            "slug": slug,
            "kind": kind,
            "business_unit_id": business_unit_id,
            "contact_email": contact_email,
            "chat_channel": chat_channel,
        }
    )
    await _check_team_references(session, fields)
    team = Team(**fields)
    session.add(team)
    await session.flush()
    return team


async def update_team(
    session: AsyncSession,
    *,
    principal: Principal,
    team_id: uuid.UUID,
    version: int,
    changes: dict[str, Any],
) -> Team:
    """Change a team's fields; the team's own members or an ADMIN may."""
    team = require_found(await get_by_id(session, Team, team_id), what="team")
    require_team_member(principal, team.id, action="changing a team")
    check_version(team, version)
    fields = _team_fields(changes)
    if fields.get("slug") == team.slug:
        del fields["slug"]
    if fields.get("business_unit_id") == team.business_unit_id:
        del fields["business_unit_id"]
    if "business_unit_id" in fields:
        require_admin(principal, action="moving a team to another business unit")
    await _check_team_references(session, fields)
    apply_changes(team, fields)
    await session.flush()
    return team


async def create_membership(
    session: AsyncSession,
    *,
    principal: Principal,
    person_id: uuid.UUID,
    team_id: uuid.UUID,
    role: MembershipRole,
) -> Membership:
    """Put a person in a team with a role."""
    team = require_found(await get_by_id(session, Team, team_id), what="team", field="teamId")
    require_team_member(principal, team.id, action="adding a team member")
    require_found(await get_by_id(session, Person, person_id), what="person", field="personId")
    existing = await repository.find_membership(
        session, person_id=person_id, team_id=team_id, role=role
    )
    if existing is not None:
        raise Duplicate("the person already has this role in the team", field=["role"])
    membership = Membership(person_id=person_id, team_id=team_id, role=MembershipRole(role))
    session.add(membership)
    await session.flush()
    await identity_changed(session, [person_id])  # their teams and roles
    return membership


async def update_membership(
    session: AsyncSession,
    *,
    principal: Principal,
    membership_id: uuid.UUID,
    version: int,
    role: MembershipRole,
) -> Membership:
    """Change a member's role in the team."""
    membership = require_found(
        await get_by_id(session, Membership, membership_id), what="membership"
    )
    require_team_member(principal, membership.team_id, action="changing a team member")
    check_version(membership, version)
    if role != membership.role:
        existing = await repository.find_membership(
            session, person_id=membership.person_id, team_id=membership.team_id, role=role
        )
        if existing is not None:
            raise Duplicate("the person already has this role in the team", field=["role"])
        membership.role = MembershipRole(role)
        await identity_changed(session, [membership.person_id])  # their roles
    await session.flush()
    return membership


async def ensure_person(
    session: AsyncSession,
    *,
    issuer: str,
    subject: str,
    display_name: str,
    email: str | None = None,
    email_verified: bool = False,
) -> Person:
    """Find a federated person by (issuer, subject), creating them just in time."""
    person = await repository.get_person_by_identity(session, issuer, subject)
    if person is None:
        person = Person(
            issuer=issuer,
            subject=subject,
            display_name=text_field(display_name, field="displayName", max_length=200),
            email=email_field(email, field="email"),
            email_verified=email_verified,
        )
        session.add(person)
        await session.flush()
    return person


async def archive_business_unit(
    session: AsyncSession, *, principal: Principal, business_unit_id: uuid.UUID, version: int
) -> BusinessUnit:
    """Hide a business unit from lists (ADMIN)."""
    require_admin(principal, action="archiving a business unit")
    unit = require_found(
        await get_by_id(session, BusinessUnit, business_unit_id), what="business unit"
    )
    await archive_record(session, unit, version)
    return unit


async def delete_business_unit(
    session: AsyncSession, *, principal: Principal, business_unit_id: uuid.UUID, version: int
) -> None:
    """Delete a business unit without teams (ADMIN)."""
    require_admin(principal, action="deleting a business unit")
    unit = require_found(
        await get_by_id(session, BusinessUnit, business_unit_id), what="business unit"
    )
    await delete_record(session, unit, version, what="business unit")


async def archive_team(
    session: AsyncSession, *, principal: Principal, team_id: uuid.UUID, version: int
) -> Team:
    """Hide a team from lists (ADMIN)."""
    require_admin(principal, action="archiving a team")
    team = require_found(await get_by_id(session, Team, team_id), what="team")
    await archive_record(session, team, version)
    return team


async def delete_team(
    session: AsyncSession, *, principal: Principal, team_id: uuid.UUID, version: int
) -> None:
    """Delete a team that owns nothing and has no members (ADMIN)."""
    require_admin(principal, action="deleting a team")
    team = require_found(await get_by_id(session, Team, team_id), what="team")
    await delete_record(session, team, version, what="team")


async def delete_membership(
    session: AsyncSession, *, principal: Principal, membership_id: uuid.UUID, version: int
) -> None:
    """Take a person out of a team role."""
    membership = require_found(
        await get_by_id(session, Membership, membership_id), what="membership"
    )
    require_team_member(principal, membership.team_id, action="removing a team member")
    await delete_record(session, membership, version, what="membership")
    await identity_changed(session, [membership.person_id])  # their teams and roles
