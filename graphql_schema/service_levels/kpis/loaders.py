"""Per-request loaders of the KPI roll-ups: a summary's metrics over the window before."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from service_levels import rollups
from service_levels.frames import MetricValue
from service_levels.metric_sql import MetricSettings
from service_levels.models import Metric


async def pooled_before(
    settings: MetricSettings,
    summary: rollups.KpiSummary,
    session: AsyncSession,
    metrics: Sequence[Metric],
) -> dict[Metric, MetricValue]:
    """Every metric asked about in this summary, once: one statement."""
    return await rollups.pooled_before(session, summary, metrics, settings)
