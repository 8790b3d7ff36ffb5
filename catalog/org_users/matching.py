"""Which person each org user is: pure, so the rules can be read and tested on their own.

In order, the first rule that names exactly one person wins: the user's
FederationIdentifier is the person's subject (single sign-on asserts it), then their
FederationIdentifier, Email or Username is the person's email (case-insensitive). A value
that names several people matches nobody rather than the wrong one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from salesforce.users import OrgUserRecord


@dataclass(frozen=True)
class PersonKey:
    id: uuid.UUID
    subject: str
    email: str | None


def _index(
    people: Iterable[PersonKey], key: Callable[[PersonKey], str | None]
) -> dict[str, set[uuid.UUID]]:
    found: dict[str, set[uuid.UUID]] = {}
    for person in people:
        value = key(person)
        if value:
            found.setdefault(value, set()).add(person.id)
    return found


def _email(person: PersonKey) -> str | None:
    return person.email.casefold() if person.email else None


def match_users(
    users: Sequence[OrgUserRecord], people: Sequence[PersonKey]
) -> dict[str, uuid.UUID]:
    """Salesforce user id -> the id of the person it is, for the users some person is."""
    by_subject = _index(people, lambda person: person.subject)
    by_email = _index(people, _email)
    matched: dict[str, uuid.UUID] = {}
    for user in users:
        candidates = [by_subject.get(user.federation_id or "")]
        candidates += [
            by_email.get(value.casefold())
            for value in (user.federation_id, user.email, user.username)
            if value
        ]
        for found in candidates:
            if found is not None and len(found) == 1:
                matched[user.id] = next(iter(found))
                break
    return matched


def lookup_values(users: Iterable[OrgUserRecord]) -> tuple[list[str], list[str]]:
    """The subjects and (case-folded) emails that could name a person of these users."""
    subjects = sorted({user.federation_id for user in users if user.federation_id})
    emails = {
        value.casefold()
        for user in users
        for value in (user.federation_id, user.email, user.username)
        if value
    }
    return subjects, sorted(emails)
