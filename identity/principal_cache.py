"""The person behind a token, cached for the token's lifetime; any change to who they are
forgets them at once, in every replica.

A repeated bearer token (or the development token) then costs no database round trip for
identity. What a cached principal carries — active, team memberships, the roles those give —
changes only through the identity actions and SCIM, which call `identity_changed` inside
their transaction: this process forgets the person at once and again when the transaction
commits (so that a lookup racing the change cannot keep what it read before), and a
`NOTIFY catalog_identity` sent in the same transaction tells every other replica, whose
listener forgets them too. Entries are trusted only while that listener is connected:
notifications sent while it is not are lost, so losing it empties the cache and turns it
off until it listens again. A deactivated person is never cached: they are refused, with
the database's word for it, on their very next request.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cachetools import TLRUCache
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import once_more_if_lost
from identity import changes
from identity.authentication import (
    Authenticated,
    authenticate,
    development_principal,
    last_seen_due,
    machine_principal,
    touch_last_seen,
)
from identity.principal import Principal, Role
from identity.tokens import VerifiedToken

MAX_ENTRIES = 10_000
# The development token does not expire; nor does any entry outlive this.
MAX_LIFETIME_S = 3600.0
DEVELOPMENT_KEY = "development"


@dataclass
class _Entry:
    principal: Principal
    expires_at: float  # on the cache's clock
    last_seen_at: datetime | None = None  # None: nothing to mark (development, machines)


def _expiry(_key: str, entry: _Entry, _now: float) -> float:
    return entry.expires_at


class PrincipalCache:
    """Bounded (MAX_ENTRIES, least recently used out first); one per app."""

    def __init__(
        self,
        *,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._entries: TLRUCache[str, _Entry, float] = TLRUCache(
            max_entries, ttu=_expiry, timer=clock
        )
        self._clock = clock
        self._wall_clock = wall_clock
        # Bumped by every change: a lookup that began before one must not cache its answer.
        self._generation = 0
        self.listening = False
        changes.register(self)

    def __len__(self) -> int:
        return len(self._entries)

    def listening_changed(self, listening: bool) -> None:
        """The listener connected (again) or lost its connection: start afresh either way."""
        self.listening = listening
        self.forget(None)

    def on_notification(self, payload: dict[str, Any]) -> None:
        """A `catalog_identity` notification, from this replica or another."""
        self.forget(changes.person_ids(payload))

    def forget(self, person_ids: Iterable[uuid.UUID] | None) -> None:
        """Forget the people named, or everyone (None)."""
        self._generation += 1
        if person_ids is None:
            self._entries.clear()
            return
        forgotten = set(person_ids)
        for key, entry in list(self._entries.items()):
            if entry.principal.person_id in forgotten:
                self._entries.pop(key, None)

    async def for_token(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        token: str,
        verified: VerifiedToken,
    ) -> Principal:
        """The caller of a verified token; raises Deactivated for a deactivated person."""
        machine = machine_principal(verified)
        if machine is not None:
            return machine
        entry = self._get(token)
        if entry is not None:
            if last_seen_due(entry.last_seen_at):
                entry.last_seen_at = await _touch(sessionmaker, entry.principal)
            return entry.principal
        generation = self._generation

        async def look_up() -> Authenticated:
            async with sessionmaker() as session:
                return await authenticate(session, verified)

        found = await once_more_if_lost(look_up)
        expires = verified.claims.get("exp")
        lifetime = 0.0
        if isinstance(expires, (int, float)) and not isinstance(expires, bool):
            lifetime = float(expires) - self._wall_clock()
        self._put(token, _Entry(found.principal, 0.0, found.last_seen_at), lifetime, generation)
        return found.principal

    async def development(
        self, sessionmaker: async_sessionmaker[AsyncSession], roles: frozenset[Role]
    ) -> Principal:
        """The development person (server/dev_sign_in.py), made on first use."""
        entry = self._get(DEVELOPMENT_KEY)
        if entry is not None and entry.principal.granted_roles == roles:
            return entry.principal
        generation = self._generation

        async def look_up() -> Principal:
            async with sessionmaker() as session:
                return await development_principal(session, roles)

        principal = await once_more_if_lost(look_up)
        self._put(DEVELOPMENT_KEY, _Entry(principal, 0.0), MAX_LIFETIME_S, generation)
        return principal

    def _get(self, key: str) -> _Entry | None:
        return self._entries.get(key) if self.listening else None

    def _put(self, key: str, entry: _Entry, lifetime: float, generation: int) -> None:
        lifetime = min(lifetime, MAX_LIFETIME_S)
        if not self.listening or generation != self._generation or lifetime <= 0:
            return
        entry.expires_at = self._clock() + lifetime
        self._entries[key] = entry


async def _touch(
    sessionmaker: async_sessionmaker[AsyncSession], principal: Principal
) -> datetime | None:
    """Mark a cached person as seen (every LAST_SEEN_RESOLUTION at most), as a lookup would."""
    if principal.person_id is None:
        return None
    person_id = principal.person_id

    async def touch() -> datetime:
        async with sessionmaker() as session:
            seen = await touch_last_seen(session, person_id)
            await session.commit()
            return seen

    return await once_more_if_lost(touch)
