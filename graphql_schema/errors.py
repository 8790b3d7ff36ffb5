"""`UserError` for domain failures; coded GraphQL errors for everything else."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from core.errors import DomainError, ErrorCode

strawberry.enum(ErrorCode, description="Why a mutation refused its input.")


@strawberry.type(description="A domain rule refused the input; nothing was changed.")
class UserError:
    field: list[str] | None
    message: str
    code: ErrorCode

    @classmethod
    def from_domain(cls, error: DomainError) -> UserError:
        return cls(field=error.field, message=error.message, code=error.code)


class CodedError(GraphQLError):
    """A top-level GraphQL error carrying `extensions.code`; safe to show in prod."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": self.code})


class Unauthenticated(CodedError):
    code = "UNAUTHENTICATED"


class Forbidden(CodedError):
    code = "FORBIDDEN"


class BadUserInput(CodedError):
    code = "BAD_USER_INPUT"


class PageSizeExceededError(CodedError):
    code = "PAGE_SIZE_EXCEEDED"
