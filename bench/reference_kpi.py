"""The KPI roll-up by hand: asyncpg statements and a little Python, as SPEC.md defines it.

Written apart from service_levels (no shared SQL) so that it checks the API as well as
timing it: the organisation's live services, every objective of their live SLAs measured over
the rolling window asked (local days of the service's zone, ending at `asOf`), each metric
pooled over all the services (organisation zone), statuses and error budgets, the worst
objectives first. Four statements: services, objective values, outages, pooled values.

Simplifications the bench data allows (bench/levels_data.py): no request or incident is
reopened, so a clock stops at its first TRIAGED / ACKNOWLEDGED (response) or FULFILLED /
MITIGATED (resolution) move; objectives have no severity, priority or kind scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import orjson

from feedback.score import TIER_WEIGHTS

Json = dict[str, Any]

# A local day-aligned window of $2 days ending at $1, in zone {zone}.
_SINCE = (
    "(date_trunc('day', $1 AT TIME ZONE {zone}) - ($2 - 1) * interval '1 day') AT TIME ZONE {zone}"
)

SERVICES = f"""SELECT id, tier, {_SINCE.format(zone="$3::text")} AS org_since
FROM service WHERE archived_at IS NULL"""

_IN = "{at} >= a.since AND {at} < $1"

# Each objective's value over its own service's window, one aggregate per metric over the
# objectives asking for it. AVAILABILITY is left to Python.
OBJECTIVES = f"""
WITH asked AS MATERIALIZED (  -- each window's start computed once
    SELECT o.id, o.sla_id, o.position, o.metric, o.comparator, o.target,
           s.id AS service_id, s.slug,
           {_SINCE.format(zone="coalesce(s.business_calendar->>'time_zone', $3::text)")} AS since
      FROM objective AS o
      JOIN sla ON sla.id = o.sla_id
      JOIN service AS s ON s.id = sla.service_id
     WHERE sla.archived_at IS NULL AND s.archived_at IS NULL
), incidents AS (
    SELECT a.id, a.metric, a.since, i.detected_at, i.acknowledged_at, i.mitigated_at
      FROM asked AS a
      JOIN incident_service AS h ON h.service_id = a.service_id
      JOIN incident AS i ON i.id = h.incident_id
     WHERE a.metric IN ('MTTR', 'TIME_TO_ACKNOWLEDGE')
), mttr AS (
    SELECT id, avg(extract(epoch FROM mitigated_at - detected_at)) AS value
      FROM incidents AS a WHERE metric = 'MTTR' AND {_IN.format(at="mitigated_at")} GROUP BY id
), acknowledge AS (
    SELECT id, avg(extract(epoch FROM acknowledged_at - detected_at)) AS value
      FROM incidents AS a
     WHERE metric = 'TIME_TO_ACKNOWLEDGE' AND {_IN.format(at="acknowledged_at")} GROUP BY id
), rated AS (
    SELECT a.id, avg(f.rating) AS value
      FROM asked AS a JOIN feedback AS f ON f.service_id = a.service_id
     WHERE a.metric = 'SATISFACTION' AND f.rating IS NOT NULL AND {_IN.format(at="f.created_at")}
     GROUP BY a.id
), defects AS (
    SELECT id, count(*) AS value FROM (
        SELECT a.id FROM asked AS a JOIN service_request AS r ON r.service_id = a.service_id
         WHERE a.metric = 'DEFECTS_RAISED' AND r.kind = 'DEFECT' AND {_IN.format(at="r.created_at")}
        UNION ALL
        SELECT a.id FROM asked AS a JOIN backlog_item AS b ON b.service_id = a.service_id
         WHERE a.metric = 'DEFECTS_RAISED' AND b.type IN ('DEFECT', 'HOTFIX', 'VULNERABILITY')
           AND {_IN.format(at="b.created_at")}) AS raised
     GROUP BY id
), request_moves AS (
    SELECT a.id, a.since, m.at, m.to_status, m.response_elapsed_s, m.response_target_s,
           m.resolution_elapsed_s, m.resolution_target_s
      FROM asked AS a
      JOIN service_request AS r ON r.service_id = a.service_id
      JOIN service_request_status_change AS m ON m.request_id = r.id
     WHERE a.metric = 'CLOCK_ATTAINMENT' AND m.to_status IN ('TRIAGED', 'FULFILLED')
), incident_moves AS (
    SELECT a.id, a.since, m.at, m.to_status, m.response_elapsed_s, m.response_target_s,
           m.resolution_elapsed_s, m.resolution_target_s
      FROM asked AS a
      JOIN incident_service AS h ON h.service_id = a.service_id
      JOIN incident_status_change AS m ON m.incident_id = h.incident_id
     WHERE a.metric = 'CLOCK_ATTAINMENT' AND m.to_status IN ('ACKNOWLEDGED', 'MITIGATED')
), clocks AS (
    SELECT id, avg(met::int) AS value FROM (
        SELECT a.id, CASE WHEN a.to_status IN ('TRIAGED', 'ACKNOWLEDGED')
                          THEN a.response_elapsed_s <= a.response_target_s
                          ELSE a.resolution_elapsed_s <= a.resolution_target_s END AS met
          FROM (SELECT * FROM request_moves UNION ALL SELECT * FROM incident_moves) AS a
         WHERE {_IN.format(at="a.at")}
           AND CASE WHEN a.to_status IN ('TRIAGED', 'ACKNOWLEDGED')
                    THEN a.response_target_s IS NOT NULL AND a.response_elapsed_s IS NOT NULL
                    ELSE a.resolution_target_s IS NOT NULL AND a.resolution_elapsed_s IS NOT NULL
               END) AS stopped
     GROUP BY id
)
SELECT a.*, CASE a.metric
    WHEN 'MTTR' THEN mttr.value
    WHEN 'TIME_TO_ACKNOWLEDGE' THEN acknowledge.value
    WHEN 'SATISFACTION' THEN rated.value
    WHEN 'DEFECTS_RAISED' THEN coalesce(defects.value, 0)
    WHEN 'CLOCK_ATTAINMENT' THEN clocks.value
    END AS value
  FROM asked AS a
  LEFT JOIN mttr USING (id)
  LEFT JOIN acknowledge USING (id)
  LEFT JOIN rated USING (id)
  LEFT JOIN defects USING (id)
  LEFT JOIN clocks USING (id)"""

OUTAGES = """
SELECT h.service_id, i.detected_at, i.mitigated_at
  FROM incident AS i JOIN incident_service AS h ON h.incident_id = i.id
 WHERE i.severity = ANY($2::text[]) AND i.detected_at < $1
   AND (i.mitigated_at IS NULL OR i.mitigated_at > $1 - ($3 + 2) * interval '1 day')"""

_OVER = "{at} >= w.since AND {at} < $1"
# Every metric but AVAILABILITY (Python) pooled over the live services: records once each.
POOLED = f"""
WITH w AS (SELECT {_SINCE.format(zone="$3::text")} AS since),
live AS (SELECT id FROM service WHERE archived_at IS NULL),
hit AS (
    SELECT i.* FROM incident AS i
     WHERE EXISTS (SELECT 1 FROM incident_service AS h JOIN live ON live.id = h.service_id
                    WHERE h.incident_id = i.id)),
asked AS (SELECT r.* FROM service_request AS r JOIN live ON live.id = r.service_id),
items AS (SELECT b.* FROM backlog_item AS b JOIN live ON live.id = b.service_id),
clocks AS (
    SELECT m.response_elapsed_s <= m.response_target_s AS met
      FROM asked AS r JOIN service_request_status_change AS m ON m.request_id = r.id, w
     WHERE m.to_status = 'TRIAGED' AND m.response_target_s IS NOT NULL
       AND m.response_elapsed_s IS NOT NULL AND {_OVER.format(at="m.at")}
    UNION ALL
    SELECT m.resolution_elapsed_s <= m.resolution_target_s
      FROM asked AS r JOIN service_request_status_change AS m ON m.request_id = r.id, w
     WHERE m.to_status = 'FULFILLED' AND m.resolution_target_s IS NOT NULL
       AND m.resolution_elapsed_s IS NOT NULL AND {_OVER.format(at="m.at")}
    UNION ALL
    SELECT m.response_elapsed_s <= m.response_target_s
      FROM hit AS i JOIN incident_status_change AS m ON m.incident_id = i.id, w
     WHERE m.to_status = 'ACKNOWLEDGED' AND m.response_target_s IS NOT NULL
       AND m.response_elapsed_s IS NOT NULL AND {_OVER.format(at="m.at")}
    UNION ALL
    SELECT m.resolution_elapsed_s <= m.resolution_target_s
      FROM hit AS i JOIN incident_status_change AS m ON m.incident_id = i.id, w
     WHERE m.to_status = 'MITIGATED' AND m.resolution_target_s IS NOT NULL
       AND m.resolution_elapsed_s IS NOT NULL AND {_OVER.format(at="m.at")}),
cost AS (
    SELECT i.people_hours * $4::float
           / (SELECT count(*) FROM incident_service AS x WHERE x.incident_id = i.id) AS amount
      FROM incident AS i JOIN incident_service AS h ON h.incident_id = i.id
      JOIN live ON live.id = h.service_id, w
     WHERE i.people_hours IS NOT NULL AND {_OVER.format(at="i.resolved_at")}
    UNION ALL
    SELECT m.value FROM measurement AS m JOIN live ON live.id = m.service_id, w
     WHERE m.metric = 'COST' AND {_OVER.format(at="m.at")})
SELECT 'MTTR' AS metric, avg(extract(epoch FROM mitigated_at - detected_at))::float AS value,
       count(*) AS samples, NULL::float AS share
  FROM hit, w WHERE {_OVER.format(at="mitigated_at")}
UNION ALL
SELECT 'TIME_TO_ACKNOWLEDGE', avg(extract(epoch FROM acknowledged_at - detected_at)), count(*),
       NULL
  FROM hit, w WHERE {_OVER.format(at="acknowledged_at")}
UNION ALL
SELECT 'REQUEST_RESOLUTION_TIME', avg(m.resolution_elapsed_s), count(*), NULL
  FROM asked AS r JOIN service_request_status_change AS m ON m.request_id = r.id, w
 WHERE m.to_status = 'FULFILLED' AND m.resolution_elapsed_s IS NOT NULL
   AND {_OVER.format(at="m.at")}
UNION ALL
SELECT 'CLOCK_ATTAINMENT', avg(met::int), count(*), NULL FROM clocks
UNION ALL
SELECT 'DEFECTS_RAISED', count(*), count(*), NULL FROM (
    SELECT r.id FROM asked AS r, w WHERE r.kind = 'DEFECT' AND {_OVER.format(at="r.created_at")}
    UNION ALL
    SELECT b.id FROM items AS b, w
     WHERE b.type IN ('DEFECT', 'HOTFIX', 'VULNERABILITY') AND {_OVER.format(at="b.created_at")}
) AS defect
UNION ALL
SELECT 'TIME_TO_MARKET',
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM released_at - created_at)),
       count(*), NULL
  FROM items, w WHERE type = 'FEATURE' AND status = 'RELEASED' AND {_OVER.format(at="released_at")}
UNION ALL
SELECT 'TIME_TO_HOTFIX',
       percentile_cont(0.5)
           WITHIN GROUP (ORDER BY extract(epoch FROM b.released_at - i.detected_at)),
       count(*), NULL
  FROM items AS b JOIN incident AS i ON b.source_type = 'INCIDENT' AND i.id = b.source_id, w
 WHERE b.type IN ('HOTFIX', 'VULNERABILITY') AND b.status = 'RELEASED'
   AND {_OVER.format(at="b.released_at")}
UNION ALL
SELECT 'SATISFACTION', avg(f.rating), count(*), avg((f.rating >= 4)::int)
  FROM feedback AS f JOIN live ON live.id = f.service_id, w
 WHERE f.rating IS NOT NULL AND {_OVER.format(at="f.created_at")}
UNION ALL
SELECT 'ADOPTION', avg(value), count(*), NULL FROM (
    SELECT DISTINCT ON (m.service_id) m.value
      FROM measurement AS m JOIN live ON live.id = m.service_id, w
     WHERE m.metric = 'ADOPTION' AND {_OVER.format(at="m.at")}
     ORDER BY m.service_id, m.at DESC) AS latest
UNION ALL
SELECT 'COST', coalesce(sum(amount), 0), count(*), NULL FROM cost
UNION ALL
SELECT 'EFFICIENCY_GAIN', sum(m.value), count(*), NULL
  FROM measurement AS m JOIN live ON live.id = m.service_id, w
 WHERE m.metric = 'EFFICIENCY_GAIN' AND {_OVER.format(at="m.at")}"""

# The order kpiSummary lists its metrics in (every metric but CUSTOM).
METRICS = (
    "AVAILABILITY", "MTTR", "TIME_TO_ACKNOWLEDGE", "REQUEST_RESOLUTION_TIME", "CLOCK_ATTAINMENT",
    "DEFECTS_RAISED", "TIME_TO_MARKET", "TIME_TO_HOTFIX", "SATISFACTION", "ADOPTION", "COST",
    "EFFICIENCY_GAIN",
)  # fmt: skip
RATIOS = frozenset({"AVAILABILITY", "CLOCK_ATTAINMENT", "ADOPTION"})
_ORDER = {"BREACHED": 0, "AT_RISK": 1, "MET": 2, "NO_DATA": 3}


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def judge(metric: str, comparator: str, target: float, value: float | None) -> tuple[str, Any]:
    """SPEC.md's status and error budget: AT_RISK is met with under 25 % of the budget left
    (ratios) or within 10 % of the target (the others)."""
    if value is None:
        return "NO_DATA", None
    at_least = comparator == "AT_LEAST"
    budget = None
    if metric in RATIOS:
        allowed, used = (1 - target, 1 - value) if at_least else (target, value)
        budget = (
            (1.0 if used <= 0 else 0.0) if allowed <= 0 else min(max(1 - used / allowed, 0.0), 1.0)
        )
    if (value < target) if at_least else (value > target):
        return "BREACHED", budget
    if budget is not None:
        return ("AT_RISK" if budget < 0.25 else "MET"), budget
    close = value <= target * 1.1 if at_least else value >= target * 0.9
    return ("AT_RISK" if close else "MET"), budget


def downtime(
    outages: Iterable[tuple[datetime, datetime | None]], start: datetime, end: datetime
) -> float:
    """Seconds of [start, end) inside the union of the outages (an open one runs to `end`)."""
    cut = sorted(
        (max(down, start), min(up or end, end))
        for down, up in outages
        if down < end and (up or end) > start
    )
    total, reach = 0.0, start
    for down, up in cut:
        if up > reach:
            total += (up - max(down, reach)).total_seconds()
            reach = up
    return total


def availability(
    outages: Sequence[tuple[datetime, datetime | None]], start: datetime, end: datetime
) -> float:
    return 1 - downtime(outages, start, end) / (end - start).total_seconds()


@dataclass(frozen=True)
class KpiSettings:
    """What the API's settings say about metrics (CATALOG_OUTAGE_SEVERITIES ...)."""

    outage_severities: tuple[str, ...] = ("SEV1", "SEV2")
    incident_hourly_rate: float = 100.0
    org_timezone: str = "UTC"


class ReferenceKpi:
    """kpiSummary(scope: ORGANISATION, window: ROLLING_DAYS `days`, asOf) by hand."""

    def __init__(self, pool: asyncpg.Pool, settings: KpiSettings, *, days: int = 30) -> None:
        self.pool = pool
        self.settings = settings
        self.days = days
        self.statements = 0

    async def summary(self, as_of: datetime, offenders: int = 10) -> bytes:
        zone, days = self.settings.org_timezone, self.days
        async with self.pool.acquire() as connection:
            services = await connection.fetch(SERVICES, as_of, days, zone)
            objectives = await connection.fetch(OBJECTIVES, as_of, days, zone)
            outages = await connection.fetch(
                OUTAGES, as_of, list(self.settings.outage_severities), days
            )
            pooled = await connection.fetch(
                POOLED, as_of, days, zone, self.settings.incident_hourly_rate
            )
        self.statements += 4
        down: dict[Any, list[tuple[datetime, datetime | None]]] = {}
        for row in outages:
            down.setdefault(row["service_id"], []).append((row["detected_at"], row["mitigated_at"]))
        answers = [self._answer(row, down, as_of) for row in objectives]
        counts = dict.fromkeys(_ORDER, 0)
        for item in answers:
            counts[item["status"]] += 1
        troubled = sorted(
            (item for item in answers if item["status"] in ("BREACHED", "AT_RISK")),
            key=lambda item: item["rank"],
        )
        summary = {
            "serviceCount": len(services),
            "objectiveCount": len(answers),
            "statusCounts": {"met": counts["MET"], "atRisk": counts["AT_RISK"],
                             "breached": counts["BREACHED"], "noData": counts["NO_DATA"]},
            "metrics": self._metrics(services, pooled, down, as_of),
            "worstOffenders": [
                {"status": item["status"], "currentValue": item["value"],
                 "errorBudget": item["budget"], "service": {"slug": item["slug"]}}
                for item in troubled[:offenders]
            ],
        }  # fmt: skip
        return orjson.dumps({"data": {"kpiSummary": summary}})

    def _answer(
        self, row: Mapping[str, Any], down: Mapping[Any, list[Any]], as_of: datetime
    ) -> Json:
        metric, comparator, target = row["metric"], row["comparator"], row["target"]
        value: float | None
        if metric == "AVAILABILITY":
            value = availability(down.get(row["service_id"], []), row["since"], as_of)
        else:
            value = _float(row["value"])
        status, budget = judge(metric, comparator, target, value)
        # Short of the target relative to it: the more negative, the worse.
        if value is None:
            distance = float("inf")
        else:
            better = value - target if comparator == "AT_LEAST" else target - value
            distance = better / abs(target) if target else better
        rank = (
            _ORDER[status],
            budget if budget is not None else float("inf"),
            distance,
            str(row["sla_id"]),
            row["position"],
            str(row["id"]),
        )
        return {
            "status": status,
            "value": value,
            "budget": budget,
            "slug": row["slug"],
            "rank": rank,
        }

    def _metrics(
        self,
        services: Sequence[Mapping[str, Any]],
        pooled: Sequence[Mapping[str, Any]],
        down: Mapping[Any, list[Any]],
        as_of: datetime,
    ) -> list[Json]:
        found: dict[str, Json] = {
            row["metric"]: {"metric": row["metric"], "value": _float(row["value"]),
                            "samples": row["samples"], "share": _float(row["share"])}
            for row in pooled
        }  # fmt: skip
        if services:
            since = services[0]["org_since"]
            weighted = [
                (availability(down.get(row["id"], []), since, as_of), TIER_WEIGHTS[row["tier"]])
                for row in services
            ]
            value = sum(a * w for a, w in weighted) / sum(w for _, w in weighted)
        else:
            value = None
        found["AVAILABILITY"] = {
            "metric": "AVAILABILITY", "value": value, "samples": len(services), "share": None
        }  # fmt: skip
        return [found[metric] for metric in METRICS]
