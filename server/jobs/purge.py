"""The `purge` job (daily) and command: what retention no longer keeps, removed in batches,
and reported.

Audit events older than `CATALOG_RETENTION_AUDIT_DAYS` and row history older than
`CATALOG_RETENTION_HISTORY_DAYS` (0 keeps them forever); expired idempotency keys,
sign-in states and browser sessions always. Each batch is its own short transaction, so
the API keeps running meanwhile; audit events can be deleted only in a transaction that
sets `catalog.purging` (the audit log's trigger, migration 0003). The purge writes one
`PURGE` audit event with what it removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import CursorResult, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.settings import Settings
from identity.audit import AuditEntry, AuditOutcome, RequestFacts, record
from server.jobs.context import JobContext

BATCH_SIZE = 5_000


@dataclass(frozen=True)
class Kind:
    """One kind of row: its table, the column compared and the retention in days."""

    name: str
    table: str
    column: str
    expired: bool  # compared with now (an expiry), else with now minus the retention
    purging: bool = False  # needs catalog.purging (the audit log is append-only)


KINDS = (
    Kind("audit events", "audit_event", "at", expired=False, purging=True),
    Kind("history", "record_version", "at", expired=False),
    Kind("idempotency keys", "idempotency_key", "expires_at", expired=True),
    Kind("login states", "login_state", "expires_at", expired=True),
    Kind("browser sessions", "browser_session", "expires_at", expired=True),
)


def retention_days(kind: Kind, settings: Settings) -> int | None:
    """Days kept; None when the kind is kept forever (0)."""
    if kind.expired:
        return 0
    days = {
        "audit_event": settings.retention_audit_days,
        "record_version": settings.retention_history_days,
    }[kind.table]
    return days or None


@dataclass
class PurgeReport:
    removed: dict[str, int] = field(default_factory=dict)
    kept_forever: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [f"purged {count} {name}" for name, count in self.removed.items()]
        lines += [f"kept {name}: retention 0 keeps them forever" for name in self.kept_forever]
        return lines

    def summary(self) -> str:
        return "; ".join(self.lines())


def _delete_batch(kind: Kind) -> str:
    # The cutoff is the database's clock, like the times it stored.
    return (
        f"DELETE FROM {kind.table} WHERE ctid = ANY(ARRAY("
        f"SELECT ctid FROM {kind.table} "
        f"WHERE {kind.column} < now() - make_interval(days => :days) LIMIT :batch))"
    )


async def _purge_kind(
    sessionmaker: async_sessionmaker[AsyncSession], kind: Kind, days: int, batch_size: int
) -> int:
    removed = 0
    while True:
        async with sessionmaker() as session, session.begin():
            if kind.purging:
                await session.execute(text("SET LOCAL catalog.purging = 'on'"))
            result = await session.execute(
                text(_delete_batch(kind)), {"days": days, "batch": batch_size}
            )
            assert isinstance(result, CursorResult)
            count = result.rowcount
        removed += count
        if count < batch_size:
            return removed


async def purge(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    batch_size: int = BATCH_SIZE,
) -> PurgeReport:
    """Remove what retention no longer keeps; record and return what was removed."""
    report = PurgeReport()
    for kind in KINDS:
        days = retention_days(kind, settings)
        if days is None:
            report.kept_forever.append(kind.name)
            continue
        report.removed[kind.name] = await _purge_kind(sessionmaker, kind, days, batch_size)
    async with sessionmaker() as session, session.begin():
        entry = AuditEntry(
            "PURGE",
            AuditOutcome.SUCCESS,
            details={
                "removed": {kind.table: report.removed.get(kind.name) for kind in KINDS},
                "retention_days": {
                    "audit_event": settings.retention_audit_days,
                    "record_version": settings.retention_history_days,
                },
            },
        )
        await record(session, entry, principal=None, facts=RequestFacts())
    return report


__all__ = ["KINDS", "PurgeReport", "purge", "purge_expired", "run_purge"]


async def purge_expired(context: JobContext) -> str:
    """The `purge` job: `purge` on the worker's engine, its report in a line."""
    report = await purge(context.sessionmaker, context.settings)
    return report.summary()


async def run_purge(settings: Settings, url: str) -> PurgeReport:
    """`service-catalog purge`, on an engine of its own."""
    from core.db import make_engine, make_sessionmaker

    engine = make_engine(url, statement_timeout_ms=settings.statement_timeout_ms)
    try:
        return await purge(make_sessionmaker(engine), settings)
    finally:
        await engine.dispose()
