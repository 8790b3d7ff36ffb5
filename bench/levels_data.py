"""Service levels for the bench catalog: SLAs and their objectives, incidents with every move,
service requests with stamped clocks. Capabilities of bench.generator.

Every record lies within the ~60 days before the seeding moment, and every move happens at
least a minute before it: a roll-up asked `asOf` that moment (the KPI workload) answers the
same all run long. Incidents acknowledge before they mitigate, and no request or incident is
reopened, so each clock stops once (the KPI reference relies on it). Clocks are stamped in
wall-clock seconds, against the tier's default targets.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from service_levels.policy_defaults import DEFAULT_TARGETS, ClockSubject
from work.requests.priority import priority

if TYPE_CHECKING:
    from bench.generator import Dataset

Row = dict[str, Any]
HOUR = 3600
DAYS_BACK = 60

# Metric -> comparator and the targets drawn from: the data below gives each a mix of met,
# at-risk and breached (and no data where nothing happened in the window).
_OBJECTIVES: dict[str, tuple[str, tuple[float, ...]]] = {
    "MTTR": ("AT_MOST", (1 * HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR)),
    "AVAILABILITY": ("AT_LEAST", (0.99, 0.995, 0.999)),
    "TIME_TO_ACKNOWLEDGE": ("AT_MOST", (900, 1800, 3600)),
    "SATISFACTION": ("AT_LEAST", (3.0, 3.5, 4.0)),
    "DEFECTS_RAISED": ("AT_MOST", (1.0, 2.0, 3.0)),
    "CLOCK_ATTAINMENT": ("AT_LEAST", (0.8, 0.9, 0.95)),
}
_WINDOWS = (("ROLLING_DAYS", 30), ("ROLLING_DAYS", 7), ("CALENDAR_MONTH", None),
            ("CALENDAR_QUARTER", None))  # fmt: skip
_SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
_SOURCES = ("MONITORING", "USER_REPORT", "SALESFORCE_TRUST", "SECURITY")
_INCIDENT_MOVES = ("DETECTED", "ACKNOWLEDGED", "MITIGATED", "RESOLVED", "CLOSED")
_REQUEST_KINDS = ("ACCESS", "CHANGE", "DATA", "QUESTION", "DEFECT", "DEFECT")
_LEVELS = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
_REQUEST_MOVES = ("NEW", "TRIAGED", "IN_PROGRESS", "FULFILLED", "CLOSED")


def slas(data: Dataset) -> None:
    """An SLA on most services (a few archived), of 1-3 objectives on distinct metrics."""
    rng = data.rng
    for service in data.rows("service"):
        if rng.random() > 0.85:
            continue
        sla = {
            "id": data.new_id(),
            "service_id": service["id"],
            "name": f"{service['slug']} agreement",
            "description": "",
            "review_interval_days": rng.choice((90, 180)),
            "last_reviewed_at": data.moment(rng.randint(5, 60) + 0.5),
            "archived_at": data.moment(4) if rng.random() < 0.03 else None,
            **data.stamps(rng.randint(90, 300) + 0.5),
        }
        data.rows("sla").append(sla)
        for position, metric in enumerate(rng.sample(list(_OBJECTIVES), rng.randint(1, 3))):
            comparator, targets = _OBJECTIVES[metric]
            kind, days = rng.choice(_WINDOWS)
            target = rng.choice(targets)
            data.rows("objective").append(
                {
                    "id": data.new_id(),
                    "sla_id": sla["id"],
                    "position": position,
                    "metric": metric,
                    "comparator": comparator,
                    "target": target,
                    "benchmark_value": target if rng.random() < 0.5 else None,
                    "benchmark_date": (data.now - timedelta(days=180)).date(),
                    "window_kind": kind,
                    "window_days": days,
                    "scope_severity": None,
                    "scope_priority": None,
                    "scope_request_kind": None,
                    "created_at": sla["created_at"],
                    "updated_at": sla["updated_at"],
                    "version": 1,
                }
            )


def _elapsed(begun: datetime, at: datetime, stop: datetime | None) -> int:
    """Seconds a clock ran by `at`, stopping at `stop` (24x7: wall-clock seconds)."""
    end = at if stop is None or stop > at else stop
    return int((end - begun).total_seconds())


def _moves(
    data: Dataset, times: list[datetime], names: tuple[str, ...]
) -> tuple[list[tuple[str | None, str, datetime]], int]:
    """The moves reached before the seeding moment (each a minute clear of it)."""
    limit = data.now - timedelta(minutes=1)
    reached = [(names[0], times[0])]
    for name, at in zip(names[1:], times[1:], strict=False):
        if at >= limit:
            break
        reached.append((name, at))
    moves = [
        (None if index == 0 else reached[index - 1][0], name, at)
        for index, (name, at) in enumerate(reached)
    ]
    return moves, len(reached)


def _clock_columns(
    begun: datetime,
    at: datetime,
    response_stop: datetime | None,
    resolution_stop: datetime | None,
    targets: tuple[int, int],
) -> Row:
    return {
        "response_elapsed_s": _elapsed(begun, at, response_stop),
        "resolution_elapsed_s": _elapsed(begun, at, resolution_stop),
        "response_target_s": targets[0],
        "resolution_target_s": targets[1],
        "breach_at": None,
        "warning_at": None,
    }


def _incident_times(data: Dataset, severity: str) -> list[datetime]:
    rng = data.rng
    detected = data.moment(rng.uniform(0.05, DAYS_BACK))
    quick = severity in ("SEV1", "SEV2")
    acknowledged = detected + timedelta(seconds=rng.randint(60, (45 if quick else 150) * 60))
    mitigated = acknowledged + timedelta(seconds=rng.randint(600, (8 if quick else 14) * HOUR))
    resolved = mitigated + timedelta(seconds=rng.randint(0, 24 * HOUR))
    closed = resolved + timedelta(seconds=rng.randint(HOUR, 3 * 24 * HOUR))
    return [detected, acknowledged, mitigated, resolved, closed]


def incidents(data: Dataset) -> None:
    """0-3 incidents a service over the last 60 days (one in ten also hitting another service),
    a few SEV1/SEV2 outages, each with its moves and people-hours once resolved."""
    rng = data.rng
    services, people = data.rows("service"), data.rows("person")
    count = 0
    for service in services:
        for _ in range(rng.choice((0, 0, 1, 1, 1, 2, 3))):
            severity = rng.choices(_SEVERITIES, weights=(3, 10, 45, 42))[0]
            times = _incident_times(data, severity)
            moves, reached = _moves(data, times, _INCIDENT_MOVES)
            at = dict(zip(_INCIDENT_MOVES, times[:reached], strict=False))
            hit = [service]
            if rng.random() < 0.1:
                other = rng.choice(services)
                if other is not service:
                    hit.append(other)
            worst = min(hit, key=lambda one: one["tier"])
            targets = DEFAULT_TARGETS[worst["tier"]][ClockSubject(severity)]
            incident = {
                "id": data.new_id(),
                "title": f"Incident {count} on {service['slug']}",
                "severity": severity,
                "source": rng.choice(_SOURCES),
                "alert_key": f"bench-alert-{count}",
                "alert_count": rng.randint(1, 5),
                "last_alert_at": at["DETECTED"],
                "status": moves[-1][1],
                "value_stream": "DETECT_TO_CORRECT",
                "commander_id": rng.choice(people)["id"],
                "root_cause": "A bad deployment." if "RESOLVED" in at else None,
                "people_hours": round(rng.uniform(0.5, 40), 1) if "RESOLVED" in at else None,
                "detected_at": at["DETECTED"],
                "acknowledged_at": at.get("ACKNOWLEDGED"),
                "mitigated_at": at.get("MITIGATED"),
                "resolved_at": at.get("RESOLVED"),
                "closed_at": at.get("CLOSED"),
                "status_changed_at": moves[-1][2],
                "breach_at": None,
                "warning_at": None,
                "created_at": at["DETECTED"],
                "updated_at": moves[-1][2],
                "version": len(moves),
            }
            count += 1
            data.rows("incident").append(incident)
            for one in hit:
                data.rows("incident_service").append(
                    {"incident_id": incident["id"], "service_id": one["id"]}
                )
            for before, after, moved in moves:
                data.rows("incident_status_change").append(
                    {
                        "incident_id": incident["id"],
                        "from_status": before,
                        "to_status": after,
                        "at": moved,
                        "recorded_at": moved,
                        "actor": "bench",
                        "note": None,
                        **_clock_columns(
                            at["DETECTED"],
                            moved,
                            at.get("ACKNOWLEDGED"),
                            at.get("MITIGATED"),
                            targets,
                        ),
                    }
                )


def _request_times(data: Dataset) -> list[datetime]:
    rng = data.rng
    created = data.moment(rng.uniform(0.05, DAYS_BACK))
    triaged = created + timedelta(seconds=rng.randint(300, 10 * HOUR))
    started = triaged + timedelta(seconds=rng.randint(60, 4 * HOUR))
    fulfilled = started + timedelta(seconds=rng.randint(HOUR, 5 * 24 * HOUR))
    closed = fulfilled + timedelta(seconds=rng.randint(HOUR, 3 * 24 * HOUR))
    return [created, triaged, started, fulfilled, closed]


def requests(data: Dataset) -> None:
    """0-3 requests a service over the last 60 days (a third of them defects), each with its
    moves and the response and resolution clocks stamped on every move."""
    rng = data.rng
    people = data.rows("person")
    count = 0
    for service in data.rows("service"):
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            impact, urgency = rng.choice(_LEVELS), rng.choice(_LEVELS)
            level = priority(impact, urgency)  # type: ignore[arg-type]
            times = _request_times(data)
            moves, reached = _moves(data, times, _REQUEST_MOVES)
            at = dict(zip(_REQUEST_MOVES, times[:reached], strict=False))
            targets = DEFAULT_TARGETS[service["tier"]][ClockSubject(level)]
            request = {
                "id": data.new_id(),
                "service_id": service["id"],
                "requester_id": rng.choice(people)["id"],
                "title": f"Request {count} on {service['slug']}",
                "body": "Please help.",
                "kind": rng.choice(_REQUEST_KINDS),
                "impact": impact,
                "urgency": urgency,
                "priority": str(level),
                "estimated_duration_seconds": None,
                "assignee_id": rng.choice(people)["id"] if "TRIAGED" in at else None,
                "support_tier": "L1",
                "value_stream": "REQUEST_TO_FULFIL",
                "status": moves[-1][1],
                "vendor_case_number": None,
                "vendor_case_id": None,
                "vendor_org_id": None,
                "backlog_item_id": None,
                "fulfilled_at": at.get("FULFILLED"),
                "breach_at": None,
                "warning_at": None,
                "created_at": at["NEW"],
                "updated_at": moves[-1][2],
                "version": len(moves),
            }
            count += 1
            data.rows("service_request").append(request)
            for before, after, moved in moves:
                data.rows("service_request_status_change").append(
                    {
                        "request_id": request["id"],
                        "from_status": before,
                        "to_status": after,
                        "at": moved,
                        "actor": "bench",
                        "note": None,
                        **_clock_columns(
                            at["NEW"], moved, at.get("TRIAGED"), at.get("FULFILLED"), targets
                        ),
                    }
                )
