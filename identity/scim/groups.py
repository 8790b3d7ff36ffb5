"""SCIM Groups mapped to team memberships.

A group maps to the team whose slug equals its `externalId`, else whose slug or name equals
its `displayName` (case-insensitive; archived teams never match); a group matching no team
is kept, with its members, and maps to nothing until a write makes it match. One group per
team. Members are SCIM users of the issuer, by id. A member of a mapped group is a member
of the team in the default role (ENGINEER): adding creates that membership, removing
deletes it, each through identity's actions and audited (`createMembership`,
`deleteMembership`, details `{"via": "scim", "group": id}`). Deactivated people get no
membership (SCIM deactivation removed theirs).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from scim2_models import Group, PatchOp
from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Duplicate, Invalid, NotFound
from core.history import set_transaction_actor
from core.validation import optional_text, text_field
from identity import actions as identity_actions
from identity import repository as identity_repository
from identity.audit import AuditEntry, AuditOutcome, RequestFacts, record
from identity.models import MembershipRole
from identity.principal import Principal, Role
from identity.scim import repository
from identity.scim.actions import ScimActor
from identity.scim.group_filters import CORE_GROUP_SCHEMA
from identity.scim.models import ScimGroup
from identity.scim.resources import POLICY

DEFAULT_MEMBER_ROLE = MembershipRole.ENGINEER


@dataclass(frozen=True)
class Member:
    person_id: uuid.UUID
    display_name: str


@dataclass
class GroupView:
    """A group and its members, as SCIM shows it."""

    group: ScimGroup
    members: list[Member] = field(default_factory=list)


@dataclass(frozen=True)
class GroupPage:
    total: int
    groups: list[GroupView]


def _principal(actor: ScimActor) -> Principal:
    """The IdP's SCIM client, as identity's actions and the audit log name it."""
    return Principal("scim", actor.issuer, frozenset({Role.ADMIN}), is_machine=True)


async def _views(session: AsyncSession, groups: list[ScimGroup]) -> list[GroupView]:
    views = {group.id: GroupView(group) for group in groups}
    for group_id, person_id, name in await repository.group_members(session, group_ids=list(views)):
        views[group_id].members.append(Member(person_id, name))
    return list(views.values())


async def list_groups(
    session: AsyncSession,
    *,
    actor: ScimActor,
    condition: ColumnElement[bool] | None,
    start_index: int,
    count: int,
) -> GroupPage:
    """A page of the issuer's SCIM groups with their members; `start_index` counts from 1."""
    total, groups = await repository.list_groups(
        session, issuer=actor.issuer, condition=condition, offset=start_index - 1, limit=count
    )
    return GroupPage(total, await _views(session, groups))


async def get_group(session: AsyncSession, *, actor: ScimActor, group_id: uuid.UUID) -> GroupView:
    """One SCIM group of the issuer."""
    group = await _group(session, actor, group_id, lock=False)
    return (await _views(session, [group]))[0]


async def create_group(
    session: AsyncSession, *, actor: ScimActor, group: Group, facts: RequestFacts
) -> GroupView:
    """Store a pushed group; its members become members of the team it maps to."""
    await _begin(session, actor)
    row = ScimGroup(issuer=actor.issuer, display_name="")
    await _apply(session, actor, row, GroupView(row), group, facts)
    return await get_group(session, actor=actor, group_id=row.id)


async def replace_group(
    session: AsyncSession,
    *,
    actor: ScimActor,
    group_id: uuid.UUID,
    group: Group,
    facts: RequestFacts,
) -> GroupView:
    """Replace a group's name, externalId and members (PUT)."""
    await _begin(session, actor)
    current = await _locked_view(session, actor, group_id)
    await _apply(session, actor, current.group, current, group, facts)
    return await get_group(session, actor=actor, group_id=group_id)


async def patch_group(
    session: AsyncSession,
    *,
    actor: ScimActor,
    group_id: uuid.UUID,
    patch: PatchOp[Group],
    facts: RequestFacts,
) -> GroupView:
    """Apply PATCH operations (Okta and Entra ID add and remove members this way)."""
    await _begin(session, actor)
    current = await _locked_view(session, actor, group_id)
    wanted = group_resource(current)
    patch.patch(wanted, scim_policy=POLICY)
    await _apply(session, actor, current.group, current, wanted, facts)
    return await get_group(session, actor=actor, group_id=group_id)


async def delete_group(
    session: AsyncSession, *, actor: ScimActor, group_id: uuid.UUID, facts: RequestFacts
) -> None:
    """Forget a group: its members leave the team it maps to."""
    await _begin(session, actor)
    current = await _locked_view(session, actor, group_id)
    if current.group.team_id is not None:
        for member in current.members:
            await _leave(session, actor, current.group, member.person_id, facts)
    await session.delete(current.group)
    await session.flush()


def group_resource(view: GroupView, *, users_url: str | None = None) -> Group:
    """The SCIM representation (without meta) of a stored group; `$ref`s under `users_url`."""
    members = []
    for member in view.members:
        listed = {"value": str(member.person_id), "display": member.display_name, "type": "User"}
        if users_url is not None:
            listed["$ref"] = f"{users_url}/{member.person_id}"
        members.append(listed)
    return Group.model_validate(
        {
            "schemas": [CORE_GROUP_SCHEMA],
            "id": str(view.group.id),
            "externalId": view.group.external_id,
            "displayName": view.group.display_name,
            "members": members,
        },
        scim_policy=POLICY,
    )


async def _begin(session: AsyncSession, actor: ScimActor) -> None:
    await set_transaction_actor(session, actor=actor.name, request_id=actor.request_id)


async def _group(
    session: AsyncSession, actor: ScimActor, group_id: uuid.UUID, *, lock: bool
) -> ScimGroup:
    group = await repository.get_group(session, issuer=actor.issuer, group_id=group_id, lock=lock)
    if group is None:
        raise NotFound(f"no SCIM group {group_id}", field=["id"])
    return group


async def _locked_view(session: AsyncSession, actor: ScimActor, group_id: uuid.UUID) -> GroupView:
    group = await _group(session, actor, group_id, lock=True)
    return (await _views(session, [group]))[0]


@dataclass(frozen=True)
class _Wanted:
    active: bool
    display: str | None


async def _wanted_members(
    session: AsyncSession, actor: ScimActor, group: Group
) -> dict[uuid.UUID, _Wanted]:
    """The members a group lists: SCIM users of the issuer, by id."""
    displays: dict[uuid.UUID, str | None] = {}
    for member in group.members or []:
        if member.type not in (None, "User"):
            raise Invalid(
                "a member must be a User; nested groups are not supported", field=["members"]
            )
        try:
            person_id = uuid.UUID(str(member.value))
        except ValueError:
            raise Invalid(f"no SCIM user {member.value}", field=["members"]) from None
        displays[person_id] = optional_text(member.display, field="display", max_length=256)
    known = await repository.provisioned_people(
        session, issuer=actor.issuer, person_ids=set(displays)
    )
    unknown = sorted(str(person_id) for person_id in set(displays) - set(known))
    if unknown:
        raise Invalid(f"no SCIM user {', '.join(unknown)}", field=["members"])
    return {person_id: _Wanted(known[person_id], displays[person_id]) for person_id in displays}


async def _mapped_team(
    session: AsyncSession,
    actor: ScimActor,
    row: ScimGroup,
    display_name: str,
    external_id: str | None,
) -> uuid.UUID | None:
    """The team the group maps to; refused when that team is another group's."""
    holder = await repository.group_name_holder(
        session, issuer=actor.issuer, display_name=display_name
    )
    if holder not in (None, row.id):
        raise Duplicate(f"displayName {display_name!r} is already taken", field=["displayName"])
    team_id = await repository.team_for_group(
        session, display_name=display_name, external_id=external_id
    )
    holder = None if team_id is None else await repository.group_of_team(session, team_id=team_id)
    if holder not in (None, row.id):
        raise Duplicate("another SCIM group already maps to this team", field=["displayName"])
    return team_id


async def _apply(
    session: AsyncSession,
    actor: ScimActor,
    row: ScimGroup,
    current: GroupView,
    group: Group,
    facts: RequestFacts,
) -> None:
    """Write the group; move team memberships along with its members and its team."""
    display_name = text_field(group.display_name or "", field="displayName", max_length=256)
    external_id = optional_text(group.external_id, field="externalId", max_length=255)
    team_id = await _mapped_team(session, actor, row, display_name, external_id)
    wanted = await _wanted_members(session, actor, group)
    before = {member.person_id: member.display_name for member in current.members}
    old_team = row.team_id
    if old_team is not None:
        leaving = set(before) if team_id != old_team else set(before) - set(wanted)
        for person_id in sorted(leaving):
            await _leave(session, actor, row, person_id, facts)
    row.display_name, row.external_id, row.team_id = display_name, external_id, team_id
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        raise Duplicate("this group is already provisioned", field=["displayName"]) from None
    await repository.remove_group_members(
        session, group_id=row.id, person_ids=sorted(set(before) - set(wanted))
    )
    changed = {
        person_id: member.display
        for person_id, member in wanted.items()
        if person_id not in before or member.display not in (None, before[person_id])
    }
    await repository.put_group_members(session, group_id=row.id, members=changed)
    if team_id is not None:
        joining = set(wanted) if team_id != old_team else set(wanted) - set(before)
        for person_id in sorted(joining):
            if wanted[person_id].active:
                await _join(session, actor, row, person_id, facts)


async def _join(
    session: AsyncSession,
    actor: ScimActor,
    group: ScimGroup,
    person_id: uuid.UUID,
    facts: RequestFacts,
) -> None:
    assert group.team_id is not None
    existing = await identity_repository.find_membership(
        session, person_id=person_id, team_id=group.team_id, role=DEFAULT_MEMBER_ROLE
    )
    if existing is not None:
        return
    principal = _principal(actor)
    membership = await identity_actions.create_membership(
        session,
        principal=principal,
        person_id=person_id,
        team_id=group.team_id,
        role=DEFAULT_MEMBER_ROLE,
    )
    await _audit(session, principal, "createMembership", membership.id, group, facts)


async def _leave(
    session: AsyncSession,
    actor: ScimActor,
    group: ScimGroup,
    person_id: uuid.UUID,
    facts: RequestFacts,
) -> None:
    assert group.team_id is not None
    membership = await identity_repository.find_membership(
        session, person_id=person_id, team_id=group.team_id, role=DEFAULT_MEMBER_ROLE
    )
    if membership is None:
        return
    principal = _principal(actor)
    await identity_actions.delete_membership(
        session, principal=principal, membership_id=membership.id, version=membership.version
    )
    await _audit(session, principal, "deleteMembership", membership.id, group, facts)


async def _audit(
    session: AsyncSession,
    principal: Principal,
    action: str,
    membership_id: uuid.UUID,
    group: ScimGroup,
    facts: RequestFacts,
) -> None:
    entry = AuditEntry(
        action,
        AuditOutcome.SUCCESS,
        target_type="Membership",
        target_id=str(membership_id),
        details={"via": "scim", "group": str(group.id), "team": str(group.team_id)},
    )
    await record(session, entry, principal=principal, facts=facts)
