"""Payloads of freeze-window mutations."""

from __future__ import annotations

import strawberry

from graphql_schema.errors import UserError
from graphql_schema.work.freezes.types import FreezeWindow


@strawberry.type
class FreezeWindowPayload:
    freeze_window: FreezeWindow | None
    user_errors: list[UserError]
