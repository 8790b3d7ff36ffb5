"""Who a person is changed: tell every replica's principal cache (identity/principal_cache.py).

The identity actions and SCIM call `identity_changed` inside the transaction that
deactivates someone or changes their memberships (or subject). It sends `NOTIFY
catalog_identity` in that transaction — PostgreSQL delivers it to every listening replica
when, and only if, it commits — and makes this process's caches forget the people at once
and again after the commit, so that a lookup racing the change cannot keep what it read
before the change was committed.
"""

from __future__ import annotations

import json
import uuid
import weakref
from collections.abc import Iterable
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from core.notifications import MAX_PAYLOAD_BYTES, Channel, notify

# Person ids to forget when the session's transaction commits (None: everyone).
_PENDING = "identity_changed"


class Forgetful(Protocol):
    def forget(self, person_ids: Iterable[uuid.UUID] | None) -> None: ...


_caches: weakref.WeakSet[Forgetful] = weakref.WeakSet()


def register(cache: Forgetful) -> None:
    """A cache of this process to tell (held weakly: it goes with its app)."""
    _caches.add(cache)


async def identity_changed(
    session: AsyncSession, person_ids: Iterable[uuid.UUID] | None = None
) -> None:
    """Call inside a transaction that changes who people are (active, subject, memberships;
    None: anyone): every replica forgets them when it commits, this process at once too."""
    ids = None if person_ids is None else sorted(set(person_ids))
    payload: dict[str, Any] = {"all": True} if ids is None else {"person_ids": ids}
    if len(json.dumps(payload, default=str)) > MAX_PAYLOAD_BYTES:
        ids, payload = None, {"all": True}
    await notify(session, Channel.IDENTITY, payload)
    _forget_here(ids)
    if _PENDING not in session.info:
        session.info[_PENDING] = None if ids is None else set(ids)
    elif session.info[_PENDING] is not None:
        session.info[_PENDING] = None if ids is None else session.info[_PENDING] | set(ids)


def _forget_here(person_ids: Iterable[uuid.UUID] | None) -> None:
    ids = None if person_ids is None else list(person_ids)
    for cache in list(_caches):
        cache.forget(ids)


def person_ids(payload: dict[str, Any]) -> list[uuid.UUID] | None:
    """The ids a notification names; None (everyone) when it names none we can read."""
    raw = payload.get("person_ids")
    if payload.get("all") or not isinstance(raw, list):
        return None
    try:
        return [uuid.UUID(str(value)) for value in raw]
    except ValueError:
        return None


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if _PENDING in session.info:
        _forget_here(session.info.pop(_PENDING))
