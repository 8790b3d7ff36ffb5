"""Every metric of the service-level table as one SQL aggregate over many frames at once.

The frames of a request travel as arrays, so one statement answers every metric asked about,
however many objectives, windows, buckets or pooled services (a group of services pooled by
several frames, the organisation's for every metric, travels once). Records are counted
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

Vendor attribution (AVAILABILITY, MTTR): the time an incident overlaps a Trust incident it is
linked to, or one on an instance its services' orgs run on, counts against Salesforce. These
metrics answer two figures, the team's (`value`, vendor time left out) and the raw one
(`raw_value`); the team's stands only while the Trust data covers the frame (synced after its
end, or recently enough), else the answer is the raw figure with `vendor_split` False.
COST, EFFICIENCY_GAIN and CUSTOM also answer two figures: the team's leaves out measurements
recorded as vendor-attributed.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from core.settings import Settings
from feedback.score import TIER_WEIGHTS
from service_levels.frames import Frame, MetricValue, Scope
from service_levels.models import Metric
from work.incidents.vendor_time import VENDOR_RANGES, vendor_seconds


@dataclass(frozen=True)
class MetricSettings:
    outage_severities: tuple[str, ...] = ("SEV1", "SEV2")
    incident_hourly_rate: float = 100.0
    org_timezone: str = "UTC"
    trust_stale_s: float = 3600.0

    @classmethod
    def of(cls, settings: Settings) -> MetricSettings:
        return cls(
            settings.outage_severities,
            settings.incident_hourly_rate,
            settings.org_timezone,
            settings.salesforce_trust_stale_s,
        )


# The metrics with a team figure apart from the raw one: from Trust incidents (which need the
# Trust data to cover the frame), or from measurements flagged vendor-attributed.
VENDOR_METRICS = frozenset({Metric.AVAILABILITY, Metric.MTTR})
FLAGGED_METRICS = frozenset({Metric.COST, Metric.EFFICIENCY_GAIN, Metric.CUSTOM})
_TRUST_ROW = "_TRUST"


@dataclass(frozen=True)
class _Scoping:
    """The SQL that narrows records to a frame's scope. A request whose frames carry no scope
    (roll-ups, and most objectives) sends none of it: conditions on the frames' columns are
    estimates PostgreSQL cannot make, and a wrong estimate picks nested loops over thousands
    of frames."""

    frame_columns: str
    incident: str
    request: str
    none: str
    outage: str
    availability: str


_SCOPED = _Scoping(
    frame_columns=", severity, priority, request_kind",
    incident=(
        "(fs.severity IS NULL OR i.severity = fs.severity)"
        " AND fs.priority IS NULL AND fs.request_kind IS NULL"
    ),
    request=(
        "fs.severity IS NULL AND (fs.priority IS NULL OR r.priority = fs.priority)"
        " AND (fs.request_kind IS NULL OR r.kind = fs.request_kind)"
    ),
    none="fs.severity IS NULL AND fs.priority IS NULL AND fs.request_kind IS NULL",
    outage="""CASE WHEN fs.severity IS NULL THEN i.severity = ANY(CAST(:outage AS text[]))
                ELSE i.severity = fs.severity END
       AND fs.priority IS NULL AND fs.request_kind IS NULL""",
    availability="fs.priority IS NULL AND fs.request_kind IS NULL",
)
_UNSCOPED = _Scoping(
    frame_columns="",
    incident="TRUE",
    request="TRUE",
    none="TRUE",
    outage="i.severity = ANY(CAST(:outage AS text[]))",
    availability="TRUE",
)


_IN_WINDOW = "{at} >= fs.start_at AND {at} < fs.end_at"
_INCIDENTS_OF_FRAME = """
      FROM fs
      JOIN incident_service AS hit ON hit.service_id = fs.service_id
      JOIN incident AS i ON i.id = hit.incident_id"""

_VENDOR_RANGES = VENDOR_RANGES
_vendor_seconds = vendor_seconds

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


def _mean_with_vendor(samples: str) -> str:
    """Aggregate (key, id, seconds, team_seconds) samples: the team's mean and the raw one."""
    return f"""
SELECT key, avg(team_seconds) AS value, count(*) AS samples, sum(team_seconds) AS total,
       NULL::float AS share, avg(seconds) AS raw_value, sum(seconds) AS raw_total
  FROM (SELECT DISTINCT key, id, seconds, team_seconds FROM ({samples}) AS raw) AS sample
 GROUP BY key"""


def _epoch(expression: str) -> str:
    return f"extract(epoch FROM {expression})::float"


def _tier_weight(column: str) -> str:
    cases = " ".join(f"WHEN '{tier}' THEN {weight}" for tier, weight in TIER_WEIGHTS.items())
    return f"(CASE {column} {cases} ELSE 1.0 END)"


def _measured(metric: Metric, aggregate: str) -> str:
    """Recorded values: the team's figure leaves out those flagged vendor-attributed."""
    return f"""
SELECT key, {aggregate} FILTER (WHERE NOT vendor) AS value,
       count(*) FILTER (WHERE NOT vendor) AS samples,
       coalesce(sum(value) FILTER (WHERE NOT vendor), 0) AS total, NULL::float AS share,
       {aggregate} AS raw_value, sum(value) AS raw_total
  FROM (
    SELECT fs.key, m.id, m.value, m.vendor_attributed AS vendor
      FROM fs JOIN measurement AS m ON m.service_id = fs.service_id
     WHERE m.metric = '{metric.value}' AND {_IN_WINDOW.format(at="m.at")}
  ) AS measured
 GROUP BY key"""


def _metric_sql(scope: _Scoping) -> dict[Metric, str]:
    """Each metric's aggregate over the frames `fs`, by frame key."""
    incident, request, none = scope.incident, scope.request, scope.none
    # Each clock a move stopped (which of the four, and the move's id) once per frame.
    clock_attainment = f"""
SELECT key, avg(met::int) AS value, count(*) AS samples, sum(met::int) AS total,
       NULL::float AS share
  FROM (
    SELECT fs.key, 1 AS clock, m.id,
           m.response_elapsed_s <= m.response_target_s AS met
      FROM fs
      JOIN service_request AS r ON r.service_id = fs.service_id
      JOIN service_request_status_change AS m ON m.request_id = r.id
     WHERE m.from_status = 'NEW' AND m.response_target_s IS NOT NULL
       AND m.response_elapsed_s IS NOT NULL
       AND {_IN_WINDOW.format(at="m.at")} AND {request}
    UNION
    SELECT fs.key, 2, m.id,
           m.resolution_elapsed_s <= m.resolution_target_s
      FROM fs
      JOIN service_request AS r ON r.service_id = fs.service_id
      JOIN service_request_status_change AS m ON m.request_id = r.id
     WHERE {_FINAL_FULFILMENT} AND m.resolution_target_s IS NOT NULL
       AND m.resolution_elapsed_s IS NOT NULL
       AND {_IN_WINDOW.format(at="m.at")} AND {request}
    UNION
    SELECT fs.key, 3, m.id,
           m.response_elapsed_s <= m.response_target_s
    {_INCIDENTS_OF_FRAME}
      JOIN incident_status_change AS m ON m.incident_id = i.id
     WHERE m.from_status = 'DETECTED' AND m.response_target_s IS NOT NULL
       AND m.response_elapsed_s IS NOT NULL
       AND {_IN_WINDOW.format(at="m.at")} AND {incident}
    UNION
    SELECT fs.key, 4, m.id,
           m.resolution_elapsed_s <= m.resolution_target_s
    {_INCIDENTS_OF_FRAME}
      JOIN incident_status_change AS m ON m.incident_id = i.id
     WHERE {_FINAL_RESTORE} AND m.resolution_target_s IS NOT NULL
       AND m.resolution_elapsed_s IS NOT NULL
       AND {_IN_WINDOW.format(at="m.at")} AND {incident}
  ) AS clock
 GROUP BY key"""
    defects_raised = f"""
SELECT key, count(*)::float AS value, count(*) AS samples, count(*)::float AS total,
       NULL::float AS share
  FROM (
    SELECT fs.key, r.id
      FROM fs JOIN service_request AS r ON r.service_id = fs.service_id
     WHERE r.kind = 'DEFECT' AND {_IN_WINDOW.format(at="r.created_at")} AND {request}
    UNION
    SELECT fs.key, b.id
      FROM fs JOIN backlog_item AS b ON b.service_id = fs.service_id
     WHERE b.type IN ('DEFECT', 'HOTFIX', 'VULNERABILITY')
       AND {_IN_WINDOW.format(at="b.created_at")} AND {none}
  ) AS defect
 GROUP BY key"""
    satisfaction = f"""
SELECT key, avg(rating)::float AS value, count(*) AS samples, sum(rating)::float AS total,
       avg((rating >= 4)::int)::float AS share
  FROM (
    SELECT DISTINCT fs.key, fb.id, fb.rating
      FROM fs JOIN feedback AS fb ON fb.service_id = fs.service_id
     WHERE fb.rating IS NOT NULL AND {_IN_WINDOW.format(at="fb.created_at")} AND {none}
  ) AS rated
 GROUP BY key"""
    outage = """tstzrange(greatest(i.detected_at, fs.start_at),
                               least(coalesce(i.mitigated_at, fs.end_at), fs.end_at))"""

    def up(ranges: str) -> str:
        length = f"(SELECT sum({_epoch('upper(r) - lower(r)')}) FROM unnest({ranges}) AS r)"
        return f"1 - coalesce({length}, 0) / nullif({_epoch('fs.end_at - fs.start_at')}, 0)"

    availability = f"""
, down AS (
    SELECT fs.key, fs.service_id,
           range_agg({outage}) AS ranges,
           range_agg(tstzmultirange({outage})
                     - coalesce(vendor.ranges, '{{}}'::tstzmultirange)) AS team_ranges
    {_INCIDENTS_OF_FRAME}{_VENDOR_RANGES}
     WHERE {scope.outage}
       AND i.detected_at < fs.end_at AND coalesce(i.mitigated_at, fs.end_at) > fs.start_at
     GROUP BY fs.key, fs.service_id
), per_service AS MATERIALIZED (  -- each service's availability worked out once
    SELECT fs.key, {_tier_weight("s.tier")} AS weight,
           {up("d.team_ranges")} AS availability,
           {up("d.ranges")} AS raw_availability
      FROM fs
      JOIN service AS s ON s.id = fs.service_id
      LEFT JOIN down AS d ON d.key = fs.key AND d.service_id = fs.service_id
     WHERE {scope.availability}
)
SELECT key, sum(availability * weight) / sum(weight) AS value, count(*) AS samples,
       sum(availability * weight) AS total, NULL::float AS share,
       sum(raw_availability * weight) / sum(weight) AS raw_value,
       sum(raw_availability * weight) AS raw_total
  FROM per_service
 WHERE availability IS NOT NULL
 GROUP BY key"""
    # Adoption is a level, not a flow: each service's latest reading in the window.
    adoption = f"""
SELECT key, avg(value) AS value, count(*) AS samples, sum(value) AS total, NULL::float AS share
  FROM (
    SELECT DISTINCT ON (fs.key, fs.service_id) fs.key, m.value
      FROM fs JOIN measurement AS m ON m.service_id = fs.service_id
     WHERE m.metric = 'ADOPTION' AND {_IN_WINDOW.format(at="m.at")}
     ORDER BY fs.key, fs.service_id, m.at DESC
  ) AS latest
 GROUP BY key"""
    cost = f"""
SELECT key, coalesce(sum(amount) FILTER (WHERE NOT vendor), 0) AS value,
       count(*) FILTER (WHERE NOT vendor) AS samples,
       coalesce(sum(amount) FILTER (WHERE NOT vendor), 0) AS total, NULL::float AS share,
       sum(amount) AS raw_value, sum(amount) AS raw_total
  FROM (
    SELECT fs.key, i.people_hours * :rate
           / (SELECT count(*) FROM incident_service AS shared WHERE shared.incident_id = i.id)
           AS amount, FALSE AS vendor
    {_INCIDENTS_OF_FRAME}
     WHERE i.people_hours IS NOT NULL AND {_IN_WINDOW.format(at="i.resolved_at")}
       AND {incident}
    UNION ALL
    SELECT fs.key, m.value, m.vendor_attributed
      FROM fs JOIN measurement AS m ON m.service_id = fs.service_id
     WHERE m.metric = 'COST' AND {_IN_WINDOW.format(at="m.at")}
  ) AS spent
 GROUP BY key"""
    return {
        Metric.AVAILABILITY: availability,
        Metric.MTTR: _mean_with_vendor(f"""
    SELECT fs.key, i.id, {_epoch("i.mitigated_at - i.detected_at")} AS seconds,
           {_epoch("i.mitigated_at - i.detected_at")}
             - {_vendor_seconds("i.detected_at", "i.mitigated_at")} AS team_seconds
    {_INCIDENTS_OF_FRAME}{_VENDOR_RANGES}
     WHERE {_IN_WINDOW.format(at="i.mitigated_at")} AND {incident}"""),
        Metric.TIME_TO_ACKNOWLEDGE: _mean_of(f"""
    SELECT fs.key, i.id, {_epoch("m.at - i.detected_at")} AS seconds
    {_INCIDENTS_OF_FRAME}
      JOIN incident_status_change AS m
        ON m.incident_id = i.id AND m.from_status = 'DETECTED'
     WHERE {_IN_WINDOW.format(at="m.at")} AND {incident}"""),
        Metric.REQUEST_RESOLUTION_TIME: _mean_of(f"""
    SELECT fs.key, m.id, m.resolution_elapsed_s::float AS seconds
      FROM fs
      JOIN service_request AS r ON r.service_id = fs.service_id
      JOIN service_request_status_change AS m ON m.request_id = r.id
     WHERE {_FINAL_FULFILMENT} AND m.resolution_elapsed_s IS NOT NULL
       AND {_IN_WINDOW.format(at="m.at")} AND {request}"""),
        Metric.CLOCK_ATTAINMENT: clock_attainment,
        Metric.DEFECTS_RAISED: defects_raised,
        Metric.TIME_TO_MARKET: _mean_of(
            f"""
    SELECT fs.key, b.id, {_epoch("b.released_at - b.created_at")} AS seconds
      FROM fs JOIN backlog_item AS b ON b.service_id = fs.service_id
     WHERE b.type = 'FEATURE' AND b.status = 'RELEASED'
       AND {_IN_WINDOW.format(at="b.released_at")} AND {none}""",
            median=True,
        ),
        Metric.TIME_TO_HOTFIX: _mean_of(
            f"""
    SELECT fs.key, b.id, {_epoch("b.released_at - i.detected_at")} AS seconds
      FROM fs
      JOIN backlog_item AS b ON b.service_id = fs.service_id
      JOIN incident AS i ON b.source_type = 'INCIDENT' AND i.id = b.source_id
     WHERE b.type IN ('HOTFIX', 'VULNERABILITY') AND b.status = 'RELEASED'
       AND {_IN_WINDOW.format(at="b.released_at")} AND {incident}""",
            median=True,
        ),
        Metric.SATISFACTION: satisfaction,
        Metric.ADOPTION: adoption,
        Metric.COST: cost,
        Metric.EFFICIENCY_GAIN: _measured(Metric.EFFICIENCY_GAIN, "sum(value)"),
        Metric.CUSTOM: _measured(Metric.CUSTOM, "avg(value)"),
    }


_SQL: Mapping[bool, Mapping[Metric, str]] = {
    True: _metric_sql(_SCOPED),
    False: _metric_sql(_UNSCOPED),
}

_METRICS = {metric.value: metric for metric in Metric}

# What a frame without any record answers: nothing raised and nothing spent are values.
_EMPTY: Mapping[Metric, MetricValue] = {
    Metric.DEFECTS_RAISED: MetricValue(0.0),
    Metric.COST: MetricValue(0.0, raw_value=0.0),
}


def _scoped(frames: Sequence[Frame]) -> bool:
    return any(
        frame.scope.severity is not None
        or frame.scope.priority is not None
        or frame.scope.request_kind is not None
        for frame in frames
    )


def _prefix(metric: Metric) -> str:
    return f"{metric.value.lower()}_"


@dataclass(frozen=True)
class _Part:
    """How one metric's frames travel: frames of one service as rows of arrays, frames of
    several services (a team, the organisation) by the group of services they pool, each
    group sent once for all metrics. What it holds decides the statement's text."""

    metric: Metric
    scoped: bool
    singles: bool
    # (group, whether the metric has a single frame over it)
    groups: tuple[tuple[int, bool], ...]


def _positions(array: str, array_type: str) -> str:
    """The positions of an array: generate_series, not unnest, so that a generic plan assumes
    1,000 rows rather than unnest's 10 (asyncpg prepares every statement, and PostgreSQL may
    switch to a generic plan after five executions); a custom plan knows the length."""
    return f"generate_series(1, cardinality(CAST(:{array} AS {array_type})))"


def _frames(part: _Part) -> str:
    """`fs`: a row per (frame, service), with its window and scope. Windows and scopes are
    few (objectives share them): each travels once, and frames name it by its index."""
    prefix = _prefix(part.metric)

    def window_and_scope(span: str, scope: str) -> str:
        columns = f""", (CAST(:{prefix}starts AS timestamptz[]))[{span}] AS start_at,
           (CAST(:{prefix}ends AS timestamptz[]))[{span}] AS end_at"""
        if part.scoped:
            columns += f""",
           (CAST(:{prefix}severities AS text[]))[{scope}] AS severity,
           (CAST(:{prefix}priorities AS text[]))[{scope}] AS priority,
           (CAST(:{prefix}kinds AS text[]))[{scope}] AS request_kind"""
        return columns

    def indexes(arrays: str) -> str:
        found = f"(CAST(:{arrays}spans AS int[]))[n] AS span"
        if part.scoped:
            found += f", (CAST(:{arrays}scopes AS int[]))[n] AS scope"
        return found

    rows = []
    if part.singles:
        rows.append(f"""
    SELECT f.key, f.service_id{window_and_scope("f.span", "f.scope")}
      FROM (SELECT (CAST(:{prefix}keys AS int[]))[n] AS key,
                   (CAST(:{prefix}services AS uuid[]))[n] AS service_id, {indexes(prefix)}
              FROM {_positions(f"{prefix}keys", "int[]")} AS n) AS f""")
    for group, single in part.groups:
        arrays = f"{prefix}g{group}_"
        if single:  # one frame over the group (a roll-up): no array of frames
            span, scope = f"CAST(:{arrays}span AS int)", f"CAST(:{arrays}scope AS int)"
            rows.append(f"""
    SELECT CAST(:{arrays}key AS int) AS key, member.service_id{window_and_scope(span, scope)}
      FROM members_{group} AS member""")
        else:
            rows.append(f"""
    SELECT f.key, member.service_id{window_and_scope("f.span", "f.scope")}
      FROM (SELECT (CAST(:{arrays}keys AS int[]))[n] AS key, {indexes(arrays)}
              FROM {_positions(f"{arrays}keys", "int[]")} AS n) AS f
     CROSS JOIN members_{group} AS member""")
    return "\nWITH fs AS (" + "\n    UNION ALL".join(rows) + "\n)"


def _raw(metric: Metric, column: str) -> str:
    return f"raw_{column}" if metric in VENDOR_METRICS | FLAGGED_METRICS else column


@lru_cache(maxsize=128)
def _statement(groups: int, parts: tuple[_Part, ...]) -> TextClause:
    """One statement for several metrics: each its frames and aggregate, side by side."""
    members = ",\n".join(
        f"""members_{group} AS MATERIALIZED (
    SELECT (CAST(:members_{group} AS uuid[]))[n] AS service_id
      FROM {_positions(f"members_{group}", "uuid[]")} AS n
)"""
        for group in range(1, groups + 1)
    )
    metrics = "\nUNION ALL\n".join(
        f"""SELECT '{part.metric.value}' AS metric, key, CAST(value AS float) AS value, samples,
       CAST(total AS float) AS total, CAST(share AS float) AS share,
       CAST({_raw(part.metric, "value")} AS float) AS raw_value,
       CAST({_raw(part.metric, "total")} AS float) AS raw_total
  FROM ({_frames(part)}{_SQL[part.scoped][part.metric]}
  ) AS {_prefix(part.metric)}value"""
        for part in parts
    )
    if any(part.metric in VENDOR_METRICS for part in parts):
        # When the Trust incidents were last read in full: whether the team figure stands.
        metrics += f"""
UNION ALL
SELECT '{_TRUST_ROW}', 0, {_epoch("synced_at")}, 0, 0, NULL, NULL, NULL
  FROM trust_sync WHERE feed = 'INCIDENTS' AND synced_at IS NOT NULL"""
    return text(f"WITH {members}\n{metrics}" if members else metrics)


class _Arrays:
    """The parameters of one statement, and the groups of services its frames pool."""

    def __init__(self) -> None:
        self.groups: dict[tuple[uuid.UUID, ...], int] = {}
        self.values: dict[str, Any] = {}

    def group(self, services: tuple[uuid.UUID, ...]) -> int:
        found = self.groups.get(services)
        if found is None:
            found = self.groups[services] = len(self.groups) + 1
            self.values[f"members_{found}"] = list(services)
        return found

    def add(self, metric: Metric, frames: Sequence[Frame]) -> _Part:
        """The metric's frames as parameters; what the statement must hold for them."""
        prefix = _prefix(metric)
        scoped = _scoped(frames)
        windows: dict[tuple[datetime, datetime], int] = {}
        scopes: dict[Scope, int] = {}
        single: list[tuple[int, uuid.UUID, int, int]] = []
        pooled: dict[int, list[tuple[int, int, int]]] = {}
        for frame in frames:
            if not frame.service_ids:
                continue
            span = windows.setdefault((frame.start, frame.end), len(windows) + 1)
            scope = scopes.setdefault(frame.scope, len(scopes) + 1) if scoped else 0
            if len(frame.service_ids) == 1:
                single.append((frame.key, frame.service_ids[0], span, scope))
            else:
                group = self.group(frame.service_ids)
                pooled.setdefault(group, []).append((frame.key, span, scope))
        part = _Part(
            metric,
            scoped,
            bool(single),
            tuple((group, len(rows) == 1) for group, rows in pooled.items()),
        )
        if not (single or pooled):
            return part
        values = self.values
        values[f"{prefix}starts"] = [start for start, _ in windows]
        values[f"{prefix}ends"] = [end for _, end in windows]
        if scoped:
            values[f"{prefix}severities"] = [scope.severity for scope in scopes]
            values[f"{prefix}priorities"] = [scope.priority for scope in scopes]
            values[f"{prefix}kinds"] = [scope.request_kind for scope in scopes]
        if single:
            values[f"{prefix}keys"] = [key for key, _, _, _ in single]
            values[f"{prefix}services"] = [service for _, service, _, _ in single]
            values[f"{prefix}spans"] = [span for _, _, span, _ in single]
            if scoped:
                values[f"{prefix}scopes"] = [scope for _, _, _, scope in single]
        for group, rows in pooled.items():
            arrays = f"{prefix}g{group}_"
            if len(rows) == 1:
                ((key, span, scope),) = rows
                values |= {f"{arrays}key": key, f"{arrays}span": span}
                if scoped:
                    values[f"{arrays}scope"] = scope
            else:
                values[f"{arrays}keys"] = [key for key, _, _ in rows]
                values[f"{arrays}spans"] = [span for _, span, _ in rows]
                if scoped:
                    values[f"{arrays}scopes"] = [scope for _, _, scope in rows]
        return part


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
    return (await measure_all(session, {metric: frames}, settings)).get(metric, {})


async def measure_all(
    session: AsyncSession,
    frames: Mapping[Metric, Sequence[Frame]],
    settings: MetricSettings,
) -> dict[Metric, dict[int, MetricValue]]:
    """Several metrics over their frames, by metric and frame key: one statement."""
    arrays = _Arrays()
    parts = []
    for metric in Metric:
        if frames.get(metric):
            part = arrays.add(metric, frames[metric])
            if part.singles or part.groups:
                parts.append(part)
                arrays.values |= _extra(metric, settings)
    found: dict[tuple[Metric, int], MetricValue] = {}
    covered: datetime | None = None
    if parts:
        statement = _statement(len(arrays.groups), tuple(parts))
        result = await session.execute(statement, arrays.values)
        for metric, key, value, samples, total, share, raw, raw_total in result:
            if metric == _TRUST_ROW:
                covered = datetime.fromtimestamp(value, tz=UTC)
                continue
            found[(_METRICS[metric], key)] = MetricValue(
                value, samples, total or 0.0, share, raw, raw_total or 0.0
            )
    fresh_after = utcnow() - timedelta(seconds=settings.trust_stale_s)
    measured: dict[Metric, dict[int, MetricValue]] = {}
    for metric, own in frames.items():
        if own:
            empty = _EMPTY.get(metric, MetricValue(None))
            measured[metric] = {frame.key: found.get((metric, frame.key), empty) for frame in own}
            if metric in FLAGGED_METRICS:  # the flags are ours: the split always stands
                for frame in own:
                    measured[metric][frame.key] = _split(measured[metric][frame.key], True)
            if metric in VENDOR_METRICS:
                for frame in own:
                    split = covered is not None and (covered >= frame.end or covered >= fresh_after)
                    measured[metric][frame.key] = _split(measured[metric][frame.key], split)
    return measured


def _split(found: MetricValue, split: bool) -> MetricValue:
    """The team's figure while the Trust data covers the frame; else the raw one, flagged."""
    if split:
        return found._replace(vendor_split=True)
    return found._replace(value=found.raw_value, total=found.raw_total, vendor_split=False)
