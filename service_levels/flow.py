"""Flow metrics per IT4IT value stream, over a window and a scope (a service, a team, a business
unit or the organisation), read from the status history.

Each stage is one kind of work, with its own status table and history:

- REQUEST_TO_FULFIL: service requests (their status changes), delivered when FULFILLED;
- DETECT_TO_CORRECT: incidents (their status changes), delivered when RESOLVED;
- REQUIREMENT_TO_DEPLOY: backlog items (their `record_version` history), delivered when a
  release ships them (RELEASED).

For the window [start, end): throughput counts the work delivered in it (the last move into a
delivered state, when it still stands at the end: a reopened and not yet redelivered piece of
work is in progress again); lead time runs from the work's start (filed, detected, created) to
that delivery, as the median and the 85th percentile; flow efficiency is the time the delivered
work spent in active states over all its recorded time before delivery (waiting states are
declared beside each transition table; time delivered before a reopen is not active either);
work in progress is the work in the flow at the end;
aging work is the part of it older than the 85th percentile lead time, oldest first.

A team's or a business unit's requests and incidents are those of the services it owns; its
backlog items are those of its backlogs. One statement per stage.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from service_levels.rollups import KpiScope, scope_name
from service_levels.windows import Window
from work.backlog import transitions as backlog
from work.incidents import transitions as incidents
from work.requests import transitions as requests
from work.value_streams import ValueStream

# The longest window the metrics are computed over.
MAX_WINDOW = timedelta(days=731)
# The most aging work a stage lists (the count covers all of it).
MAX_AGING = 100


class BadWindow(ValueError):
    """The window is empty, reversed, without a UTC offset or longer than MAX_WINDOW."""


@dataclass(frozen=True)
class FlowScope:
    scope: KpiScope
    scope_id: uuid.UUID | None = None
    # Further narrowed to these services (the product owner's view of a KPI summary).
    service_ids: tuple[uuid.UUID, ...] | None = None


@dataclass(frozen=True)
class AgingWork:
    """A piece of work still in the flow, older than the stage's 85th percentile lead time."""

    stream: ValueStream
    id: uuid.UUID
    title: str
    status: str
    started_at: datetime
    age_seconds: float


@dataclass(frozen=True)
class StageFlow:
    stream: ValueStream
    window: Window
    throughput: int
    wip: int
    lead_time_p50_seconds: float | None
    lead_time_p85_seconds: float | None
    flow_efficiency: float | None
    aging_count: int
    aging: list[AgingWork]  # oldest first, at most MAX_AGING


@dataclass(frozen=True)
class _Stage:
    """How one stage reads its work and history; `{where}` is the scope's condition."""

    stream: ValueStream
    alias: str  # of the work's table in `works`
    works: str
    on_services: str  # the work of these services (its scope, but for a team's backlog)
    moves: str
    in_flow: frozenset[str]
    waiting: frozenset[str]
    delivered: frozenset[str]


def _services(where: str) -> str:
    return f"(SELECT s.id FROM service AS s WHERE {where})"


_STAGES = (
    _Stage(
        ValueStream.REQUEST_TO_FULFIL,
        alias="r",
        works="""SELECT r.id, r.title, r.created_at AS started_at
      FROM service_request AS r
     WHERE r.created_at < CAST(:end AS timestamptz) AND {scoped} AND {touched}""",
        on_services="r.service_id IN {services}",
        moves="""SELECT m.request_id AS work_id, m.at, m.id AS seq, m.to_status AS status
      FROM service_request_status_change AS m JOIN works ON works.id = m.request_id
     WHERE m.at < CAST(:end AS timestamptz)""",
        in_flow=frozenset(requests.OPEN),
        waiting=frozenset(requests.WAITING),
        delivered=frozenset(requests.DELIVERED),
    ),
    _Stage(
        ValueStream.DETECT_TO_CORRECT,
        alias="i",
        works="""SELECT i.id, i.title, i.detected_at AS started_at
      FROM incident AS i
     WHERE i.detected_at < CAST(:end AS timestamptz) AND {scoped} AND {touched}""",
        on_services="""EXISTS (SELECT 1 FROM incident_service AS hit
                    WHERE hit.incident_id = i.id AND hit.service_id IN {services})""",
        moves="""SELECT m.incident_id AS work_id, m.at, m.id AS seq, m.to_status AS status
      FROM incident_status_change AS m JOIN works ON works.id = m.incident_id
     WHERE m.at < CAST(:end AS timestamptz)""",
        in_flow=frozenset(incidents.OPEN),
        waiting=frozenset(incidents.WAITING),
        delivered=frozenset(incidents.DELIVERED),
    ),
    _Stage(
        ValueStream.REQUIREMENT_TO_DEPLOY,
        alias="b",
        works="""SELECT b.id, b.title, b.created_at AS started_at
      FROM backlog_item AS b JOIN backlog AS bl ON bl.id = b.backlog_id
     WHERE b.created_at < CAST(:end AS timestamptz) AND {scoped} AND {touched}""",
        on_services="b.service_id IN {services}",
        moves="""SELECT v.record_id AS work_id, v.at, v.id AS seq, c.change ->> 'to' AS status
      FROM record_version AS v
      JOIN works ON works.id = v.record_id
     CROSS JOIN LATERAL jsonb_array_elements(v.changes) AS c(change)
     WHERE v.table_name = 'backlog_item' AND v.action IN ('CREATE', 'UPDATE')
       AND c.change ->> 'field' = 'status' AND v.at < CAST(:end AS timestamptz)""",
        in_flow=frozenset(backlog.IN_FLOW),
        waiting=frozenset(backlog.WAITING),
        delivered=frozenset(backlog.DELIVERED),
    ),
)

_BODY = """
WITH works AS ({works}),
moves AS ({moves}),
timeline AS (
    SELECT work_id, at, status,
           lag(status) OVER ordered AS before,
           lead(at) OVER ordered AS next_at,
           row_number() OVER (PARTITION BY work_id ORDER BY at DESC, seq DESC) AS newest
      FROM moves
    WINDOW ordered AS (PARTITION BY work_id ORDER BY at, seq)
),
state AS (
    SELECT work_id,
           max(status) FILTER (WHERE newest = 1) AS status,
           max(at) FILTER (WHERE status = ANY(CAST(:delivered AS text[]))
                             AND (before IS NULL
                                  OR NOT before = ANY(CAST(:delivered AS text[]))))
               AS delivered_at
      FROM timeline
     GROUP BY work_id
),
delivered AS (
    SELECT w.id, st.delivered_at,
           extract(epoch FROM st.delivered_at - w.started_at)::float AS lead_seconds
      FROM works AS w JOIN state AS st ON st.work_id = w.id
     WHERE st.status = ANY(CAST(:delivered AS text[]))
       AND st.delivered_at >= CAST(:start AS timestamptz)
),
spans AS (
    SELECT t.status,
           extract(epoch FROM least(coalesce(t.next_at, d.delivered_at), d.delivered_at)
                              - t.at)::float AS seconds
      FROM delivered AS d JOIN timeline AS t ON t.work_id = d.id AND t.at < d.delivered_at
),
spent AS (
    SELECT sum(seconds) FILTER (WHERE NOT status = ANY(CAST(:idle AS text[]))) AS active,
           sum(seconds) AS elapsed
      FROM spans
),
lead_times AS (
    SELECT count(*) AS throughput,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY lead_seconds) AS p50,
           percentile_cont(0.85) WITHIN GROUP (ORDER BY lead_seconds) AS p85
      FROM delivered
),
in_flow AS (
    SELECT w.id, w.title, w.started_at, st.status,
           extract(epoch FROM CAST(:end AS timestamptz) - w.started_at)::float AS age
      FROM works AS w JOIN state AS st ON st.work_id = w.id
     WHERE st.status = ANY(CAST(:in_flow AS text[]))
),
aging AS (
    SELECT f.* FROM in_flow AS f, lead_times WHERE f.age > lead_times.p85
)
SELECT lead_times.throughput, lead_times.p50, lead_times.p85,
       coalesce(spent.active, 0) / nullif(spent.elapsed, 0) AS efficiency,
       (SELECT count(*) FROM in_flow) AS wip,
       (SELECT count(*) FROM aging) AS aging_count,
       (SELECT coalesce(json_agg(json_build_object(
                   'id', oldest.id, 'title', oldest.title, 'status', oldest.status,
                   'started', extract(epoch FROM oldest.started_at)::float, 'age', oldest.age)
                   ORDER BY oldest.age DESC, oldest.id), '[]'::json)
          FROM (SELECT * FROM aging ORDER BY age DESC, id LIMIT :max_aging) AS oldest) AS oldest
  FROM lead_times, spent
"""

_SERVICE_OF_SCOPE = {
    KpiScope.ORGANISATION: "TRUE",
    KpiScope.SERVICE: "s.id = CAST(:scope_id AS uuid)",
    KpiScope.TEAM: "s.owner_team_id = CAST(:scope_id AS uuid)",
    KpiScope.BUSINESS_UNIT: """s.owner_team_id IN (
        SELECT t.id FROM team AS t WHERE t.business_unit_id = CAST(:scope_id AS uuid))""",
}
_BACKLOG_OF_SCOPE = {
    KpiScope.TEAM: "bl.team_id = CAST(:scope_id AS uuid)",
    KpiScope.BUSINESS_UNIT: """bl.team_id IN (
        SELECT t.id FROM team AS t WHERE t.business_unit_id = CAST(:scope_id AS uuid))""",
}
_ONLY_SERVICES = "s.id = ANY(CAST(:service_ids AS uuid[]))"
# Work out of the flow now and untouched since the window's start made every move before it:
# it adds nothing, and old work is most of the history.
_TOUCHED = (
    "({alias}.status = ANY(CAST(:in_flow AS text[]))"
    " OR {alias}.updated_at >= CAST(:start AS timestamptz))"
)


@lru_cache(maxsize=32)
def _statement(stage: _Stage, scope: KpiScope, narrowed: bool) -> TextClause:
    """The stage's statement for a kind of scope: constant SQL, the values are bound."""
    where = _SERVICE_OF_SCOPE[scope]
    if narrowed:
        where = f"{where} AND {_ONLY_SERVICES}"
    on_services = stage.on_services.format(services=_services(where))
    if scope is KpiScope.ORGANISATION and not narrowed:
        scoped = "TRUE"  # incidents on no service too
    elif stage.stream is ValueStream.REQUIREMENT_TO_DEPLOY and scope in _BACKLOG_OF_SCOPE:
        scoped = _BACKLOG_OF_SCOPE[scope] + (f" AND {on_services}" if narrowed else "")
    else:
        scoped = on_services
    works = stage.works.format(scoped=scoped, touched=_TOUCHED.format(alias=stage.alias))
    return text(_BODY.format(works=works, moves=stage.moves))


def check_window(start: datetime, end: datetime) -> Window:
    """[start, end) as asked, or BadWindow."""
    if start.tzinfo is None or end.tzinfo is None:
        raise BadWindow("from and to need a UTC offset")
    if end <= start:
        raise BadWindow("to must be after from")
    if end - start > MAX_WINDOW:
        raise BadWindow(f"at most {MAX_WINDOW.days} days (two years)")
    try:
        return Window(start.astimezone(UTC), end.astimezone(UTC))
    except OverflowError:
        raise BadWindow("from and to must lie between the years 1 and 9999 in UTC") from None


def _aging(stream: ValueStream, found: Sequence[dict[str, Any]]) -> list[AgingWork]:
    return [
        AgingWork(
            stream=stream,
            id=uuid.UUID(str(item["id"])),
            title=str(item["title"]),
            status=str(item["status"]),
            started_at=datetime.fromtimestamp(float(item["started"]), UTC),
            age_seconds=float(item["age"]),
        )
        for item in found
    ]


async def stage_flow(
    session: AsyncSession, stage: _Stage, chosen: FlowScope, window: Window
) -> StageFlow:
    """One stage's flow over the window: one statement."""
    narrowed = chosen.service_ids is not None
    row = (
        await session.execute(
            _statement(stage, chosen.scope, narrowed),
            {
                "start": window.start,
                "end": window.end,
                "scope_id": chosen.scope_id,
                "service_ids": list(chosen.service_ids or ()),
                "delivered": sorted(stage.delivered),
                "idle": sorted(stage.waiting | stage.delivered),
                "in_flow": sorted(stage.in_flow),
                "max_aging": MAX_AGING,
            },
        )
    ).one()
    throughput, p50, p85, efficiency, wip, aging_count, oldest = row
    return StageFlow(
        stream=stage.stream,
        window=window,
        throughput=int(throughput),
        wip=int(wip),
        lead_time_p50_seconds=None if p50 is None else float(p50),
        lead_time_p85_seconds=None if p85 is None else float(p85),
        flow_efficiency=None if efficiency is None else float(efficiency),
        aging_count=int(aging_count),
        aging=_aging(stage.stream, oldest),
    )


async def value_stream_metrics(
    session: AsyncSession, chosen: FlowScope, window: Window
) -> list[StageFlow]:
    """Every stage's flow over the window, in stream order: one statement per stage (and one
    to check the scope's id). UnknownScope when the id names nothing of its kind."""
    await scope_name(session, chosen.scope, chosen.scope_id)
    return [await stage_flow(session, stage, chosen, window) for stage in _STAGES]
