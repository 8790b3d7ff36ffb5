"""The `clock-restamp` job: SLA clock stamps left missing or stale, stamped again."""

from __future__ import annotations

from server.jobs.context import JobContext
from service_levels.stale_stamps import restamp_stale


async def restamp_clocks(context: JobContext) -> str:
    """Re-stamp the SLA clocks left missing or stale (service_levels/stale_stamps.py)."""
    report = await restamp_stale(
        context.sessionmaker, warning_percent=context.settings.sla_warning_percent
    )
    return report.summary()
