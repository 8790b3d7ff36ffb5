"""Archive and delete: shared inputs and the delete payload."""

from __future__ import annotations

import strawberry

from graphql_schema.errors import UserError


@strawberry.input(description="Archive a record: hidden from lists unless includeArchived.")
class ArchiveInput:
    id: strawberry.ID
    version: int


@strawberry.input(description="Delete a record nothing refers to; its history stays.")
class DeleteInput:
    id: strawberry.ID
    version: int


@strawberry.type
class DeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        description="The id of the deleted record; null when refused."
    )
    user_errors: list[UserError]

    @classmethod
    def of(cls, deleted_id: strawberry.ID, errors: list[UserError]) -> DeletePayload:
        return cls(deleted_id=None if errors else deleted_id, user_errors=errors)
