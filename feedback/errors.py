"""Feedback's own refusals; each maps to one ErrorCode (or an HTTP status at the REST door)."""

from __future__ import annotations

from core.errors import Conflict, DomainError, ErrorCode


class InvalidTransition(DomainError):
    code = ErrorCode.INVALID_TRANSITION


class KeyInFlight(Conflict):
    """The same idempotency key is being processed by another request right now."""


class KeyReused(DomainError):
    """The idempotency key was used before with a different body."""

    code = ErrorCode.INVALID
