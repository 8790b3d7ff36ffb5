"""SCIM provisioning rules: link, create, replace, patch, deactivate and release people.

A SCIM user is a person of `CATALOG_SCIM_ISSUER` (SPEC §1): the one whose `sub` equals
its `externalId`, or failing that the one whose verified email equals its `userName`;
else a new person, whose subject is the `externalId` or a `scim:<uuid>` placeholder
claimed at first sign-in. Creating a user whose linked person is already provisioned
is a uniqueness conflict. Deactivation (active false, or DELETE) removes team
memberships, and the person is refused on their next request; reactivation restores
access, not memberships. DELETE never deletes the row. Each write is recorded in
history as `scim:<issuer>`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from scim2_models import PatchOp
from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from core.errors import Duplicate, NotFound, TooLong
from core.events import PeopleDeactivated, publish
from core.history import set_transaction_actor
from core.validation import optional_text, text_field
from identity.changes import identity_changed
from identity.models import Person
from identity.scim import repository
from identity.scim.resources import (
    POLICY,
    User,
    derived_display_name,
    primary_email,
    stored_attributes,
    user_resource,
)

PLACEHOLDER_PREFIX = "scim:"


@dataclass(frozen=True)
class ScimActor:
    """The IdP's SCIM client, speaking for the people of one issuer."""

    issuer: str
    request_id: str | None = None

    @property
    def name(self) -> str:
        return f"scim:{self.issuer}"


@dataclass(frozen=True)
class UserPage:
    total: int
    people: list[Person]


async def list_users(
    session: AsyncSession,
    *,
    actor: ScimActor,
    condition: ColumnElement[bool] | None,
    start_index: int,
    count: int,
) -> UserPage:
    """A page of the issuer's SCIM users; `start_index` counts from 1."""
    total, people = await repository.list_provisioned(
        session, issuer=actor.issuer, condition=condition, offset=start_index - 1, limit=count
    )
    return UserPage(total, people)


async def get_user(session: AsyncSession, *, actor: ScimActor, person_id: uuid.UUID) -> Person:
    """One SCIM user of the issuer."""
    return await _provisioned(session, actor, person_id, lock=False)


async def create_user(session: AsyncSession, *, actor: ScimActor, user: User) -> Person:
    """Provision a user: adopt the linked person if there is one, else create them."""
    await _begin(session, actor)
    user_name, external_id = _identifiers(user)
    person = await _linked_person(session, actor.issuer, user_name, external_id)
    if person is None:
        subject = external_id or f"{PLACEHOLDER_PREFIX}{uuid.uuid4()}"
        person = Person(issuer=actor.issuer, subject=subject, display_name="")
        session.add(person)
    elif person.scim_provisioned_at is not None:
        raise Duplicate(
            f"this person is already the SCIM user {person.id}", field=["externalId", "userName"]
        )
    await _apply(session, person, user)
    return person


async def replace_user(
    session: AsyncSession, *, actor: ScimActor, person_id: uuid.UUID, user: User
) -> Person:
    """Replace every SCIM attribute of a user (PUT)."""
    await _begin(session, actor)
    person = await _provisioned(session, actor, person_id, lock=True)
    await _apply(session, person, user)
    return person


async def patch_user(
    session: AsyncSession, *, actor: ScimActor, person_id: uuid.UUID, patch: PatchOp[User]
) -> Person:
    """Apply PATCH operations to a user; raises scim2-models' SCIMException when one is refused."""
    await _begin(session, actor)
    person = await _provisioned(session, actor, person_id, lock=True)
    user = user_resource(person, location="")
    patch.patch(user, scim_policy=POLICY)
    await _apply(session, person, user)
    return person


async def delete_user(session: AsyncSession, *, actor: ScimActor, person_id: uuid.UUID) -> None:
    """Deprovision: deactivate, drop memberships, release the SCIM link; keep the person row.

    The row stays: history and ownership refer to it, and a deleted row would let the
    next sign-in provision an active person again.
    """
    await _begin(session, actor)
    person = await _provisioned(session, actor, person_id, lock=True)
    was_active = person.active
    person.active = False
    person.scim_provisioned_at = None
    person.scim_user_name = None
    person.scim_external_id = None
    person.scim_attributes = None
    await repository.delete_memberships(session, person_id=person.id)
    await repository.forget_group_memberships(session, person_id=person.id)
    await session.flush()
    await identity_changed(session, [person.id])  # refused from their next request on
    if was_active:
        await publish(session, PeopleDeactivated((person.id,)))


async def _begin(session: AsyncSession, actor: ScimActor) -> None:
    await set_transaction_actor(session, actor=actor.name, request_id=actor.request_id)


async def _provisioned(
    session: AsyncSession, actor: ScimActor, person_id: uuid.UUID, *, lock: bool
) -> Person:
    person = await repository.get_provisioned(
        session, issuer=actor.issuer, person_id=person_id, lock=lock
    )
    if person is None:
        raise NotFound(f"no SCIM user {person_id}", field=["id"])
    return person


def _identifiers(user: User) -> tuple[str, str | None]:
    user_name = text_field(user.user_name or "", field="userName", max_length=320)
    external_id = optional_text(user.external_id, field="externalId", max_length=255)
    return user_name, external_id


async def _linked_person(
    session: AsyncSession, issuer: str, user_name: str, external_id: str | None
) -> Person | None:
    """SPEC §1: the person whose sub is the externalId, else whose verified email is userName."""
    if external_id is not None:
        person = await repository.find_by_subject(session, issuer=issuer, subject=external_id)
        if person is not None:
            return person
    return await repository.find_by_verified_email(session, issuer=issuer, email=user_name)


async def _apply(session: AsyncSession, person: Person, user: User) -> None:
    """Write the user's attributes to the person; inactive people lose their memberships."""
    user_name, external_id = _identifiers(user)
    await _refuse_taken(session, person, user_name, external_id)
    if external_id is not None and person.subject.startswith(PLACEHOLDER_PREFIX):
        person.subject = external_id  # the IdP now names the subject: sign-in finds it
    email = primary_email(user)
    if email != person.email:
        person.email, person.email_verified = email, False
    if user.display_name is not None and len(user.display_name.strip()) > 200:
        raise TooLong("displayName is at most 200 characters", field=["displayName"])
    person.display_name = derived_display_name(user)[:200]
    person.scim_user_name = user_name
    person.scim_external_id = external_id
    person.scim_attributes = stored_attributes(user)
    person.scim_provisioned_at = person.scim_provisioned_at or utcnow()
    was_active = person.active
    person.active = user.active is not False
    try:
        await session.flush()
    except IntegrityError:
        raise Duplicate("userName or externalId is already taken", field=["userName"]) from None
    if not person.active:
        await repository.delete_memberships(session, person_id=person.id)
    # Active or not, subject, memberships: a cached principal of theirs is forgotten.
    await identity_changed(session, [person.id])
    if was_active and not person.active:
        await publish(session, PeopleDeactivated((person.id,)))


async def _refuse_taken(
    session: AsyncSession, person: Person, user_name: str, external_id: str | None
) -> None:
    issuer = person.issuer
    holder = await repository.user_name_holder(session, issuer=issuer, user_name=user_name)
    if holder not in (None, person.id):
        raise Duplicate(f"userName {user_name!r} is already taken", field=["userName"])
    if external_id is None:
        return
    holder = await repository.external_id_holder(session, issuer=issuer, external_id=external_id)
    if holder not in (None, person.id):
        raise Duplicate(f"externalId {external_id!r} is already taken", field=["externalId"])
    if person.subject.startswith(PLACEHOLDER_PREFIX):
        holder = await repository.subject_holder(session, issuer=issuer, subject=external_id)
        if holder not in (None, person.id):
            raise Duplicate(
                f"externalId {external_id!r} is the subject of another person",
                field=["externalId"],
            )
