"""Refused access is audited in its own transaction, rate-limited so a flood cannot fill the log."""

from __future__ import annotations

import logging

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from identity.audit import AuditEntry, RequestFacts, record
from identity.principal import Principal

logger = logging.getLogger(__name__)

REFUSALS_PER_MINUTE = 30


class RefusalAuditor:
    """At most REFUSALS_PER_MINUTE audited refusals per client address (or actor) a minute."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._rate = RateLimitItemPerMinute(REFUSALS_PER_MINUTE)

    async def refused(
        self, entry: AuditEntry, *, principal: Principal | None, facts: RequestFacts
    ) -> None:
        key = facts.client_ip or (principal.actor if principal else "unknown")
        if not await self._limiter.hit(self._rate, "refusal", key):
            return
        try:
            async with self._sessionmaker() as session:
                await record(session, entry, principal=principal, facts=facts)
                await session.commit()
        except Exception:  # the refusal stands even if auditing it fails
            logger.exception("could not audit a refusal")
