"""`calendarTokens`: the caller's calendar feed tokens."""

from __future__ import annotations

import strawberry

from graphql_schema.access import requires
from graphql_schema.context import Info
from graphql_schema.identity.calendar_tokens.types import CalendarToken
from identity.calendar_tokens import actions
from identity.principal import Role


@strawberry.type
class CalendarTokenQuery:
    @strawberry.field(
        description="The caller's calendar feed tokens, newest first, revoked ones included.",
        metadata=requires(Role.VIEWER),
    )
    async def calendar_tokens(self, info: Info) -> list[CalendarToken]:
        principal = info.context.principal
        if principal is None or principal.person_id is None:
            return []
        async with info.context.db() as session:
            rows = await actions.tokens_of(session, principal.person_id)
        return [CalendarToken.from_model(row) for row in rows]
