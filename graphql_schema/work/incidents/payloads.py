"""Payloads of incident mutations."""

from __future__ import annotations

import strawberry

from graphql_schema.errors import UserError
from graphql_schema.work.backlog.types import BacklogItem
from graphql_schema.work.incidents.types import Incident


@strawberry.type
class IncidentPayload:
    incident: Incident | None
    user_errors: list[UserError]


@strawberry.type
class CreateHotfixPayload:
    backlog_item: BacklogItem | None = strawberry.field(
        description="The hot fix; its incident lists it in `hotfixes`."
    )
    user_errors: list[UserError]
