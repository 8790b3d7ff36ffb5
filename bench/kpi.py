"""K1 in process: the organisation's KPI roll-up (`kpiSummary`) against reference K.

The API answers `documents.KPI_SUMMARY` as of the moment the bench data was generated from;
reference K (bench/reference_kpi.py) answers the same by hand. Their JSON must be equal —
floats compared to 9 significant digits, since PostgreSQL and Python add them up in different
orders — before either is timed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson

from bench.documents import KPI_SUMMARY
from bench.inprocess import Database, Mismatch, first_difference
from bench.reference import create_pool
from bench.reference_kpi import KpiSettings, ReferenceKpi
from bench.stats import interleave, ratio
from bench.subject import SchemaSubject

SIGNIFICANT = 9


def rounded(value: Any) -> Any:
    """The JSON with every float to SIGNIFICANT digits."""
    if isinstance(value, float):
        return float(f"{value:.{SIGNIFICANT}g}")
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [rounded(item) for item in value]
    return value


def check_same(expected: bytes, actual: bytes) -> None:
    found = first_difference(rounded(orjson.loads(expected)), rounded(orjson.loads(actual)))
    if found:
        raise Mismatch(f"API differs from reference K on K1 at {found}")


async def run(
    database: Database,
    *,
    anchor: datetime,
    reps: int,
    target_s: float,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Equality, statements, then interleaved timings on one catalog."""
    pool = await create_pool(database.url)
    subject = SchemaSubject(database.url)
    await subject.start()
    try:
        settings = subject.settings
        reference = ReferenceKpi(
            pool,
            KpiSettings(
                tuple(settings.outage_severities),
                settings.incident_hourly_rate,
                settings.org_timezone,
            ),
        )
        variables = {"asOf": anchor.isoformat()}

        async def api() -> bytes:
            return await subject.execute(KPI_SUMMARY, variables)

        async def by_hand() -> bytes:
            return await reference.summary(anchor)

        log(f"K1 kpiSummary (organisation of {database.size}): equality")
        expected = await by_hand()
        check_same(expected, await api())
        with subject.statements.counting():
            await api()
        statements = subject.statements.domain
        log(f"K1: timing {reps} interleaved repetitions")
        series = await interleave({"API": api, "K": by_hand}, reps=reps, target_s=target_s)
    finally:
        await subject.close()
        await pool.close()
    summary = orjson.loads(expected)["data"]["kpiSummary"]
    return {
        "size": database.size,
        "services": summary["serviceCount"],
        "objectives": summary["objectiveCount"],
        "status_counts": summary["statusCounts"],
        "API": series["API"].as_json(),
        "K": series["K"].as_json(),
        "ratio": ratio(series["API"].median, series["K"].median),
        "ratio_min": ratio(series["API"].min, series["K"].min),
        "cpu_ratio": ratio(series["API"].cpu_median, series["K"].cpu_median),
        "api_statements": statements,
        "reference_statements": 4,
    }
