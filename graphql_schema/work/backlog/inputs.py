"""Inputs of backlog, sprint and design-review queries and mutations."""

from __future__ import annotations

from datetime import date
from enum import Enum

import strawberry

import graphql_schema.work.backlog.enums  # noqa: F401  (registers the enums first)
from graphql_schema.inputs import OrderDirection
from work.backlog.models import BacklogItemStatus, BacklogItemType, DesignReviewOutcome


@strawberry.input(description="Narrow a list of backlog items; every field given must match.")
class BacklogItemFilter:
    team_id: strawberry.ID | None = None
    service_id: strawberry.ID | None = None
    sprint_id: strawberry.ID | None = None
    release_id: strawberry.ID | None = None
    statuses: list[BacklogItemStatus] | None = None
    types: list[BacklogItemType] | None = None


@strawberry.enum(description="How backlog items are sorted; each ends in the id.")
class BacklogItemOrderField(Enum):
    RANK = "RANK"
    CREATED_AT = "CREATED_AT"


@strawberry.input
class BacklogItemOrder:
    field: BacklogItemOrderField = BacklogItemOrderField.RANK
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input
class SprintFilter:
    team_id: strawberry.ID | None = None


@strawberry.input
class CreateBacklogItemInput:
    title: str
    type: BacklogItemType = BacklogItemType.FEATURE
    team_id: strawberry.ID | None = strawberry.field(
        default=None, description="Whose backlog; default the service's owner team."
    )
    service_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required for DEFECT, HOTFIX and VULNERABILITY."
    )
    description: str | None = None
    estimate: int | None = None
    needs_design_review: bool | None = strawberry.field(
        default=None, description="Default true for FEATURE; never for hot fixes."
    )
    affected_org_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Hot fixes: the orgs to reach; default its service's orgs."
    )


@strawberry.input(description="Only the fields given change; null clears where allowed.")
class UpdateBacklogItemInput:
    id: strawberry.ID
    version: int | None = None
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    type: BacklogItemType | None = strawberry.UNSET
    estimate: int | None = strawberry.UNSET
    needs_design_review: bool | None = strawberry.UNSET
    service_id: strawberry.ID | None = strawberry.UNSET
    affected_org_ids: list[strawberry.ID] | None = strawberry.UNSET


@strawberry.input
class TransitionBacklogItemInput:
    id: strawberry.ID
    to: BacklogItemStatus
    version: int | None = None


@strawberry.input(description="Move an item between two neighbours; give one or both.")
class RankBacklogItemInput:
    id: strawberry.ID
    after_id: strawberry.ID | None = strawberry.field(
        default=None, description="The item it comes right after (above it)."
    )
    before_id: strawberry.ID | None = strawberry.field(
        default=None, description="The item it comes right before (below it)."
    )


@strawberry.input
class CreateSprintInput:
    team_id: strawberry.ID
    name: str
    starts_on: date
    ends_on: date
    goal: str | None = None


@strawberry.input(description="Only the fields given change.")
class UpdateSprintInput:
    id: strawberry.ID
    version: int | None = None
    name: str | None = strawberry.UNSET
    starts_on: date | None = strawberry.UNSET
    ends_on: date | None = strawberry.UNSET
    goal: str | None = strawberry.UNSET


@strawberry.input
class SprintItemsInput:
    sprint_id: strawberry.ID
    item_ids: list[strawberry.ID]


@strawberry.input
class RecordDesignReviewInput:
    item_id: strawberry.ID
    outcome: DesignReviewOutcome
    notes: str | None = None
