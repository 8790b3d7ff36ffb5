"""The `purge` job (daily) and command: what retention no longer keeps, removed or anonymised
per kind, reported and audited.

Each kind has its rule (server/jobs/retention/) and its `CATALOG_RETENTION_<KIND>_DAYS`
(0 keeps it forever where the kind allows it). A kind is purged in one transaction of its
own, in batches of SQL statements, so a kind is done wholly or not at all and the others
are not held up by it. `--dry-run` counts in read-only transactions what a run would do,
changing nothing. A run writes one `PURGE` audit event with its counts per kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.settings import Settings
from identity.audit import AuditEntry, AuditOutcome, RequestFacts, record
from server.jobs.context import JobContext
from server.jobs.retention import RULES, Action, Rule

BATCH_SIZE = 5_000


@dataclass
class PurgeReport:
    dry_run: bool = False
    counts: dict[str, tuple[Action, int]] = field(default_factory=dict)  # by kind name
    kept_forever: list[str] = field(default_factory=list)

    @property
    def removed(self) -> dict[str, int]:
        return {name: n for name, (action, n) in self.counts.items() if action is Action.REMOVE}

    @property
    def anonymised(self) -> dict[str, int]:
        return {name: n for name, (action, n) in self.counts.items() if action is Action.ANONYMISE}

    def lines(self) -> list[str]:
        lines = [
            f"would {action.verb} {n} {name}" if self.dry_run else f"{action.past} {n} {name}"
            for name, (action, n) in self.counts.items()
        ]
        lines += [f"kept {name}: retention 0 keeps them forever" for name in self.kept_forever]
        return lines

    def summary(self) -> str:
        return "; ".join(self.lines())


async def _run_rule(
    session: AsyncSession, rule: Rule, days: int, *, dry_run: bool, batch_size: int
) -> int:
    if dry_run:
        await session.execute(text("SET TRANSACTION READ ONLY"))
    for statement in rule.prepare:
        await session.execute(text(statement))
    if dry_run:
        return await rule.count(session, days)
    done = 0
    while True:
        count = await rule.apply_batch(session, days, batch_size)
        done += count
        if count < batch_size:
            return done


async def _audit(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, report: PurgeReport
) -> None:
    done: dict[str, dict[str, int]] = {action.value: {} for action in Action}
    for rule in RULES:
        if rule.name in report.counts:
            action, count = report.counts[rule.name]
            done[action.value][rule.key] = count
    details = {
        **done,
        "kept_forever": [rule.key for rule in RULES if rule.name in report.kept_forever],
        "retention_days": {rule.setting: getattr(settings, rule.setting) for rule in RULES},
    }
    async with sessionmaker() as session, session.begin():
        entry = AuditEntry("PURGE", AuditOutcome.SUCCESS, details=details)
        await record(session, entry, principal=None, facts=RequestFacts())


async def purge(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> PurgeReport:
    """Remove or anonymise what retention no longer keeps (or, dry, count it); the report."""
    report = PurgeReport(dry_run=dry_run)
    for rule in RULES:
        days = rule.days(settings)
        if days is None:
            report.kept_forever.append(rule.name)
            continue
        async with sessionmaker() as session, session.begin():
            count = await _run_rule(session, rule, days, dry_run=dry_run, batch_size=batch_size)
        report.counts[rule.name] = (rule.action, count)
    if not dry_run:
        await _audit(sessionmaker, settings, report)
    return report


__all__ = ["PurgeReport", "purge", "purge_expired", "run_purge"]


async def purge_expired(context: JobContext) -> str:
    """The `purge` job: `purge` on the worker's engine, its report in a line."""
    report = await purge(context.sessionmaker, context.settings)
    return report.summary()


async def run_purge(settings: Settings, url: str, *, dry_run: bool = False) -> PurgeReport:
    """`service-catalog purge [--dry-run]`, on an engine of its own."""
    from core.db import make_engine, make_sessionmaker

    engine = make_engine(
        url,
        statement_timeout_ms=settings.statement_timeout_ms,
        transaction_pooler=settings.uses_transaction_pooler,
    )
    try:
        return await purge(make_sessionmaker(engine), settings, dry_run=dry_run)
    finally:
        await engine.dispose()
