"""Idempotency keys inside the business transaction: the database, not a check, prevents doubles.

The key row is inserted in the same transaction as the feedback it guards. A concurrent
request with the same key blocks on the unique index; after LOCK_WAIT it gives up with
`KeyInFlight` (409). Once the first commits, a repeat finds the stored response and
replays it if the body is the same (SHA-256 of canonical JSON), or is refused if not.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from core.errors import Required, TooLong
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


async def claim(
    session: AsyncSession, *, scope: str, key: str, body_hash: str
) -> StoredResponse | None:
    """Claim the key for this transaction; a stored response means: replay it, do nothing."""
    if not key:
        raise Required("an empty idempotency key", field=["idempotencyKey"])
    if len(key) > MAX_KEY_LENGTH:
        raise TooLong(f"at most {MAX_KEY_LENGTH} characters", field=["idempotencyKey"])
    await session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.scope == scope,
            IdempotencyKey.key == key,
            IdempotencyKey.expires_at < utcnow(),
        )
    )
    await session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'"))
    try:
        inserted = await session.execute(
            insert(IdempotencyKey)
            .values(
                scope=scope,
                key=key,
                request_hash=body_hash,
                response_status=0,
                response_body={},
                expires_at=utcnow() + KEEP_FOR,
            )
            .on_conflict_do_nothing()
            .returning(IdempotencyKey.key)
        )
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise KeyInFlight("a request with this idempotency key is in progress") from None
        raise
    await session.execute(text("SET LOCAL lock_timeout = 0"))
    if inserted.first() is not None:
        return None
    stored = await session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
    )
    assert stored is not None
    if stored.request_hash != body_hash:
        raise KeyReused("this idempotency key was used with another body", field=["idempotencyKey"])
    return StoredResponse(stored.response_status, stored.response_body)


async def remember(
    session: AsyncSession, *, scope: str, key: str, response: StoredResponse
) -> None:
    """Store the response to replay, in the same transaction as the work it describes."""
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
        .values(response_status=response.status, response_body=response.body)
    )
