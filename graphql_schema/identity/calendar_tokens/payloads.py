"""Payloads of calendar-token mutations."""

from __future__ import annotations

import strawberry

from graphql_schema.errors import UserError
from graphql_schema.identity.calendar_tokens.types import CalendarToken


@strawberry.type
class CreateCalendarTokenPayload:
    calendar_token: CalendarToken | None
    token: str | None = strawberry.field(
        description="The token, shown only now: `/calendar/releases.ics?token=<token>`."
    )
    user_errors: list[UserError]


@strawberry.type
class CalendarTokenPayload:
    calendar_token: CalendarToken | None
    user_errors: list[UserError]
