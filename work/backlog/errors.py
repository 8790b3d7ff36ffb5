"""Refusals of backlog work; each maps to one ErrorCode."""

from __future__ import annotations

from core.errors import DomainError, ErrorCode


class InvalidTransition(DomainError):
    """The status table does not allow the move; the message names the allowed next states."""

    code = ErrorCode.INVALID_TRANSITION


class DesignReviewRequired(DomainError):
    """The item needs an approved design review before it is DONE."""

    code = ErrorCode.DESIGN_REVIEW_REQUIRED
