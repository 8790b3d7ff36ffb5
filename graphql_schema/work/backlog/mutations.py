"""Mutations of backlogs: items, ranks, sprints, design reviews."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import DomainError, Duplicate
from graphql_schema.access import requires
from graphql_schema.context import Info
from graphql_schema.errors import UserError
from graphql_schema.input_fields import provided, refuse_nulls
from graphql_schema.mutation_runner import payload_object, run_mutation
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
from identity.principal import Principal, Role
from work.backlog import actions, rank_actions, review_actions, sprint_actions
from work.backlog import models as work_models

_CONSTRAINTS: dict[str, DomainError] = {
    "uq_sprint_team_id_name": Duplicate(
        "the team already has a sprint of this name", field=["name"]
    ),
}
PLANNING = "(the owner team or its product owner; ADMIN)"


async def _item_payload(
    info: Info, item: work_models.BacklogItem | None, errors: list[UserError]
) -> BacklogItemPayload:
    return BacklogItemPayload(
        backlog_item=await payload_object(
            info, item, field="backlogItem", type_name="BacklogItem", convert=BacklogItem.from_model
        ),
        user_errors=errors,
    )


async def _sprint_payload(
    info: Info, sprint: work_models.Sprint | None, errors: list[UserError]
) -> SprintPayload:
    return SprintPayload(
        sprint=await payload_object(
            info, sprint, field="sprint", type_name="Sprint", convert=Sprint.from_model
        ),
        user_errors=errors,
    )


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


@strawberry.type
class BacklogMutation:
    @strawberry.mutation(
        description=f"Put an item at the bottom of a team's backlog {PLANNING}.",
        metadata=requires(Role.CONTRIBUTOR),
    )
    async def create_backlog_item(
        self, info: Info, input: CreateBacklogItemInput
    ) -> BacklogItemPayload:
        async def action(session: AsyncSession, principal: Principal) -> work_models.BacklogItem:
            return await actions.create_item(
                session,
                principal=principal,
                team_id=_optional_id(input.team_id, "Team", "teamId"),
                fields=item_fields(provided(input, exclude=())),
            )

        item, errors = await run_mutation(info, action)
        return await _item_payload(info, item, errors)

    @strawberry.mutation(
        description=f"Change what an item says {PLANNING}; its type only while NEW or READY.",
        metadata=requires(Role.CONTRIBUTOR),
    )
    async def update_backlog_item(
        self, info: Info, input: UpdateBacklogItemInput
    ) -> BacklogItemPayload:
        async def action(session: AsyncSession, principal: Principal) -> work_models.BacklogItem:
            given = provided(input)
            refuse_nulls(given, "title", "type", "needs_design_review")
            return await actions.update_item(
                session,
                principal=principal,
                item_id=decode_id(input.id, "BacklogItem", field="id"),
                version=input.version,
                fields=item_fields(given),
                given=frozenset(given),
            )

        item, errors = await run_mutation(info, action)
        return await _item_payload(info, item, errors)

    @strawberry.mutation(
        description=f"Move an item through its status table {PLANNING}; refusals name the"
        " allowed next states. DONE needs an approved design review where one is needed.",
        metadata=requires(Role.CONTRIBUTOR),
    )
    async def transition_backlog_item(
        self, info: Info, input: TransitionBacklogItemInput
    ) -> BacklogItemPayload:
        async def action(session: AsyncSession, principal: Principal) -> work_models.BacklogItem:
            return await actions.transition_item(
                session,
                principal=principal,
                item_id=decode_id(input.id, "BacklogItem", field="id"),
                version=input.version,
                to=input.to,
            )

        item, errors = await run_mutation(info, action)
        return await _item_payload(info, item, errors)

    @strawberry.mutation(
        description=f"Move an item between two neighbours {PLANNING}; writes one row.",
        metadata=requires(Role.CONTRIBUTOR),
    )
    async def rank_backlog_item(
        self, info: Info, input: RankBacklogItemInput
    ) -> BacklogItemPayload:
        async def action(session: AsyncSession, principal: Principal) -> work_models.BacklogItem:
            return await rank_actions.rank_item(
                session,
                principal=principal,
                item_id=decode_id(input.id, "BacklogItem", field="id"),
                after_id=_optional_id(input.after_id, "BacklogItem", "afterId"),
                before_id=_optional_id(input.before_id, "BacklogItem", "beforeId"),
            )

        item, errors = await run_mutation(info, action)
        return await _item_payload(info, item, errors)

    @strawberry.mutation(
        description=f"Plan a sprint {PLANNING}.", metadata=requires(Role.CONTRIBUTOR)
    )
    async def create_sprint(self, info: Info, input: CreateSprintInput) -> SprintPayload:
        async def action(session: AsyncSession, principal: Principal) -> work_models.Sprint:
            fields = provided(input, exclude=("team_id",))
            return await sprint_actions.create_sprint(
                session,
                principal=principal,
                team_id=decode_id(input.team_id, "Team", field="teamId"),
                fields=fields,
            )

        sprint, errors = await run_mutation(info, action, constraints=_CONSTRAINTS)
        return await _sprint_payload(info, sprint, errors)

    @strawberry.mutation(
        description=f"Rename, re-date or re-aim a sprint {PLANNING}.",
        metadata=requires(Role.CONTRIBUTOR),
    )
    async def update_sprint(self, info: Info, input: UpdateSprintInput) -> SprintPayload:
        async def action(session: AsyncSession, principal: Principal) -> work_models.Sprint:
            changes = provided(input)
            refuse_nulls(changes, "name", "starts_on", "ends_on")
            return await sprint_actions.update_sprint(
                session,
                principal=principal,
                sprint_id=decode_id(input.id, "Sprint", field="id"),
                version=input.version,
                changes=changes,
            )

        sprint, errors = await run_mutation(info, action, constraints=_CONSTRAINTS)
        return await _sprint_payload(info, sprint, errors)

    @strawberry.mutation(
        description=f"READY items join the sprint (IN_SPRINT); unfinished ones move over"
        f" {PLANNING}.",
        metadata=requires(Role.CONTRIBUTOR),
    )
    async def add_to_sprint(self, info: Info, input: SprintItemsInput) -> SprintPayload:
        async def action(session: AsyncSession, principal: Principal) -> work_models.Sprint:
            return await sprint_actions.add_to_sprint(
                session,
                principal=principal,
                sprint_id=decode_id(input.sprint_id, "Sprint", field="sprintId"),
                item_ids=_ids(input.item_ids, "BacklogItem", "itemIds"),
            )

        sprint, errors = await run_mutation(info, action)
        return await _sprint_payload(info, sprint, errors)

    @strawberry.mutation(
        description=f"Items IN_SPRINT go back to READY {PLANNING}.",
        metadata=requires(Role.CONTRIBUTOR),
    )
    async def remove_from_sprint(self, info: Info, input: SprintItemsInput) -> SprintPayload:
        async def action(session: AsyncSession, principal: Principal) -> work_models.Sprint:
            return await sprint_actions.remove_from_sprint(
                session,
                principal=principal,
                sprint_id=decode_id(input.sprint_id, "Sprint", field="sprintId"),
                item_ids=_ids(input.item_ids, "BacklogItem", "itemIds"),
            )

        sprint, errors = await run_mutation(info, action)
        return await _sprint_payload(info, sprint, errors)

    @strawberry.mutation(
        description="A DESIGN_AUTHORITY's verdict on an item IN_DESIGN_REVIEW; the latest counts.",
        metadata=requires(Role.DESIGN_AUTHORITY),
    )
    async def record_design_review(
        self, info: Info, input: RecordDesignReviewInput
    ) -> DesignReviewPayload:
        async def action(session: AsyncSession, principal: Principal) -> work_models.DesignReview:
            return await review_actions.record_design_review(
                session,
                principal=principal,
                item_id=decode_id(input.item_id, "BacklogItem", field="itemId"),
                outcome=input.outcome,
                notes=input.notes,
            )

        review, errors = await run_mutation(info, action)
        return DesignReviewPayload(
            design_review=await payload_object(
                info,
                review,
                field="designReview",
                type_name="DesignReview",
                convert=DesignReview.from_model,
            ),
            user_errors=errors,
        )
