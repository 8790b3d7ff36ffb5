"""Idempotency keys inside the business transaction: the database, not a check, prevents doubles.

The key is claimed by the submission's own statement (`claim`, a data-modifying CTE), with
the response it will answer, so the key row and the feedback it guards commit together or
not at all. A concurrent request with the same key blocks on the unique index; after
LOCK_WAIT it gives up with `KeyInFlight` (409). Once the first commits, a repeat finds the
stored response and replays it if the body is the same (SHA-256 of canonical JSON), or is
refused if not. An expired key is claimed again in place.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CTE, Select, Table, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.errors import Required, TooLong
from core.statement_alone import first_row
from feedback.errors import KeyInFlight, KeyReused
from feedback.models import IdempotencyKey

KEEP_FOR = timedelta(hours=24)
LOCK_WAIT = "2s"
LOCK_NOT_AVAILABLE = "55P03"
MAX_KEY_LENGTH = 200


def request_hash(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: dict[str, Any]


@dataclass(frozen=True)
class Stored:
    """A key's row as found: the hash of the body it was first used with, and its answer."""

    request_hash: str
    response: StoredResponse


@dataclass(frozen=True)
class KeyClaim:
    """A caller's key for one request, with the hash of the request's body."""

    scope: str
    key: str
    body_hash: str


def check_key(key: str) -> None:
    if not key:
        raise Required("an empty idempotency key", field=["idempotencyKey"])
    if len(key) > MAX_KEY_LENGTH:
        raise TooLong(f"at most {MAX_KEY_LENGTH} characters", field=["idempotencyKey"])


_CLAIM_COLUMNS = (
    "scope",
    "key",
    "request_hash",
    "response_status",
    "response_body",
    "expires_at",
)


def claim() -> CTE:
    """A CTE of one row, `claimed`: 1 when this statement took the key (new, or expired and
    taken again) with the response it will answer, 0 when the key is held by another
    request. Its parameters are `claim_parameters`.

    The wait for a request holding the key in flight is bounded by LOCK_WAIT (see
    `in_flight_refused`); the bound is lifted again before the rest of the statement runs.
    A repeat locks the key's row until its transaction ends (ON CONFLICT DO UPDATE locks the
    row before it finds it unexpired), so repeats of one key run one after the other.
    """
    keys = _keys()
    bounded = select(func.set_config("lock_timeout", LOCK_WAIT, True).label("lock_timeout")).cte(
        "key_lock_wait"
    )
    taken = insert(keys).from_select(
        list(_CLAIM_COLUMNS),
        select(
            *(bindparam(f"key_{name}", type_=keys.c[name].type) for name in _CLAIM_COLUMNS)
        ).select_from(bounded),
    )
    excluded = taken.excluded
    claimed = (
        taken.on_conflict_do_update(
            index_elements=[keys.c.scope, keys.c.key],
            set_={
                "request_hash": excluded.request_hash,
                "response_status": excluded.response_status,
                "response_body": excluded.response_body,
                "expires_at": excluded.expires_at,
                "created_at": func.now(),
            },
            where=keys.c.expires_at < bindparam("key_now", type_=keys.c.expires_at.type),
        )
        .returning(keys.c.key)
        .cte("key_claim")
    )
    # An aggregate runs the claim to its end before it answers; then the bound goes.
    return (
        select(
            func.count().label("claimed"),
            func.set_config("lock_timeout", "0", True).label("lock_timeout"),
        )
        .select_from(claimed)
        .cte("key_claimed")
    )


def claim_parameters(claim: KeyClaim, response: StoredResponse, *, now: datetime) -> dict[str, Any]:
    """The parameters of `claim` and `stored_row`."""
    return {
        "key_scope": claim.scope,
        "key_key": claim.key,
        "key_request_hash": claim.body_hash,
        "key_response_status": response.status,
        "key_response_body": response.body,
        "key_expires_at": now + KEEP_FOR,
        "key_now": now,
    }


def stored_row() -> Select[tuple[str, int, dict[str, Any]]]:
    """The key's unexpired row, as the statement's snapshot sees it (parameters `key_scope`,
    `key_key`, `key_now`)."""
    keys = _keys()
    return select(keys.c.request_hash, keys.c.response_status, keys.c.response_body).where(
        keys.c.scope == bindparam("key_scope"),
        keys.c.key == bindparam("key_key"),
        keys.c.expires_at >= bindparam("key_now", type_=keys.c.expires_at.type),
    )


def _keys() -> Table:
    table = IdempotencyKey.__table__
    assert isinstance(table, Table)
    return table


_STORED = stored_row()


async def find(
    session: AsyncSession | AsyncEngine, claim: KeyClaim, *, now: datetime
) -> Stored | None:
    """The key's row as committed now (the claiming statement's snapshot may predate it)."""
    parameters = {"key_scope": claim.scope, "key_key": claim.key, "key_now": now}
    row = await first_row(session, _STORED, parameters)
    if row is None:
        return None
    return Stored(row["request_hash"], StoredResponse(row["response_status"], row["response_body"]))


def replay(claim: KeyClaim, stored: Stored) -> StoredResponse:
    """The stored answer, when the body is the one the key was first used with."""
    if stored.request_hash != claim.body_hash:
        raise KeyReused("this idempotency key was used with another body", field=["idempotencyKey"])
    return stored.response


@contextmanager
def in_flight_refused() -> Iterator[None]:
    """A statement that gave up waiting for the key's holder is a `KeyInFlight`."""
    try:
        yield
    except Exception as error:
        # asyncpg's error, alone or wrapped by SQLAlchemy (core/statement_alone.py).
        cause = error.orig if isinstance(error, DBAPIError) else error
        if getattr(cause, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise KeyInFlight("a request with this idempotency key is in progress") from None
        raise
