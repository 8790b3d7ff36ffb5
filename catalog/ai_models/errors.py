"""Refusals of AI models; each maps to one ErrorCode."""

from __future__ import annotations

from core.errors import DomainError, ErrorCode


class InvalidTransition(DomainError):
    """The life cycle does not allow the move; the message names the allowed next states."""

    code = ErrorCode.INVALID_TRANSITION


class EvaluationRequired(DomainError):
    """Approval needs a passing ACCURACY and FAIRNESS evaluation within the cadence."""

    code = ErrorCode.EVALUATION_REQUIRED
