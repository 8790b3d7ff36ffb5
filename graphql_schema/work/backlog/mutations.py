"""Mutations of backlogs: items, ranks, sprints, design reviews."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import strawberry

from core.errors import DomainError, Duplicate
from graphql_schema.input_fields import provided, refuse_nulls
from graphql_schema.mutation_runner import Arguments, ObjectPayload, mutation
from graphql_schema.node import decode_id
from graphql_schema.work.backlog.inputs import (
    CreateBacklogItemInput,
    CreateSprintInput,
    RankBacklogItemInput,
    RecordDesignReviewInput,
    SprintItemsInput,
    TransitionBacklogItemInput,
    UpdateBacklogItemInput,
    UpdateSprintInput,
)
from graphql_schema.work.backlog.payloads import (
    BacklogItemPayload,
    DesignReviewPayload,
    SprintPayload,
)
from graphql_schema.work.backlog.types import BacklogItem, DesignReview, Sprint
from identity.principal import Role
from work.backlog import actions, rank_actions, review_actions, sprint_actions

_CONSTRAINTS: dict[str, DomainError] = {
    "uq_sprint_team_id_name": Duplicate(
        "the team already has a sprint of this name", field=["name"]
    ),
}
PLANNING = "(the owner team or its product owner; ADMIN)"


BACKLOG_ITEM = ObjectPayload(BacklogItemPayload, "backlog_item", BacklogItem)
SPRINT = ObjectPayload(SprintPayload, "sprint", Sprint)


def _ids(values: Sequence[str], type_name: str, field: str) -> list[uuid.UUID]:
    return [decode_id(value, type_name, field=field) for value in values]


def _optional_id(value: str | None, type_name: str, field: str) -> uuid.UUID | None:
    return decode_id(value, type_name, field=field) if value is not None else None


def item_fields(given: dict[str, Any]) -> actions.ItemFields:
    """The action's view of an item input: ids decoded, unknown keys left out."""
    values = dict(given)
    if "service_id" in values:
        values["service_id"] = _optional_id(values["service_id"], "Service", "serviceId")
    if values.get("affected_org_ids") is not None:
        values["affected_org_ids"] = _ids(
            values["affected_org_ids"], "SalesforceOrg", "affectedOrgIds"
        )
    values.pop("team_id", None)
    return actions.ItemFields(**values)


def _sprint_items(input: SprintItemsInput) -> Arguments:
    return {
        "sprint_id": decode_id(input.sprint_id, "Sprint", field="sprintId"),
        "item_ids": _ids(input.item_ids, "BacklogItem", "itemIds"),
    }


@strawberry.type
class BacklogMutation:
    @mutation(
        f"Put an item at the bottom of a team's backlog {PLANNING}.",
        permission=Role.CONTRIBUTOR,
        action=actions.create_item,
        payload=BACKLOG_ITEM,
    )
    def create_backlog_item(self, input: CreateBacklogItemInput) -> Arguments:
        return {
            "team_id": _optional_id(input.team_id, "Team", "teamId"),
            "fields": item_fields(provided(input, exclude=())),
        }

    @mutation(
        f"Change what an item says {PLANNING}; its type only while NEW or READY.",
        permission=Role.CONTRIBUTOR,
        action=actions.update_item,
        payload=BACKLOG_ITEM,
    )
    def update_backlog_item(self, input: UpdateBacklogItemInput) -> Arguments:
        given = provided(input)
        refuse_nulls(given, "title", "type", "needs_design_review")
        return {
            "item_id": decode_id(input.id, "BacklogItem", field="id"),
            "version": input.version,
            "fields": item_fields(given),
            "given": frozenset(given),
        }

    @mutation(
        f"Move an item through its status table {PLANNING}; refusals name the"
        " allowed next states. DONE needs an approved design review where one is needed.",
        permission=Role.CONTRIBUTOR,
        action=actions.transition_item,
        payload=BACKLOG_ITEM,
    )
    def transition_backlog_item(self, input: TransitionBacklogItemInput) -> Arguments:
        return {
            "item_id": decode_id(input.id, "BacklogItem", field="id"),
            "version": input.version,
            "to": input.to,
        }

    @mutation(
        f"Move an item between two neighbours {PLANNING}; writes one row.",
        permission=Role.CONTRIBUTOR,
        action=rank_actions.rank_item,
        payload=BACKLOG_ITEM,
    )
    def rank_backlog_item(self, input: RankBacklogItemInput) -> Arguments:
        return {
            "item_id": decode_id(input.id, "BacklogItem", field="id"),
            "after_id": _optional_id(input.after_id, "BacklogItem", "afterId"),
            "before_id": _optional_id(input.before_id, "BacklogItem", "beforeId"),
        }

    @mutation(
        f"Plan a sprint {PLANNING}.",
        permission=Role.CONTRIBUTOR,
        action=sprint_actions.create_sprint,
        payload=SPRINT,
        constraints=_CONSTRAINTS,
    )
    def create_sprint(self, input: CreateSprintInput) -> Arguments:
        fields = provided(input, exclude=("team_id",))
        return {"team_id": decode_id(input.team_id, "Team", field="teamId"), "fields": fields}

    @mutation(
        f"Rename, re-date or re-aim a sprint {PLANNING}.",
        permission=Role.CONTRIBUTOR,
        action=sprint_actions.update_sprint,
        payload=SPRINT,
        constraints=_CONSTRAINTS,
    )
    def update_sprint(self, input: UpdateSprintInput) -> Arguments:
        changes = provided(input)
        refuse_nulls(changes, "name", "starts_on", "ends_on")
        return {
            "sprint_id": decode_id(input.id, "Sprint", field="id"),
            "version": input.version,
            "changes": changes,
        }

    @mutation(
        f"READY items join the sprint (IN_SPRINT); unfinished ones move over {PLANNING}.",
        permission=Role.CONTRIBUTOR,
        action=sprint_actions.add_to_sprint,
        payload=SPRINT,
    )
    def add_to_sprint(self, input: SprintItemsInput) -> Arguments:
        return _sprint_items(input)

    @mutation(
        f"Items IN_SPRINT go back to READY {PLANNING}.",
        permission=Role.CONTRIBUTOR,
        action=sprint_actions.remove_from_sprint,
        payload=SPRINT,
    )
    def remove_from_sprint(self, input: SprintItemsInput) -> Arguments:
        return _sprint_items(input)

    @mutation(
        "A DESIGN_AUTHORITY's verdict on an item IN_DESIGN_REVIEW; the latest counts.",
        permission=Role.DESIGN_AUTHORITY,
        action=review_actions.record_design_review,
        payload=ObjectPayload(DesignReviewPayload, "design_review", DesignReview),
    )
    def record_design_review(self, input: RecordDesignReviewInput) -> Arguments:
        return {
            "item_id": decode_id(input.item_id, "BacklogItem", field="itemId"),
            "outcome": input.outcome,
            "notes": input.notes,
        }
