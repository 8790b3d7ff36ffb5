"""Calendar feed tokens: made for a person (shown once), revoked, and checked when a calendar
client fetches a feed. Only a SHA-256 hash of each token is stored."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from core.errors import Invalid, NotFound
from core.validation import text_field
from identity.calendar_tokens.models import CalendarToken
from identity.models import Person
from identity.principal import Principal

# The prefix tells a leaked token's kind at a glance (secret scanners, logs).
PREFIX = "scal_"
MAX_TOKEN_LENGTH = 200


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _owner(principal: Principal) -> uuid.UUID:
    if principal.person_id is None:
        raise Invalid("calendar tokens belong to people; a machine client has none")
    return principal.person_id


async def create_calendar_token(
    session: AsyncSession, *, principal: Principal, name: str
) -> tuple[CalendarToken, str]:
    """A new feed token for the caller: the row, and the token itself (shown only now)."""
    person_id = _owner(principal)
    token = PREFIX + secrets.token_urlsafe(32)
    row = CalendarToken(
        id=uuid.uuid4(),
        person_id=person_id,
        name=text_field(name, field="name", max_length=200),
        token_hash=token_hash(token),
    )
    session.add(row)
    await session.flush()
    return row, token


async def revoke_calendar_token(
    session: AsyncSession, *, principal: Principal, token_id: uuid.UUID
) -> CalendarToken:
    """Revoke one of the caller's tokens (an ADMIN may revoke anyone's); feeds stop at once."""
    row = await session.scalar(
        select(CalendarToken).where(CalendarToken.id == token_id).with_for_update()
    )
    if row is None or (row.person_id != principal.person_id and not principal.is_admin):
        raise NotFound("no such calendar token", field=["id"])
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        await session.flush()
    return row


async def tokens_of(session: AsyncSession, person_id: uuid.UUID) -> list[CalendarToken]:
    """A person's tokens, newest first (revoked ones included)."""
    rows = await session.scalars(
        select(CalendarToken)
        .where(CalendarToken.person_id == person_id)
        .order_by(CalendarToken.created_at.desc(), CalendarToken.id.desc())
    )
    return list(rows)


async def person_for_token(
    session: AsyncSession, token: str | None
) -> tuple[CalendarToken, Person] | None:
    """The token's row and its active person, stamping its use; None for an unknown, revoked
    or malformed token, or a deactivated person."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    found = (
        await session.execute(
            select(CalendarToken, Person)
            .join(Person, Person.id == CalendarToken.person_id)
            .where(CalendarToken.token_hash == token_hash(token))
        )
    ).one_or_none()
    if found is None:
        return None
    row, person = found
    if row.revoked_at is not None or not person.active:
        return None
    await session.execute(
        update(CalendarToken).where(CalendarToken.id == row.id).values(last_used_at=utcnow())
    )
    return row, person
