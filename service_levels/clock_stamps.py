"""Stamping the SLA clocks into SQL: each move stores both clocks' business-elapsed seconds,
the targets then in force and, while a clock runs after it, when the first running clock
warns and breaches; each request and incident keeps the `warning_at` and `breach_at` of its
latest move, so "breaching within 4 hours", "breached" and "in warning" are plain filters.

Called after a request or incident moves, is filed or changes priority or severity (a domain
event from catalog), for every open record of a service whose policy changed, and by the
`clock-restamp` job for records whose stamps are missing or older than their terms.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from catalog.services.calendar import BusinessCalendar
from service_levels import repository
from service_levels.clock import (
    DEFAULT_WARNING_PERCENT,
    INCIDENT_RULES,
    REQUEST_RULES,
    ClockKind,
    ClockRule,
    ClockState,
    ClockTerms,
    Phase,
    Transition,
    clock_state,
)
from service_levels.models import ClockPolicy
from service_levels.policy_defaults import ClockSubject, target_for
from service_levels.repository import ClockRecord
from work.incidents.models import Incident, IncidentStatusChange
from work.requests.models import RequestStatusChange, ServiceRequest

Move = RequestStatusChange | IncidentStatusChange

# CATALOG_SLA_WARNING_PERCENT, set at start-up (server.subscribers.wire): stamps are written by
# domain-event handlers, which get a session but no settings.
_warning_percent = DEFAULT_WARNING_PERCENT


def configure(*, warning_percent: float) -> None:
    """Set the warning threshold that stamps use when their caller names none."""
    global _warning_percent
    _warning_percent = warning_percent


@dataclass(frozen=True)
class ClockSetup:
    """Everything a record's two clocks are computed from, apart from its moves."""

    calendar: BusinessCalendar | None
    terms: Mapping[ClockKind, ClockTerms]


def setup_for(
    record: ClockRecord,
    policy: ClockPolicy | None,
    rules: Mapping[ClockKind, ClockRule],
    warning: float = DEFAULT_WARNING_PERCENT,
) -> ClockSetup:
    targets = target_for(
        record.tier, policy.targets if policy else {}, ClockSubject(record.subject)
    ).targets
    seconds = {ClockKind.RESPONSE: targets.response, ClockKind.RESOLUTION: targets.resolution}
    calendar = BusinessCalendar.from_json(record.calendar) if record.calendar else None
    return ClockSetup(
        calendar=calendar,
        terms={
            kind: ClockTerms(rules[kind], timedelta(seconds=seconds[kind]), warning)
            for kind in ClockKind
        },
    )


def transitions_of(moves: Sequence[Move]) -> list[Transition]:
    return [Transition(move.at, str(move.to_status)) for move in moves]


def _earliest(instants: Iterable[datetime | None]) -> datetime | None:
    known = [instant for instant in instants if instant is not None]
    return min(known) if known else None


def _elapsed(state: ClockState | None) -> int | None:
    return int(state.elapsed.total_seconds()) if state is not None else None


def _stamp_rows(moves: Sequence[Move], setup: ClockSetup) -> list[dict[str, Any]]:
    """The stamps of every move: both clocks' elapsed seconds and targets, and when the first
    clock still running after the move warns and breaches."""
    transitions = transitions_of(moves)
    targets = {kind: int(setup.terms[kind].target.total_seconds()) for kind in ClockKind}
    rows: list[dict[str, Any]] = []
    for index, move in enumerate(moves):
        seen = transitions[: index + 1]
        states = {
            kind: clock_state(seen, setup.calendar, setup.terms[kind], move.at)
            for kind in ClockKind
        }
        running = [
            state for state in states.values() if state is not None and state.phase is Phase.RUNNING
        ]
        rows.append(
            {
                "move_id": move.id,
                "response": _elapsed(states[ClockKind.RESPONSE]),
                "resolution": _elapsed(states[ClockKind.RESOLUTION]),
                "response_target": targets[ClockKind.RESPONSE],
                "resolution_target": targets[ClockKind.RESOLUTION],
                "warning": _earliest(state.warning_at for state in running),
                "breach": _earliest(state.breach_at for state in running),
            }
        )
    return rows


_MOVE_ATTRIBUTES = {
    "response": "response_elapsed_s",
    "resolution": "resolution_elapsed_s",
    "response_target": "response_target_s",
    "resolution_target": "resolution_target_s",
    "warning": "warning_at",
    "breach": "breach_at",
}


async def _restamp(
    session: AsyncSession,
    records: Mapping[uuid.UUID, ClockRecord],
    moves: Mapping[uuid.UUID, Sequence[Move]],
    rules: Mapping[ClockKind, ClockRule],
    models: tuple[type[Move], type[ServiceRequest | Incident]],
    warning_percent: float | None,
) -> int:
    """Stamp the records' moves and the records; how many records were stamped."""
    move_model, record_model = models
    policies = await repository.policies_by_service_ids(
        session, sorted({record.service_id for record in records.values()})
    )
    percent = _warning_percent if warning_percent is None else warning_percent
    move_rows: list[dict[str, Any]] = []
    record_rows: list[dict[str, Any]] = []
    for record_id, record in records.items():
        own = moves.get(record_id, [])
        if not own:
            continue
        setup = setup_for(record, policies.get(record.service_id), rules, percent)
        rows = _stamp_rows(own, setup)
        for move, row in zip(own, rows, strict=True):
            for key, attribute in _MOVE_ATTRIBUTES.items():
                set_committed_value(move, attribute, row[key])
        move_rows.extend(rows)
        last = rows[-1]
        record_rows.append(
            {"record_id": record_id, "breach": last["breach"], "warning": last["warning"]}
        )
    await repository.write_move_stamps(session, cast(Table, move_model.__table__), move_rows)
    await repository.write_record_stamps(session, cast(Table, record_model.__table__), record_rows)
    for item in record_rows:
        # Keep a record this session already holds in step, without making it dirty.
        found = session.identity_map.get(identity_key(record_model, item["record_id"]))
        if found is not None:
            set_committed_value(found, "breach_at", item["breach"])
            set_committed_value(found, "warning_at", item["warning"])
    return len(record_rows)


async def restamp_requests(
    session: AsyncSession,
    request_ids: Sequence[uuid.UUID],
    *,
    warning_percent: float | None = None,
) -> int:
    """Stamp every move of these requests, and the requests, from their clocks; how many."""
    if not request_ids:
        return 0
    records = await repository.request_clock_records(session, request_ids)
    moves = await repository.request_moves(session, request_ids)
    return await _restamp(
        session,
        records,
        moves,
        REQUEST_RULES,
        (RequestStatusChange, ServiceRequest),
        warning_percent,
    )


async def restamp_incidents(
    session: AsyncSession,
    incident_ids: Sequence[uuid.UUID],
    *,
    warning_percent: float | None = None,
) -> int:
    """Stamp every move of these incidents, and the incidents, from their clocks; how many."""
    if not incident_ids:
        return 0
    records = await repository.incident_clock_records(session, incident_ids)
    moves = await repository.incident_moves(session, incident_ids)
    return await _restamp(
        session,
        records,
        moves,
        INCIDENT_RULES,
        (IncidentStatusChange, Incident),
        warning_percent,
    )


async def restamp_service(session: AsyncSession, service_id: uuid.UUID) -> None:
    """Re-stamp the open requests and incidents of a service whose calendar or policy changed."""
    await restamp_requests(session, await repository.open_request_ids(session, service_id))
    await restamp_incidents(session, await repository.open_incident_ids(session, service_id))
