"""The service request status table, row by row: moves, who makes them, the reopen window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from work.requests.models import RequestStatus as S
from work.requests.transitions import (
    ESCALATE,
    Party,
    allowed_next,
    describe,
    may_make,
    move_of,
    refusal_message,
    within_reopen_window,
)

AGENT, OWNER, ASSIGNEE, REQUESTER = (
    Party.SUPPORT_AGENT,
    Party.OWNER_TEAM,
    Party.ASSIGNEE,
    Party.REQUESTER,
)
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)

# (from, to, who, via): the table of SPEC.md.
TABLE = [
    (S.NEW, S.TRIAGED, {AGENT, OWNER}, None),
    (S.NEW, S.REJECTED, {AGENT, OWNER}, None),
    (S.TRIAGED, S.IN_PROGRESS, {AGENT, OWNER}, None),
    (S.TRIAGED, S.ESCALATED_TO_VENDOR, {AGENT, OWNER}, ESCALATE),
    (S.TRIAGED, S.ASSIGNED_TO_BACKLOG, {AGENT, OWNER}, None),
    (S.TRIAGED, S.REJECTED, {AGENT, OWNER}, None),
    (S.IN_PROGRESS, S.WAITING_ON_REQUESTER, {ASSIGNEE, OWNER}, None),
    (S.IN_PROGRESS, S.FULFILLED, {ASSIGNEE, OWNER}, None),
    (S.IN_PROGRESS, S.ESCALATED_TO_VENDOR, {ASSIGNEE, OWNER}, ESCALATE),
    (S.WAITING_ON_REQUESTER, S.IN_PROGRESS, {REQUESTER, ASSIGNEE}, None),
    (S.ESCALATED_TO_VENDOR, S.IN_PROGRESS, {ASSIGNEE}, None),
    (S.ESCALATED_TO_VENDOR, S.FULFILLED, {ASSIGNEE}, None),
    (S.FULFILLED, S.CLOSED, {REQUESTER, ASSIGNEE}, None),
    (S.FULFILLED, S.IN_PROGRESS, {REQUESTER, ASSIGNEE}, None),
]


@pytest.mark.parametrize(("before", "after", "who", "via"), TABLE)
def test_each_move_is_made_by_the_parties_of_the_table(
    before: S, after: S, who: set[Party], via: str | None
) -> None:
    move = move_of(before, after)

    assert move is not None
    assert (set(move.parties), move.via, move.automatic) == (who, via, False)
    for party in Party:
        assert may_make(move, frozenset({party}), admin=False) is (party in who)
    assert may_make(move, frozenset(), admin=True)


def test_fulfilment_from_the_backlog_is_automatic_only() -> None:
    move = move_of(S.ASSIGNED_TO_BACKLOG, S.FULFILLED)

    assert move is not None
    assert move.automatic
    assert not may_make(move, frozenset(Party), admin=True)


def test_no_other_move_exists() -> None:
    listed = {(before, after) for before, after, _, _ in TABLE}
    listed.add((S.ASSIGNED_TO_BACKLOG, S.FULFILLED))
    for before in S:
        for after in S:
            assert (move_of(before, after) is not None) is ((before, after) in listed)


@pytest.mark.parametrize("status", [S.CLOSED, S.REJECTED])
def test_closed_and_rejected_are_final(status: S) -> None:
    assert allowed_next(status) == ()


def test_reopen_is_allowed_for_fourteen_days() -> None:
    assert within_reopen_window(NOW - timedelta(days=14), NOW)
    assert not within_reopen_window(NOW - timedelta(days=14, seconds=1), NOW)
    assert not within_reopen_window(None, NOW)


def test_a_refusal_names_the_allowed_next_states() -> None:
    assert refusal_message(S.NEW, S.FULFILLED) == (
        "a NEW request cannot become FULFILLED; allowed next: TRIAGED, REJECTED"
    )


def test_a_refusal_names_the_mutation_making_the_move() -> None:
    assert refusal_message(S.TRIAGED, S.ESCALATED_TO_VENDOR) == (
        "a TRIAGED request cannot become ESCALATED_TO_VENDOR except by"
        " escalateToSalesforceSupport; allowed next: IN_PROGRESS, ESCALATED_TO_VENDOR,"
        " ASSIGNED_TO_BACKLOG, REJECTED"
    )


def test_a_late_reopen_is_refused_naming_what_is_left() -> None:
    assert refusal_message(S.FULFILLED, S.IN_PROGRESS, reopen_expired=True) == (
        "a FULFILLED request cannot become IN_PROGRESS after 14 days; allowed next: CLOSED"
    )


def test_parties_are_described_for_refusals() -> None:
    assert describe(frozenset({OWNER, AGENT})) == "support agents and the owner team"
    assert describe(frozenset({ASSIGNEE})) == "the assignee"
