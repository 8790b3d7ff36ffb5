"""Payloads every domain shares: the delete payload."""

from __future__ import annotations

import strawberry

from graphql_schema.errors import UserError


@strawberry.type
class DeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        description="The id of the deleted record; null when refused."
    )
    user_errors: list[UserError]

    @classmethod
    def of(cls, deleted_id: strawberry.ID, errors: list[UserError]) -> DeletePayload:
        return cls(deleted_id=None if errors else deleted_id, user_errors=errors)
