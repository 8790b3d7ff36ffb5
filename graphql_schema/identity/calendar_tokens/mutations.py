"""Mutations of calendar feed tokens: create (the token shown once), revoke."""

from __future__ import annotations

from typing import Any

import strawberry

from graphql_schema.context import Info
from graphql_schema.errors import UserError
from graphql_schema.identity.calendar_tokens.inputs import (
    CreateCalendarTokenInput,
    RevokeCalendarTokenInput,
)
from graphql_schema.identity.calendar_tokens.payloads import (
    CalendarTokenPayload,
    CreateCalendarTokenPayload,
)
from graphql_schema.identity.calendar_tokens.types import CalendarToken
from graphql_schema.mutation_runner import Arguments, CustomPayload, mutation
from graphql_schema.node import decode_id
from identity.calendar_tokens import actions
from identity.principal import Role


async def _created(
    info: Info, input: CreateCalendarTokenInput, result: Any, errors: list[UserError]
) -> CreateCalendarTokenPayload:
    if result is None:
        return CreateCalendarTokenPayload(calendar_token=None, token=None, user_errors=errors)
    row, token = result
    return CreateCalendarTokenPayload(
        calendar_token=CalendarToken.from_model(row), token=token, user_errors=errors
    )


async def _revoked(
    info: Info, input: RevokeCalendarTokenInput, result: Any, errors: list[UserError]
) -> CalendarTokenPayload:
    token = CalendarToken.from_model(result) if result is not None else None
    return CalendarTokenPayload(calendar_token=token, user_errors=errors)


@strawberry.type
class CalendarTokenMutation:
    @mutation(
        "A calendar feed token for the caller, shown once in the payload; feeds list what the"
        " caller may read.",
        permission=Role.CONTRIBUTOR,
        action=actions.create_calendar_token,
        payload=CustomPayload(CreateCalendarTokenPayload, _created),
        audited=lambda result: result[0],
    )
    def create_calendar_token(self, input: CreateCalendarTokenInput) -> Arguments:
        return {"name": input.name}

    @mutation(
        "Revoke one of the caller's calendar tokens (an ADMIN: anyone's); its feeds answer 401"
        " from now on.",
        permission=Role.CONTRIBUTOR,
        action=actions.revoke_calendar_token,
        payload=CustomPayload(CalendarTokenPayload, _revoked),
    )
    def revoke_calendar_token(self, input: RevokeCalendarTokenInput) -> Arguments:
        return {"token_id": decode_id(input.id, "CalendarToken", field="id")}
