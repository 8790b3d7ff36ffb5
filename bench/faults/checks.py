"""After the run: the client's log against the database, the receiver and the clock.

Each check is a `Check` (passed or not, with its figures). Writes are found by what the
client put in them: a feedback's title and a transition's note hold a fresh UUID, an
incident's title too, so a row written twice shows as a title or note counted twice.
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from bench.faults.journal import Journal, Outcome
from bench.faults.schedule import Happened, phase_of

RECOVERY_TARGET_S = 5.0
# Reads that need PostgreSQL: the first of them answered after a restart marks recovery.
DATABASE_READS = frozenset({"page", "service", "service_live"})


@dataclass
class Check:
    name: str
    passed: bool
    figures: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "figures": self.figures}


def uuid_of(global_id: str) -> str:
    padded = global_id + "=" * (-len(global_id) % 4)
    return base64.urlsafe_b64decode(padded).decode().split(":", 1)[1]


async def _counts(connection: asyncpg.Connection, query: str) -> dict[str, list[str]]:
    """Each title or note the run wrote, with the ids of the rows holding it."""
    return {row["label"]: [str(i) for i in row["ids"]] for row in await connection.fetch(query)}


def exactly_once(
    name: str,
    acknowledged: dict[str, str],
    found: dict[str, list[str]],
    unacknowledged: Sequence[str],
) -> Check:
    missing = [label for label in acknowledged if label not in found]
    doubled = [label for label, ids in found.items() if len(ids) > 1]
    wrong = [
        label
        for label, expected in acknowledged.items()
        if label in found and expected and uuid_of(expected) not in found[label]
    ]
    ambiguous_stored = [label for label in unacknowledged if label in found]
    return Check(
        name,
        passed=not missing and not doubled and not wrong,
        figures={
            "acknowledged": len(acknowledged),
            "rows": sum(len(ids) for ids in found.values()),
            "missing": len(missing),
            "doubled": len(doubled),
            "other_id_than_acknowledged": len(wrong),
            "unacknowledged_attempts": len(unacknowledged),
            "unacknowledged_but_stored": len(ambiguous_stored),
            "examples": (missing + doubled + wrong)[:5],
        },
    )


async def writes(connection: asyncpg.Connection, journal: Journal) -> list[Check]:
    feedback = await _counts(
        connection,
        "SELECT substr(title, 7) AS label, array_agg(id) AS ids FROM feedback"
        " WHERE title LIKE 'fault fault-%' GROUP BY title",
    )
    transitions = await _counts(
        connection,
        "SELECT note AS label, array_agg(request_id) AS ids FROM service_request_status_change"
        " WHERE note LIKE 'fault %' GROUP BY note",
    )
    incidents = await _counts(
        connection,
        "SELECT title AS label, array_agg(id) AS ids FROM incident"
        " WHERE title LIKE 'fault %' GROUP BY title",
    )
    moves = {move["note"]: move["request"] for move in journal.transitions}
    replays = [key for key, same in journal.replays if not same]
    checks = [
        exactly_once(
            "feedback: every acknowledged submission stored once",
            journal.feedback,
            feedback,
            journal.unacknowledged.get("feedback", []),
        ),
        exactly_once(
            "transitions: every acknowledged move recorded once",
            moves,
            transitions,
            journal.unacknowledged.get("transition", []),
        ),
        exactly_once(
            "incidents: every acknowledged report opened one incident",
            journal.incidents,
            incidents,
            journal.unacknowledged.get("incident", []),
        ),
        Check(
            "feedback: a key sent again replays the same answer",
            not replays,
            {"replayed": len(journal.replays), "different": len(replays)},
        ),
    ]
    return checks


def latency(outcomes: Sequence[Outcome], timeout_s: float) -> Check:
    worst: dict[str, float] = {}
    for outcome in outcomes:
        worst[outcome.kind] = max(worst.get(outcome.kind, 0.0), outcome.elapsed)
    over = [outcome for outcome in outcomes if outcome.elapsed > timeout_s]
    return Check(
        f"no request past the execution timeout ({timeout_s:g} s)",
        passed=not over,
        figures={
            "max_s_by_kind": {kind: round(value, 3) for kind, value in sorted(worst.items())},
            "over": len(over),
            "requests": len(outcomes),
            "slowest": [
                f"{o.kind} at {o.started:.1f} s: {o.elapsed:.2f} s, {o.status} {','.join(o.codes)}"
                for o in sorted(outcomes, key=lambda o: -o.elapsed)[:5]
            ],
        },
    )


def recovery(outcomes: Sequence[Outcome], happened: Sequence[Happened]) -> list[Check]:
    """Per restart: from PostgreSQL accepting again to the API's first answered read."""
    checks = []
    reads = sorted(
        (o for o in outcomes if o.kind in DATABASE_READS and o.answered), key=lambda o: o.ended
    )
    for restart in (fault for fault in happened if fault.restart is not None):
        first = next(
            (o for o in reads if o.started >= restart.started and o.ended >= restart.ended), None
        )
        seconds = None if first is None else round(max(0.0, first.ended - restart.ended), 3)
        failed = sum(
            1
            for o in outcomes
            if o.kind in DATABASE_READS
            and not o.answered
            and o.started >= restart.started
            and (first is None or o.started <= first.ended)
        )
        checks.append(
            Check(
                f"API reads again ≤ {RECOVERY_TARGET_S:g} s after PostgreSQL {restart.restart}"
                " restart",
                passed=seconds is not None and seconds <= RECOVERY_TARGET_S,
                figures={
                    "restart_took_s": round(restart.ended - restart.started, 3),
                    "recovery_s": seconds,
                    "reads_failed_meanwhile": failed,
                },
            )
        )
    return checks


def salesforce(journal: Journal, happened: Sequence[Happened], grace_s: float) -> list[Check]:
    """Each bad spell: SALESFORCE_UNAVAILABLE within it, and a real value again after it.

    A value cached just before a spell may still be served for the cache's TTL; `grace_s`.
    """
    checks = []
    spells = _spells(happened, end=journal.now())
    for number, (name, start, end) in enumerate(spells):
        inside = [p for p in journal.probes if start + grace_s <= p[0] < end]
        unavailable = [p for p in inside if "SALESFORCE_UNAVAILABLE" in p[2]]
        values_inside = [p for p in inside if p[1]]
        # Back before the next spell, else the recovery from this one went unseen.
        until = spells[number + 1][1] if number + 1 < len(spells) else journal.now()
        back = next((p for p in journal.probes if end <= p[0] < until and p[1]), None)
        degraded_at = next((p[0] for p in journal.probes if p[0] >= start and not p[1]), None)
        checks.append(
            Check(
                f"salesforce {name}: SALESFORCE_UNAVAILABLE, then values again",
                passed=bool(unavailable) and not values_inside and back is not None,
                figures={
                    "spell_s": [round(start, 1), round(end, 1)],
                    "probes_in_spell": len(inside),
                    "unavailable": len(unavailable),
                    "values_in_spell": len(values_inside),
                    "first_degraded_after_s": None
                    if degraded_at is None
                    else round(degraded_at - start, 2),
                    "value_back_after_s": None if back is None else round(back[0] - end, 2),
                    "other_codes": dict(
                        Counter(c for p in inside for c in p[2] if c != "SALESFORCE_UNAVAILABLE")
                    ),
                },
            )
        )
    return checks


def _spells(happened: Sequence[Happened], end: float) -> list[tuple[str, float, float]]:
    """Stretches where Salesforce was not healthy: (name, start, end)."""
    spells: list[tuple[str, float, float]] = []
    current: tuple[str, float] | None = None
    for fault in happened:
        if fault.weather is None:
            continue
        healthy = fault.weather.value == "healthy"
        if current is None and not healthy:
            current = (fault.weather.value, fault.ended)
        elif current is not None and not healthy:
            current = (f"{current[0]}+{fault.weather.value}", current[1])
        elif current is not None and healthy:
            spells.append((current[0], current[1], fault.ended))
            current = None
    if current is not None:
        spells.append((current[0], current[1], end))
    return spells


async def deliveries(
    connection: asyncpg.Connection, channel_id: str, received: Counter[str], journal: Journal
) -> Check:
    rows = await connection.fetch(
        "SELECT id::text, status::text, attempts, event_key FROM notification_delivery"
        " WHERE channel_id = $1",
        uuid_of(channel_id),
    )
    stored = {row["id"]: row for row in rows}
    undelivered = [key for key, row in stored.items() if row["status"] != "DELIVERED"]
    lost = [key for key in stored if received[key] == 0]
    doubled = {key: count for key, count in received.items() if count > 1}
    strangers = [key for key in received if key not in stored]
    keys = {row["event_key"] for row in rows}
    incidents_without = [
        title
        for title, incident in journal.incidents.items()
        if f"incident-opened:{uuid_of(incident)}" not in keys
    ]
    return Check(
        "deliveries: every outbox row delivered once (by webhook-id)",
        passed=not (undelivered or lost or doubled or strangers or incidents_without),
        figures={
            "outbox_rows": len(stored),
            "received": sum(received.values()),
            "undelivered": len(undelivered),
            "lost": len(lost),
            "doubled": len(doubled),
            "unknown_ids": len(strangers),
            "acknowledged_incidents_without_delivery": len(incidents_without),
            "max_attempts": max((row["attempts"] for row in rows), default=0),
        },
    )


def _failure(outcome: Outcome) -> str | None:
    """How a request failed: no answer, its 4xx/5xx status, or its GraphQL errors' codes."""
    if outcome.status == 0:
        return "no answer"
    if outcome.status >= 400:
        return f"{outcome.status // 100}xx"
    codes = sorted(set(outcome.codes))
    return f"GraphQL {'+'.join(codes)}" if codes else None


def errors_by_phase(outcomes: Sequence[Outcome], happened: Sequence[Happened]) -> dict[str, Any]:
    """Per stretch of the run (the one each request ended in, where a fault beginning meanwhile
    shows): requests, and failures by how they failed and request kind."""
    table: dict[str, Counter[str]] = {}
    for outcome in outcomes:
        counts = table.setdefault(phase_of(outcome.ended, happened), Counter())
        counts["requests"] += 1
        failure = _failure(outcome)
        if failure is not None:
            counts[f"{failure} ({outcome.kind})"] += 1
    return {phase: dict(counts) for phase, counts in table.items()}


def failure_examples(outcomes: Sequence[Outcome], happened: Sequence[Happened]) -> list[str]:
    """One line per distinct failure (phase, kind, how, why), with how often it happened."""
    seen: Counter[tuple[str, str, str, str]] = Counter()
    for outcome in outcomes:
        failure = _failure(outcome)
        if failure is not None and failure != "GraphQL SALESFORCE_UNAVAILABLE":
            phase = phase_of(outcome.ended, happened)
            seen[(phase, outcome.kind, failure, outcome.detail[:160])] += 1
    return [
        f"{count} x {phase} / {kind} / {how}: {why}"
        for (phase, kind, how, why), count in sorted(seen.items())
    ]
