"""Domain errors: each maps to one `ErrorCode` of the public API."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class ErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE = "DUPLICATE"
    CONFLICT = "CONFLICT"
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    HAS_DEPENDENTS = "HAS_DEPENDENTS"
    DESIGN_REVIEW_REQUIRED = "DESIGN_REVIEW_REQUIRED"
    EVALUATION_REQUIRED = "EVALUATION_REQUIRED"
    FEATURE_UNAVAILABLE = "FEATURE_UNAVAILABLE"
    FROZEN = "FROZEN"


class DomainError(Exception):
    """A business rule refused the operation; becomes a `UserError`."""

    code: ErrorCode = ErrorCode.INVALID

    def __init__(
        self, message: str, *, field: Sequence[str] | None = None, code: ErrorCode | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = list(field) if field is not None else None
        if code is not None:
            self.code = code


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class Duplicate(DomainError):
    code = ErrorCode.DUPLICATE


class Conflict(DomainError):
    code = ErrorCode.CONFLICT


class Invalid(DomainError):
    code = ErrorCode.INVALID


class Required(DomainError):
    code = ErrorCode.REQUIRED


class TooLong(DomainError):
    code = ErrorCode.TOO_LONG


class HasDependents(DomainError):
    code = ErrorCode.HAS_DEPENDENTS


class Frozen(DomainError):
    """A freeze window is open for what was to change (a release shipping)."""

    code = ErrorCode.FROZEN


class DomainErrors(Exception):
    """Several field errors found at once, reported together."""

    def __init__(self, errors: Sequence[DomainError]) -> None:
        super().__init__("; ".join(error.message for error in errors))
        self.errors = list(errors)


class AccessDenied(Exception):
    """The principal may not do this; becomes a top-level FORBIDDEN error."""
