"""The fault run's checks fail when they should: a write lost or doubled, a slow answer, a
late recovery, Salesforce values during a spell (bench/faults/checks.py; no processes)."""

from __future__ import annotations

import base64

from bench.faults import checks
from bench.faults.journal import Journal, Outcome
from bench.faults.salesforce import Weather
from bench.faults.schedule import Happened


def _gid(kind: str, key: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode().rstrip("=")


def test_exactly_once_passes_only_when_every_acknowledged_write_is_stored_once() -> None:
    acknowledged = {"a": _gid("Feedback", "1"), "b": _gid("Feedback", "2")}

    stored = checks.exactly_once("writes", acknowledged, {"a": ["1"], "b": ["2"]}, [])
    lost = checks.exactly_once("writes", acknowledged, {"a": ["1"]}, [])
    doubled = checks.exactly_once("writes", acknowledged, {"a": ["1"], "b": ["2", "3"]}, [])
    other = checks.exactly_once("writes", acknowledged, {"a": ["1"], "b": ["9"]}, [])
    unanswered = checks.exactly_once(
        "writes", acknowledged, {"a": ["1"], "b": ["2"], "c": ["3"]}, ["c"]
    )

    assert stored.passed
    assert unanswered.passed
    assert unanswered.figures["unacknowledged_but_stored"] == 1
    assert (lost.passed, lost.figures["missing"]) == (False, 1)
    assert (doubled.passed, doubled.figures["doubled"]) == (False, 1)
    assert (other.passed, other.figures["other_id_than_acknowledged"]) == (False, 1)


def test_latency_fails_past_the_execution_timeout_and_names_the_slowest_per_kind() -> None:
    outcomes = [
        Outcome("page", 0, 0.2, 200),
        Outcome("page", 1, 10.5, 200),
        Outcome("typename", 1, 0.1, 200),
    ]

    check = checks.latency(outcomes, timeout_s=10)

    assert not check.passed
    assert check.figures["max_s_by_kind"] == {"page": 10.5, "typename": 0.1}
    assert checks.latency(outcomes[:1], timeout_s=10).passed


def test_recovery_is_measured_from_postgresql_accepting_to_the_first_answered_read() -> None:
    restart = Happened("postgres restart fast", 10.0, 12.0, None, "fast")
    outcomes = [
        Outcome("page", 10.5, 0.1, 500),
        Outcome("typename", 12.1, 0.1, 200),  # needs no database: not a sign of recovery
        Outcome("service", 13.0, 0.5, 200),
    ]

    prompt = checks.recovery(outcomes, [restart])
    late = checks.recovery([*outcomes[:2], Outcome("page", 17.0, 0.5, 200)], [restart])

    assert prompt[0].passed
    assert prompt[0].figures["recovery_s"] == 1.5
    assert prompt[0].figures["reads_failed_meanwhile"] == 1
    assert not late[0].passed
    assert late[0].figures["recovery_s"] == 5.5


def test_salesforce_spell_needs_unavailable_inside_and_a_value_before_the_next_spell() -> None:
    happened = [
        Happened("salesforce failing", 10, 10, Weather.FAILING, None),
        Happened("salesforce healthy", 20, 20, Weather.HEALTHY, None),
        Happened("salesforce slow", 40, 40, Weather.SLOW, None),
        Happened("salesforce healthy", 50, 50, Weather.HEALTHY, None),
    ]
    journal = Journal(started_at=0)
    unavailable = ("SALESFORCE_UNAVAILABLE",)
    journal.probes = [(15, False, unavailable), (25, False, unavailable), (30, True, ()),
                      (45, True, ()), (55, True, ())]  # fmt: skip

    failing, slow = checks.salesforce(journal, happened, grace_s=2)

    assert failing.passed
    assert failing.figures["value_back_after_s"] == 10
    # A value while Salesforce was slow is a value not degraded: the check fails.
    assert not slow.passed
    assert slow.figures["values_in_spell"] == 1
