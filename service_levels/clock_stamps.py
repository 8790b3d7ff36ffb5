"""Stamping the SLA clocks into SQL: each move stores both clocks' business-elapsed seconds
and, while a clock runs after it, when the first running clock breaches; each request and
incident keeps that `breach_at` of its latest move, so "breaching within 4 hours" and
"breached" are plain filters on an indexed column.

Called after a request or incident moves, is filed or changes priority or severity (a domain
event from catalog), and for every open record of a service whose policy changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from catalog.incidents.models import Incident, IncidentStatusChange
from catalog.requests.models import RequestStatusChange, ServiceRequest
from catalog.services.calendar import BusinessCalendar
from service_levels import repository
from service_levels.actions import target_for
from service_levels.clock import (
    INCIDENT_RULES,
    REQUEST_RULES,
    ClockKind,
    ClockRule,
    ClockTerms,
    Phase,
    Transition,
    clock_state,
)
from service_levels.models import ClockPolicy
from service_levels.policy_defaults import ClockSubject
from service_levels.repository import ClockRecord

Move = RequestStatusChange | IncidentStatusChange


@dataclass(frozen=True)
class ClockSetup:
    """Everything a record's two clocks are computed from, apart from its moves."""

    calendar: BusinessCalendar | None
    terms: Mapping[ClockKind, ClockTerms]


def setup_for(
    record: ClockRecord,
    policy: ClockPolicy | None,
    rules: Mapping[ClockKind, ClockRule],
    warning: float = 75.0,
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


def _stamp_rows(moves: Sequence[Move], setup: ClockSetup) -> tuple[list[dict[str, Any]], Any]:
    """The stamps of every move, and the record's breach_at (that of its last move)."""
    transitions = transitions_of(moves)
    rows: list[dict[str, Any]] = []
    breach: datetime | None = None
    for index, move in enumerate(moves):
        seen = transitions[: index + 1]
        states = {
            kind: clock_state(seen, setup.calendar, setup.terms[kind], move.at)
            for kind in ClockKind
        }
        running = [
            state.breach_at
            for state in states.values()
            if state is not None and state.phase is Phase.RUNNING and state.breach_at is not None
        ]
        breach = min(running) if running else None
        response, resolution = states[ClockKind.RESPONSE], states[ClockKind.RESOLUTION]
        rows.append(
            {
                "move_id": move.id,
                "response": int(response.elapsed.total_seconds()) if response else None,
                "resolution": int(resolution.elapsed.total_seconds()) if resolution else None,
                "breach": breach,
            }
        )
    return rows, breach


async def _restamp(
    session: AsyncSession,
    records: Mapping[uuid.UUID, ClockRecord],
    moves: Mapping[uuid.UUID, Sequence[Move]],
    rules: Mapping[ClockKind, ClockRule],
    move_model: type[Move],
    record_model: type[ServiceRequest | Incident],
) -> None:
    policies = await repository.policies_by_service_ids(
        session, sorted({record.service_id for record in records.values()})
    )
    move_rows: list[dict[str, Any]] = []
    breaches: list[dict[str, Any]] = []
    for record_id, record in records.items():
        own = moves.get(record_id, [])
        if not own:
            continue
        # Stamps hold no warning time: the warning threshold does not matter here.
        setup = setup_for(record, policies.get(record.service_id), rules)
        rows, breach = _stamp_rows(own, setup)
        for move, row in zip(own, rows, strict=True):
            set_committed_value(move, "response_elapsed_s", row["response"])
            set_committed_value(move, "resolution_elapsed_s", row["resolution"])
            set_committed_value(move, "breach_at", row["breach"])
        move_rows.extend(rows)
        breaches.append({"record_id": record_id, "breach": breach})
    await repository.write_move_stamps(session, cast(Table, move_model.__table__), move_rows)
    await repository.write_record_breaches(session, cast(Table, record_model.__table__), breaches)
    for item in breaches:
        # Keep a record this session already holds in step, without making it dirty.
        found = session.identity_map.get(identity_key(record_model, item["record_id"]))
        if found is not None:
            set_committed_value(found, "breach_at", item["breach"])


async def restamp_requests(session: AsyncSession, request_ids: Sequence[uuid.UUID]) -> None:
    """Stamp every move of these requests, and their breach_at, from their clocks."""
    if not request_ids:
        return
    records = await repository.request_clock_records(session, request_ids)
    moves = await repository.request_moves(session, request_ids)
    await _restamp(
        session,
        records,
        moves,
        REQUEST_RULES,
        RequestStatusChange,
        ServiceRequest,
    )


async def restamp_incidents(session: AsyncSession, incident_ids: Sequence[uuid.UUID]) -> None:
    """Stamp every move of these incidents, and their breach_at, from their clocks."""
    if not incident_ids:
        return
    records = await repository.incident_clock_records(session, incident_ids)
    moves = await repository.incident_moves(session, incident_ids)
    await _restamp(
        session,
        records,
        moves,
        INCIDENT_RULES,
        IncidentStatusChange,
        Incident,
    )


async def restamp_service(session: AsyncSession, service_id: uuid.UUID) -> None:
    """Re-stamp the open requests and incidents of a service whose calendar or policy changed."""
    await restamp_requests(session, await repository.open_request_ids(session, service_id))
    await restamp_incidents(session, await repository.open_incident_ids(session, service_id))
