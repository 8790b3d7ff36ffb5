"""Whose vote a Salesforce Vote is: the person its user matches, else nobody here.

The rule, kept simple: a user matches the person whose email equals (case aside) the
user's `FederationIdentifier` or, failing that, the user's `Email`; or else the person
whose OIDC subject equals the `FederationIdentifier` (the usual SAML/OIDC federation).
When several people match, the first by id wins, so the answer never flickers.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.models import Person
from salesforce.idea_records import VoteRecord


def _candidates(vote: VoteRecord) -> list[tuple[str, str]]:
    """(what to compare, value), in order of preference."""
    found: list[tuple[str, str]] = []
    if vote.federation_id:
        found.append(("email", vote.federation_id.casefold()))
    if vote.email:
        found.append(("email", vote.email.casefold()))
    if vote.federation_id:
        found.append(("subject", vote.federation_id))
    return found


async def people_of_votes(
    session: AsyncSession, votes: Sequence[VoteRecord]
) -> dict[str, uuid.UUID | None]:
    """Each vote's person by vote id (None: an external vote), in one statement."""
    wanted = [candidate for vote in votes for candidate in _candidates(vote)]
    emails = sorted({value for kind, value in wanted if kind == "email"})
    subjects = sorted({value for kind, value in wanted if kind == "subject"})
    by: dict[tuple[str, str], uuid.UUID] = {}
    if wanted:
        rows = await session.execute(
            select(Person.id, func.lower(Person.email), Person.subject)
            .where(or_(func.lower(Person.email).in_(emails), Person.subject.in_(subjects)))
            .order_by(Person.id)
        )
        for person_id, email, subject in rows:
            if email is not None:
                by.setdefault(("email", email.casefold()), person_id)
            by.setdefault(("subject", subject), person_id)
    return {vote.id: next((by[c] for c in _candidates(vote) if c in by), None) for vote in votes}
