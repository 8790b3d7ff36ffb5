"""The service request status table of SPEC.md, as data: who makes which move, and how. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from work.requests.models import RequestStatus as S


class Party(StrEnum):
    """How a caller stands towards one request."""

    SUPPORT_AGENT = "SUPPORT_AGENT"
    OWNER_TEAM = "OWNER_TEAM"
    ASSIGNEE = "ASSIGNEE"
    REQUESTER = "REQUESTER"


@dataclass(frozen=True)
class Move:
    parties: frozenset[Party]
    via: str | None = None  # the mutation that makes it, when not transitionServiceRequest
    automatic: bool = False  # made by the catalog itself, never by a caller


ESCALATE = "escalateToSalesforceSupport"
REOPEN_WINDOW = timedelta(days=14)

_TRIAGE = frozenset({Party.SUPPORT_AGENT, Party.OWNER_TEAM})
_WORK = frozenset({Party.ASSIGNEE, Party.OWNER_TEAM})
_BOTH_ENDS = frozenset({Party.REQUESTER, Party.ASSIGNEE})
_ASSIGNEE = frozenset({Party.ASSIGNEE})

TABLE: dict[S, dict[S, Move]] = {
    S.NEW: {S.TRIAGED: Move(_TRIAGE), S.REJECTED: Move(_TRIAGE)},
    S.TRIAGED: {
        S.IN_PROGRESS: Move(_TRIAGE),
        S.ESCALATED_TO_VENDOR: Move(_TRIAGE, via=ESCALATE),
        S.ASSIGNED_TO_BACKLOG: Move(_TRIAGE),
        S.REJECTED: Move(_TRIAGE),
    },
    S.IN_PROGRESS: {
        S.WAITING_ON_REQUESTER: Move(_WORK),
        S.FULFILLED: Move(_WORK),
        S.ESCALATED_TO_VENDOR: Move(_WORK, via=ESCALATE),
    },
    S.WAITING_ON_REQUESTER: {S.IN_PROGRESS: Move(_BOTH_ENDS)},
    S.ESCALATED_TO_VENDOR: {S.IN_PROGRESS: Move(_ASSIGNEE), S.FULFILLED: Move(_ASSIGNEE)},
    S.ASSIGNED_TO_BACKLOG: {S.FULFILLED: Move(frozenset(), automatic=True)},
    S.FULFILLED: {S.CLOSED: Move(_BOTH_ENDS), S.IN_PROGRESS: Move(_BOTH_ENDS)},
}

# Still being worked on: fields may change, the tier may move between L1 and L2.
OPEN = frozenset(
    {
        S.NEW,
        S.TRIAGED,
        S.IN_PROGRESS,
        S.WAITING_ON_REQUESTER,
        S.ESCALATED_TO_VENDOR,
        S.ASSIGNED_TO_BACKLOG,
    }
)
# Flow metrics (service_levels.flow): time in these states is waiting, not work; nobody
# works a request before it is picked up, while the requester, the vendor or the linked
# backlog item has it.
WAITING = frozenset(
    {S.NEW, S.TRIAGED, S.WAITING_ON_REQUESTER, S.ESCALATED_TO_VENDOR, S.ASSIGNED_TO_BACKLOG}
)
# Delivered: the request has left the flow with what it asked for (REJECTED left without).
DELIVERED = frozenset({S.FULFILLED, S.CLOSED})
# Entering these, a request without an assignee is assigned to whoever moved it.
TAKES_AN_ASSIGNEE = frozenset({S.IN_PROGRESS, S.ESCALATED_TO_VENDOR})


def allowed_next(status: S) -> tuple[S, ...]:
    """Every next state of the table, whichever mutation (or the catalog itself) makes it."""
    return tuple(TABLE.get(status, {}))


def move_of(before: S, after: S) -> Move | None:
    return TABLE.get(before, {}).get(after)


def is_reopen(before: S, after: S) -> bool:
    return before is S.FULFILLED and after is S.IN_PROGRESS


def within_reopen_window(fulfilled_at: datetime | None, now: datetime) -> bool:
    """A fulfilled request reopens for 14 days after its fulfilment."""
    return fulfilled_at is not None and now - fulfilled_at <= REOPEN_WINDOW


def may_make(move: Move, parties: frozenset[Party], *, admin: bool) -> bool:
    """Whether a caller standing as `parties` may make the move (ADMIN: any manual move)."""
    if move.automatic:
        return False
    return admin or bool(move.parties & parties)


def describe(parties: frozenset[Party]) -> str:
    """`support agents and the owner team`, for refusals."""
    names = {
        Party.SUPPORT_AGENT: "support agents",
        Party.OWNER_TEAM: "the owner team",
        Party.ASSIGNEE: "the assignee",
        Party.REQUESTER: "the requester",
    }
    listed = [names[party] for party in Party if party in parties]
    return " and ".join([", ".join(listed[:-1]), listed[-1]]) if len(listed) > 1 else listed[0]


def refusal_message(before: S, after: S, *, reopen_expired: bool = False) -> str:
    """INVALID_TRANSITION's message: why not, and the allowed next states."""
    move = move_of(before, after)
    allowed = [
        state for state in allowed_next(before) if not (reopen_expired and state is S.IN_PROGRESS)
    ]
    because = ""
    if reopen_expired:
        because = f" after {REOPEN_WINDOW.days} days"
    elif move is not None and move.via is not None:
        because = f" except by {move.via}"
    elif move is not None and move.automatic:
        because = " except when its backlog item is released"
    listed = ", ".join(allowed) or "none"
    return f"a {before} request cannot become {after}{because}; allowed next: {listed}"
