"""Every metric of the service-level table as one SQL aggregate over many frames at once.

The frames of a request travel as arrays (`unnest`), so a metric costs one statement however
many objectives, windows, buckets or pooled services it is asked about. Records are counted
once per frame even when they touch several of its services (an incident on two services of
a team), and are attributed to a window by their end event, as SPEC.md defines:

- AVAILABILITY: outages are [detected, mitigated) of incidents of the outage severities (an
  open one runs to the window's end), unioned with `range_agg` so overlaps count once; a
  frame of several services takes the tier-weighted mean of theirs.
- MTTR, TIME_TO_ACKNOWLEDGE: wall-clock seconds, by mitigation and acknowledgement time.
- REQUEST_RESOLUTION_TIME, CLOCK_ATTAINMENT: the business seconds and targets stamped on the
  move that stopped each clock (service_levels.clock_stamps); a stop undone by a reopen is
  not an end, the later one is.
- COST: an incident's people-hours times the rate, shared evenly among the services it hit, by
  resolution time; plus recorded costs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from core.settings import Settings
from feedback.score import TIER_WEIGHTS
from service_levels.frames import Frame, MetricValue
from service_levels.models import Metric


@dataclass(frozen=True)
class MetricSettings:
    outage_severities: tuple[str, ...] = ("SEV1", "SEV2")
    incident_hourly_rate: float = 100.0
    org_timezone: str = "UTC"

    @classmethod
    def of(cls, settings: Settings) -> MetricSettings:
        return cls(settings.outage_severities, settings.incident_hourly_rate, settings.org_timezone)


_FRAMES = """
WITH f AS (
    SELECT *
      FROM unnest(CAST(:keys AS int[]), CAST(:starts AS timestamptz[]),
                  CAST(:ends AS timestamptz[]), CAST(:severities AS text[]),
                  CAST(:priorities AS text[]), CAST(:kinds AS text[]))
           AS f(key, start_at, end_at, severity, priority, request_kind)
), fs AS (
    SELECT f.*, member.service_id
      FROM f
      JOIN unnest(CAST(:member_keys AS int[]), CAST(:member_services AS uuid[]))
           AS member(key, service_id) USING (key)
)"""

_IN_WINDOW = "{at} >= fs.start_at AND {at} < fs.end_at"
_INCIDENT_SCOPE = (
    "(fs.severity IS NULL OR i.severity = fs.severity)"
    " AND fs.priority IS NULL AND fs.request_kind IS NULL"
)
_REQUEST_SCOPE = (
    "fs.severity IS NULL AND (fs.priority IS NULL OR r.priority = fs.priority)"
    " AND (fs.request_kind IS NULL OR r.kind = fs.request_kind)"
)
_NO_SCOPE = "fs.severity IS NULL AND fs.priority IS NULL AND fs.request_kind IS NULL"
_INCIDENTS_OF_FRAME = """
      FROM fs
      JOIN incident_service AS hit ON hit.service_id = fs.service_id
      JOIN incident AS i ON i.id = hit.incident_id"""

# A request's resolution clock ends at FULFILLED unless a reopen came later.
_FINAL_FULFILMENT = """m.to_status = 'FULFILLED'
       AND NOT EXISTS (
           SELECT 1 FROM service_request_status_change AS later
            WHERE later.request_id = m.request_id AND later.from_status = 'FULFILLED'
              AND later.to_status = 'IN_PROGRESS' AND (later.at, later.id) > (m.at, m.id))"""
# An incident's restore clock ends when it leaves DETECTED/ACKNOWLEDGED, unless reopened later.
_FINAL_RESTORE = """m.from_status IN ('DETECTED', 'ACKNOWLEDGED')
       AND m.to_status NOT IN ('DETECTED', 'ACKNOWLEDGED')
       AND NOT EXISTS (
           SELECT 1 FROM incident_status_change AS later
            WHERE later.incident_id = m.incident_id AND later.from_status = 'RESOLVED'
              AND later.to_status = 'ACKNOWLEDGED' AND (later.at, later.id) > (m.at, m.id))"""


def _mean_of(samples: str, *, median: bool = False) -> str:
    """Aggregate (key, id, seconds) samples, each record once per frame."""
    value = "percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)" if median else "avg(seconds)"
    return f"""
SELECT key, {value} AS value, count(*) AS samples, sum(seconds) AS total, NULL::float AS share
  FROM (SELECT DISTINCT key, id, seconds FROM ({samples}) AS raw) AS sample
 GROUP BY key"""


def _epoch(expression: str) -> str:
    return f"extract(epoch FROM {expression})::float"


_MTTR = _mean_of(f"""
    SELECT fs.key, i.id, {_epoch("i.mitigated_at - i.detected_at")} AS seconds
    {_INCIDENTS_OF_FRAME}
     WHERE {_IN_WINDOW.format(at="i.mitigated_at")} AND {_INCIDENT_SCOPE}""")

_TIME_TO_ACKNOWLEDGE = _mean_of(f"""
    SELECT fs.key, i.id, {_epoch("m.at - i.detected_at")} AS seconds
    {_INCIDENTS_OF_FRAME}
      JOIN incident_status_change AS m
        ON m.incident_id = i.id AND m.from_status = 'DETECTED'
     WHERE {_IN_WINDOW.format(at="m.at")} AND {_INCIDENT_SCOPE}""")

_REQUEST_RESOLUTION_TIME = _mean_of(f"""
    SELECT fs.key, m.id, m.resolution_elapsed_s::float AS seconds
      FROM fs
      JOIN service_request AS r ON r.service_id = fs.service_id
      JOIN service_request_status_change AS m ON m.request_id = r.id
     WHERE {_FINAL_FULFILMENT} AND m.resolution_elapsed_s IS NOT NULL
       AND {_IN_WINDOW.format(at="m.at")} AND {_REQUEST_SCOPE}""")

_CLOCK_ATTAINMENT = f"""
SELECT key, avg(met::int) AS value, count(*) AS samples, sum(met::int) AS total,
       NULL::float AS share
  FROM (
    SELECT fs.key, 'request response ' || m.id AS id,
           m.response_elapsed_s <= m.response_target_s AS met
      FROM fs
      JOIN service_request AS r ON r.service_id = fs.service_id
      JOIN service_request_status_change AS m ON m.request_id = r.id
     WHERE m.from_status = 'NEW' AND m.response_target_s IS NOT NULL
       AND m.response_elapsed_s IS NOT NULL
       AND {_IN_WINDOW.format(at="m.at")} AND {_REQUEST_SCOPE}
    UNION
    SELECT fs.key, 'request resolution ' || m.id,
           m.resolution_elapsed_s <= m.resolution_target_s
      FROM fs
      JOIN service_request AS r ON r.service_id = fs.service_id
      JOIN service_request_status_change AS m ON m.request_id = r.id
     WHERE {_FINAL_FULFILMENT} AND m.resolution_target_s IS NOT NULL
       AND m.resolution_elapsed_s IS NOT NULL
       AND {_IN_WINDOW.format(at="m.at")} AND {_REQUEST_SCOPE}
    UNION
    SELECT fs.key, 'incident response ' || m.id,
           m.response_elapsed_s <= m.response_target_s
    {_INCIDENTS_OF_FRAME}
      JOIN incident_status_change AS m ON m.incident_id = i.id
     WHERE m.from_status = 'DETECTED' AND m.response_target_s IS NOT NULL
       AND m.response_elapsed_s IS NOT NULL
       AND {_IN_WINDOW.format(at="m.at")} AND {_INCIDENT_SCOPE}
    UNION
    SELECT fs.key, 'incident resolution ' || m.id,
           m.resolution_elapsed_s <= m.resolution_target_s
    {_INCIDENTS_OF_FRAME}
      JOIN incident_status_change AS m ON m.incident_id = i.id
     WHERE {_FINAL_RESTORE} AND m.resolution_target_s IS NOT NULL
       AND m.resolution_elapsed_s IS NOT NULL
       AND {_IN_WINDOW.format(at="m.at")} AND {_INCIDENT_SCOPE}
  ) AS clock
 GROUP BY key"""

_DEFECTS_RAISED = f"""
SELECT key, count(*)::float AS value, count(*) AS samples, count(*)::float AS total,
       NULL::float AS share
  FROM (
    SELECT fs.key, r.id
      FROM fs JOIN service_request AS r ON r.service_id = fs.service_id
     WHERE r.kind = 'DEFECT' AND {_IN_WINDOW.format(at="r.created_at")} AND {_REQUEST_SCOPE}
    UNION
    SELECT fs.key, b.id
      FROM fs JOIN backlog_item AS b ON b.service_id = fs.service_id
     WHERE b.type IN ('DEFECT', 'HOTFIX', 'VULNERABILITY')
       AND {_IN_WINDOW.format(at="b.created_at")} AND {_NO_SCOPE}
  ) AS defect
 GROUP BY key"""

_TIME_TO_MARKET = _mean_of(
    f"""
    SELECT fs.key, b.id, {_epoch("b.released_at - b.created_at")} AS seconds
      FROM fs JOIN backlog_item AS b ON b.service_id = fs.service_id
     WHERE b.type = 'FEATURE' AND b.status = 'RELEASED'
       AND {_IN_WINDOW.format(at="b.released_at")} AND {_NO_SCOPE}""",
    median=True,
)

_TIME_TO_HOTFIX = _mean_of(
    f"""
    SELECT fs.key, b.id, {_epoch("b.released_at - i.detected_at")} AS seconds
      FROM fs
      JOIN backlog_item AS b ON b.service_id = fs.service_id
      JOIN incident AS i ON b.source_type = 'INCIDENT' AND i.id = b.source_id
     WHERE b.type IN ('HOTFIX', 'VULNERABILITY') AND b.status = 'RELEASED'
       AND {_IN_WINDOW.format(at="b.released_at")} AND {_INCIDENT_SCOPE}""",
    median=True,
)

_SATISFACTION = f"""
SELECT key, avg(rating)::float AS value, count(*) AS samples, sum(rating)::float AS total,
       avg((rating >= 4)::int)::float AS share
  FROM (
    SELECT DISTINCT fs.key, fb.id, fb.rating
      FROM fs JOIN feedback AS fb ON fb.service_id = fs.service_id
     WHERE fb.rating IS NOT NULL AND {_IN_WINDOW.format(at="fb.created_at")} AND {_NO_SCOPE}
  ) AS rated
 GROUP BY key"""


def _tier_weight(column: str) -> str:
    cases = " ".join(f"WHEN '{tier}' THEN {weight}" for tier, weight in TIER_WEIGHTS.items())
    return f"(CASE {column} {cases} ELSE 1.0 END)"


_AVAILABILITY = f"""
, down AS (
    SELECT fs.key, fs.service_id,
           range_agg(tstzrange(greatest(i.detected_at, fs.start_at),
                               least(coalesce(i.mitigated_at, fs.end_at), fs.end_at))) AS ranges
    {_INCIDENTS_OF_FRAME}
     WHERE CASE WHEN fs.severity IS NULL THEN i.severity = ANY(CAST(:outage AS text[]))
                ELSE i.severity = fs.severity END
       AND fs.priority IS NULL AND fs.request_kind IS NULL
       AND i.detected_at < fs.end_at AND coalesce(i.mitigated_at, fs.end_at) > fs.start_at
     GROUP BY fs.key, fs.service_id
), per_service AS (
    SELECT fs.key, {_tier_weight("s.tier")} AS weight,
           1 - coalesce((SELECT sum({_epoch("upper(r) - lower(r)")}) FROM unnest(d.ranges) AS r), 0)
             / nullif({_epoch("fs.end_at - fs.start_at")}, 0) AS availability
      FROM fs
      JOIN service AS s ON s.id = fs.service_id
      LEFT JOIN down AS d ON d.key = fs.key AND d.service_id = fs.service_id
     WHERE fs.priority IS NULL AND fs.request_kind IS NULL
)
SELECT key, sum(availability * weight) / sum(weight) AS value, count(*) AS samples,
       sum(availability * weight) AS total, NULL::float AS share
  FROM per_service
 WHERE availability IS NOT NULL
 GROUP BY key"""


def _measured(metric: Metric, aggregate: str) -> str:
    return f"""
SELECT key, {aggregate} AS value, count(*) AS samples, sum(value) AS total, NULL::float AS share
  FROM (
    SELECT fs.key, m.id, m.value
      FROM fs JOIN measurement AS m ON m.service_id = fs.service_id
     WHERE m.metric = '{metric.value}' AND {_IN_WINDOW.format(at="m.at")}
  ) AS measured
 GROUP BY key"""


# Adoption is a level, not a flow: each service's latest reading in the window.
_ADOPTION = f"""
SELECT key, avg(value) AS value, count(*) AS samples, sum(value) AS total, NULL::float AS share
  FROM (
    SELECT DISTINCT ON (fs.key, fs.service_id) fs.key, m.value
      FROM fs JOIN measurement AS m ON m.service_id = fs.service_id
     WHERE m.metric = 'ADOPTION' AND {_IN_WINDOW.format(at="m.at")}
     ORDER BY fs.key, fs.service_id, m.at DESC
  ) AS latest
 GROUP BY key"""

_COST = f"""
SELECT key, sum(amount) AS value, count(*) AS samples, sum(amount) AS total,
       NULL::float AS share
  FROM (
    SELECT fs.key, i.people_hours * :rate
           / (SELECT count(*) FROM incident_service AS shared WHERE shared.incident_id = i.id)
           AS amount
    {_INCIDENTS_OF_FRAME}
     WHERE i.people_hours IS NOT NULL AND {_IN_WINDOW.format(at="i.resolved_at")}
       AND {_INCIDENT_SCOPE}
    UNION ALL
    SELECT fs.key, m.value
      FROM fs JOIN measurement AS m ON m.service_id = fs.service_id
     WHERE m.metric = 'COST' AND {_IN_WINDOW.format(at="m.at")}
  ) AS spent
 GROUP BY key"""

_SQL: Mapping[Metric, str] = {
    Metric.AVAILABILITY: _AVAILABILITY,
    Metric.MTTR: _MTTR,
    Metric.TIME_TO_ACKNOWLEDGE: _TIME_TO_ACKNOWLEDGE,
    Metric.REQUEST_RESOLUTION_TIME: _REQUEST_RESOLUTION_TIME,
    Metric.CLOCK_ATTAINMENT: _CLOCK_ATTAINMENT,
    Metric.DEFECTS_RAISED: _DEFECTS_RAISED,
    Metric.TIME_TO_MARKET: _TIME_TO_MARKET,
    Metric.TIME_TO_HOTFIX: _TIME_TO_HOTFIX,
    Metric.SATISFACTION: _SATISFACTION,
    Metric.ADOPTION: _ADOPTION,
    Metric.COST: _COST,
    Metric.EFFICIENCY_GAIN: _measured(Metric.EFFICIENCY_GAIN, "sum(value)"),
    Metric.CUSTOM: _measured(Metric.CUSTOM, "avg(value)"),
}

# What a frame without any record answers: nothing raised and nothing spent are values.
_EMPTY: Mapping[Metric, MetricValue] = {
    Metric.DEFECTS_RAISED: MetricValue(0.0),
    Metric.COST: MetricValue(0.0),
}


def _parameters(frames: Sequence[Frame]) -> dict[str, Any]:
    members = [(frame.key, service) for frame in frames for service in frame.service_ids]
    return {
        "keys": [frame.key for frame in frames],
        "starts": [frame.start for frame in frames],
        "ends": [frame.end for frame in frames],
        "severities": [frame.scope.severity for frame in frames],
        "priorities": [frame.scope.priority for frame in frames],
        "kinds": [frame.scope.request_kind for frame in frames],
        "member_keys": [key for key, _ in members],
        "member_services": [service for _, service in members],
    }


def _extra(metric: Metric, settings: MetricSettings) -> dict[str, Any]:
    if metric is Metric.AVAILABILITY:
        return {"outage": list(settings.outage_severities)}
    if metric is Metric.COST:
        return {"rate": settings.incident_hourly_rate}
    return {}


async def measure(
    session: AsyncSession,
    metric: Metric,
    frames: Sequence[Frame],
    settings: MetricSettings,
) -> dict[int, MetricValue]:
    """The metric over every frame, by frame key: one statement."""
    if not frames:
        return {}
    parameters = _parameters(frames) | _extra(metric, settings)
    rows = await session.execute(text(_FRAMES + _SQL[metric]), parameters)
    found = {
        row.key: MetricValue(
            value=None if row.value is None else float(row.value),
            samples=int(row.samples),
            total=float(row.total or 0.0),
            share=None if row.share is None else float(row.share),
        )
        for row in rows
    }
    empty = _EMPTY.get(metric, MetricValue(None))
    return {frame.key: found.get(frame.key, empty) for frame in frames}


async def measure_all(
    session: AsyncSession,
    frames: Mapping[Metric, Sequence[Frame]],
    settings: MetricSettings,
) -> dict[Metric, dict[int, MetricValue]]:
    """Several metrics, a statement for each metric asked about."""
    return {
        metric: await measure(session, metric, metric_frames, settings)
        for metric, metric_frames in frames.items()
        if metric_frames
    }
