"""Mutations of freeze windows: create, move or re-explain, lift."""

from __future__ import annotations

import strawberry

from graphql_schema.archive_delete import DELETED, by_id
from graphql_schema.inputs import DeleteInput
from graphql_schema.mutation_runner import Arguments, ObjectPayload, mutation
from graphql_schema.node import decode_id
from graphql_schema.work.freezes.inputs import CreateFreezeWindowInput, UpdateFreezeWindowInput
from graphql_schema.work.freezes.payloads import FreezeWindowPayload
from graphql_schema.work.freezes.types import FreezeWindow
from identity.principal import Role
from work.releases import freeze_actions

WINDOW = ObjectPayload(FreezeWindowPayload, "freeze_window", FreezeWindow)
WHO = "(org-wide: ADMIN; a service's: its owner team or product owner; a team's: its members)"


@strawberry.type
class FreezeWindowMutation:
    @mutation(
        f"Freeze releases for a while {WHO}: inside it only hot fixes ship, unless an ADMIN"
        " overrides with a reason.",
        permission=Role.CONTRIBUTOR,
        action=freeze_actions.create_freeze_window,
        payload=WINDOW,
    )
    def create_freeze_window(self, input: CreateFreezeWindowInput) -> Arguments:
        return {
            "scope": input.scope,
            "starts_at": input.starts_at,
            "ends_at": input.ends_at,
            "reason": input.reason,
            "service_id": (
                decode_id(input.service_id, "Service", field="serviceId")
                if input.service_id is not None
                else None
            ),
            "team_id": (
                decode_id(input.team_id, "Team", field="teamId")
                if input.team_id is not None
                else None
            ),
        }

    @mutation(
        f"Move or re-explain a freeze window {WHO}.",
        permission=Role.CONTRIBUTOR,
        action=freeze_actions.update_freeze_window,
        payload=WINDOW,
    )
    def update_freeze_window(self, input: UpdateFreezeWindowInput) -> Arguments:
        return {
            "window_id": decode_id(input.id, "FreezeWindow", field="id"),
            "version": input.version,
            "fields": freeze_actions.FreezeFields(
                starts_at=input.starts_at, ends_at=input.ends_at, reason=input.reason
            ),
        }

    @mutation(
        f"Lift a freeze window {WHO}; its history stays.",
        permission=Role.CONTRIBUTOR,
        action=freeze_actions.delete_freeze_window,
        payload=DELETED,
    )
    def delete_freeze_window(self, input: DeleteInput) -> Arguments:
        return by_id(input, "FreezeWindow", "window_id")
