"""Calendar feed tokens as GraphQL sees them (never the token itself, after creation)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from graphql_schema.node import global_id
from identity.calendar_tokens.models import CalendarToken as CalendarTokenModel


@strawberry.type(
    description="A person's token for `/calendar/releases.ics?token=…` (calendar clients cannot"
    " send bearer tokens). Only its hash is stored."
)
class CalendarToken:
    id: strawberry.ID
    name: str
    created_at: datetime
    last_used_at: datetime | None = strawberry.field(description="The last feed fetched with it.")
    revoked_at: datetime | None

    @classmethod
    def from_model(cls, row: CalendarTokenModel) -> CalendarToken:
        return cls(
            id=global_id("CalendarToken", row.id),
            name=row.name,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
        )
