"""The answers of objectives (current value, status, error budget) for the clock metrics,
read from the stamped clocks: a constant number of statements for any number of objectives.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.incidents.models import IncidentStatus
from catalog.requests.models import RequestStatus
from catalog.services.models import Tier
from service_levels import repository
from service_levels.actions import target_for
from service_levels.clock import ClockKind
from service_levels.models import ClockPolicy, Objective
from service_levels.objectives import (
    CLOCK_METRICS,
    AckSample,
    Answer,
    ClockSample,
    Scope,
    Status,
    answer,
    clock_metric_value,
    window_start,
)
from service_levels.policy_defaults import ClockSubject
from service_levels.windows import Window

NO_DATA = Answer(None, Status.NO_DATA, None)
_REQUEST_REOPEN = (str(RequestStatus.FULFILLED), str(RequestStatus.IN_PROGRESS))
_INCIDENT_REOPEN = (str(IncidentStatus.RESOLVED), str(IncidentStatus.ACKNOWLEDGED))


def _targets(
    policies: dict[uuid.UUID, ClockPolicy], service_id: uuid.UUID, tier: Tier, subject: str
) -> tuple[int, int]:
    policy = policies.get(service_id)
    found = target_for(tier, policy.targets if policy else {}, ClockSubject(subject)).targets
    return found.response, found.resolution


def _last_stops(rows: Sequence[Any], stop: str, reopen: tuple[str, str]) -> dict[Any, Any]:
    """Per record, its last move to `stop`, unless a later move reopened it."""
    last: dict[Any, Any] = {}
    for row in rows:
        if str(row.to_status) == stop:
            last[row[0]] = row
        elif (str(row.from_status), str(row.to_status)) == reopen:
            last.pop(row[0], None)
    return last


def request_samples(
    rows: Sequence[Any], policies: dict[uuid.UUID, ClockPolicy]
) -> dict[uuid.UUID, list[ClockSample]]:
    samples: dict[uuid.UUID, list[ClockSample]] = {}

    def add(row: Any, kind: ClockKind, elapsed: int | None, target: int) -> None:
        if elapsed is None:
            return
        samples.setdefault(row.service_id, []).append(
            ClockSample(
                kind,
                False,
                row.at,
                elapsed,
                target,
                priority=str(row.priority),
                request_kind=str(row.kind),
            )
        )

    for row in rows:
        if str(row.from_status) == RequestStatus.NEW:
            response, _ = _targets(policies, row.service_id, row.tier, str(row.priority))
            add(row, ClockKind.RESPONSE, row.response_elapsed_s, response)
    for row in _last_stops(rows, RequestStatus.FULFILLED, _REQUEST_REOPEN).values():
        _, resolution = _targets(policies, row.service_id, row.tier, str(row.priority))
        add(row, ClockKind.RESOLUTION, row.resolution_elapsed_s, resolution)
    return samples


def incident_samples(
    rows: Sequence[Any],
    records: dict[uuid.UUID, repository.ClockRecord],
    policies: dict[uuid.UUID, ClockPolicy],
) -> tuple[dict[uuid.UUID, list[ClockSample]], dict[uuid.UUID, list[AckSample]]]:
    clocks: dict[uuid.UUID, list[ClockSample]] = {}
    acks: dict[uuid.UUID, list[AckSample]] = {}
    by_service: dict[uuid.UUID, list[Any]] = {}
    for row in rows:
        by_service.setdefault(row.service_id, []).append(row)
    for service_id, own in by_service.items():
        for row in own:
            record = records.get(row.incident_id)
            if record is None:
                continue
            response, resolution = _targets(
                policies, record.service_id, record.tier, record.subject
            )
            if str(row.from_status) == IncidentStatus.DETECTED:
                acks.setdefault(service_id, []).append(
                    AckSample(row.at, (row.at - row.detected_at).total_seconds(), str(row.severity))
                )
                if row.response_elapsed_s is not None:
                    clocks.setdefault(service_id, []).append(
                        ClockSample(
                            ClockKind.RESPONSE,
                            True,
                            row.at,
                            row.response_elapsed_s,
                            response,
                            severity=str(row.severity),
                        )
                    )
        stops = _last_stops(own, IncidentStatus.MITIGATED, _INCIDENT_REOPEN)
        for row in stops.values():
            record = records.get(row.incident_id)
            if record is None or row.resolution_elapsed_s is None:
                continue
            _, resolution = _targets(policies, record.service_id, record.tier, record.subject)
            clocks.setdefault(service_id, []).append(
                ClockSample(
                    ClockKind.RESOLUTION,
                    True,
                    row.at,
                    row.resolution_elapsed_s,
                    resolution,
                    severity=str(row.severity),
                )
            )
    return clocks, acks


def _start(objective: Objective, calendar: dict[str, Any] | None, as_of: datetime) -> datetime:
    zone = (calendar or {}).get("time_zone", "UTC")
    return window_start(objective.window_kind, objective.window_days, as_of, zone)


async def objective_answers(
    session: AsyncSession, objective_ids: Sequence[uuid.UUID], as_of: datetime
) -> dict[uuid.UUID, Answer]:
    """Answers of these objectives at `as_of`; metrics not computed yet answer NO_DATA."""
    found = await repository.objectives_with_services(session, objective_ids)
    clock_ones = [item for item in found if item[0].metric in CLOCK_METRICS]
    answers = {objective.id: NO_DATA for objective, _, _ in found}
    if not clock_ones:
        return answers
    starts = {
        objective.id: _start(objective, calendar, as_of) for objective, _, calendar in clock_ones
    }
    since = min(starts.values()) - timedelta(days=1)
    service_ids = sorted({service_id for _, service_id, _ in clock_ones})
    request_rows = await repository.request_stop_rows(session, service_ids, since)
    incident_rows = await repository.incident_stop_rows(session, service_ids, since)
    records = await repository.incident_clock_records(
        session, sorted({row.incident_id for row in incident_rows})
    )
    policy_services = set(service_ids) | {record.service_id for record in records.values()}
    policies = await repository.policies_by_service_ids(session, sorted(policy_services))
    requests = request_samples(request_rows, policies)
    incident_clocks, acks = incident_samples(incident_rows, records, policies)
    for objective, service_id, _ in clock_ones:
        scope = Scope(
            objective.scope_severity, objective.scope_priority, objective.scope_request_kind
        )
        clocks = [*requests.get(service_id, []), *incident_clocks.get(service_id, [])]
        value = clock_metric_value(
            objective.metric, clocks, acks.get(service_id, []), scope, starts[objective.id], as_of
        )
        got = answer(objective.metric, objective.comparator, objective.target, value)
        answers[objective.id] = replace(got, window=Window(starts[objective.id], as_of))
    return answers
