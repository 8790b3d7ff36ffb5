"""Inputs of calendar-token mutations."""

from __future__ import annotations

import strawberry


@strawberry.input
class CreateCalendarTokenInput:
    name: str = strawberry.field(description="Where it is used, e.g. `Outlook on my laptop`.")


@strawberry.input
class RevokeCalendarTokenInput:
    id: strawberry.ID
