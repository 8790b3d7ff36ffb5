"""The client's log: every request's outcome and every acknowledged write, on one clock."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Codes that tell of Salesforce, not of the API: a read carrying only these still answered.
SALESFORCE_CODES = frozenset({"SALESFORCE_UNAVAILABLE", "SALESFORCE_LIMIT_EXCEEDED"})


def first_error(body: Mapping[str, Any] | None) -> str:
    """The message of the first GraphQL error that is not Salesforce's, if any."""
    for error in (body or {}).get("errors") or ():
        if (error.get("extensions") or {}).get("code") not in SALESFORCE_CODES:
            return str(error.get("message"))
    return ""


def error_codes(body: Mapping[str, Any] | None) -> list[str]:
    """The `extensions.code` of each GraphQL error (`UNCODED` when it has none)."""
    if not body:
        return []
    errors: Sequence[Mapping[str, Any]] = body.get("errors") or ()
    return [str((error.get("extensions") or {}).get("code") or "UNCODED") for error in errors]


@dataclass(frozen=True)
class Outcome:
    """One request: its kind, when it started (seconds into the run), how long, how it ended.

    `status` is the HTTP status, 0 when no answer came (connection refused, reset, timeout).
    """

    kind: str
    started: float
    elapsed: float
    status: int
    codes: tuple[str, ...] = ()
    # Why it failed, briefly: the exception's class, the first error's message, the body.
    detail: str = ""

    @property
    def answered(self) -> bool:
        """2xx and no GraphQL error but Salesforce's."""
        return 200 <= self.status < 300 and not set(self.codes) - SALESFORCE_CODES

    @property
    def ended(self) -> float:
        return self.started + self.elapsed


@dataclass
class Journal:
    started_at: float = field(default_factory=time.monotonic)
    outcomes: list[Outcome] = field(default_factory=list)
    # Acknowledged writes, by kind: what the client was told was stored.
    feedback: dict[str, str] = field(default_factory=dict)  # idempotency key -> feedback id
    replays: list[tuple[str, bool]] = field(default_factory=list)  # key, same answer
    transitions: list[dict[str, Any]] = field(default_factory=list)
    incidents: dict[str, str] = field(default_factory=dict)  # title -> incident id
    # Writes sent but never acknowledged (every retry failed): their outcome is unknown.
    unacknowledged: dict[str, list[str]] = field(default_factory=dict)
    # The live Salesforce probe: (seconds into the run, value came, codes).
    probes: list[tuple[float, bool, tuple[str, ...]]] = field(default_factory=list)
    stuck_clients: int = 0  # still busy well after the run ended

    def now(self) -> float:
        return time.monotonic() - self.started_at

    def record(
        self,
        kind: str,
        started: float,
        status: int,
        codes: Sequence[str] = (),
        detail: str = "",
    ) -> Outcome:
        outcome = Outcome(kind, started, self.now() - started, status, tuple(codes), detail[:300])
        self.outcomes.append(outcome)
        return outcome

    def lost_track(self, kind: str, key: str) -> None:
        self.unacknowledged.setdefault(kind, []).append(key)
