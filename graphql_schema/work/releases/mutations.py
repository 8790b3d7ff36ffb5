"""Mutations of releases: plan, fill, start, ship, roll back; readiness; hot-fix deployments."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import DomainError, Duplicate
from graphql_schema.access import requires
from graphql_schema.context import Info
from graphql_schema.mutation_runner import payload_object, run_mutation
from graphql_schema.node import decode_id
from graphql_schema.work.backlog.payloads import BacklogItemPayload
from graphql_schema.work.backlog.types import BacklogItem
from graphql_schema.work.releases.inputs import (
    AssessReadinessInput,
    CreateReleaseInput,
    RecordBackMergeInput,
    RecordHotfixDeploymentInput,
    ReleaseItemsInput,
    ReleaseStepInput,
    UpdateReleaseInput,
)
from graphql_schema.work.releases.payloads import (
    HotfixDeploymentPayload,
    ReadinessAssessmentPayload,
    ReleasePayload,
)
from graphql_schema.work.releases.types import HotfixDeployment, ReadinessAssessment, Release
from identity.principal import Principal, Role
from work.backlog import models as work_models
from work.releases import actions, hotfix_actions, readiness_actions
from work.releases import models as release_models

_CONSTRAINTS: dict[str, DomainError] = {
    "uq_release_season": Duplicate("this season's release already exists", field=["season"]),
}
PLANNING = "(the release's owner team or its product owner; ADMIN)"

ReleaseAction = Callable[[AsyncSession, Principal], Awaitable[release_models.Release]]


async def _release_payload(info: Info, action: ReleaseAction) -> ReleasePayload:
    release, errors = await run_mutation(info, action, constraints=_CONSTRAINTS)
    return ReleasePayload(
        release=await payload_object(
            info, release, field="release", type_name="Release", convert=Release.from_model
        ),
        user_errors=errors,
    )


def _ids(values: Sequence[str] | None, type_name: str, field: str) -> list[uuid.UUID] | None:
    if values is None:
        return None
    return [decode_id(value, type_name, field=field) for value in values]


def _fields(input: CreateReleaseInput | UpdateReleaseInput) -> actions.ReleaseFields:
    created = input if isinstance(input, CreateReleaseInput) else None
    return actions.ReleaseFields(
        name=input.name,
        version_label=input.version_label,
        planned_on=input.planned_on,
        season=created.season if created else None,
        season_year=created.season_year if created else None,
        sandbox_preview_on=input.sandbox_preview_on,
        production_on=input.production_on,
        service_ids=_ids(input.service_ids, "Service", "serviceIds"),
    )


@strawberry.type
class ReleaseMutation:
    @strawberry.mutation(
        description="Plan a release run by a team (its members or product owner; ADMIN);"
        " a seasonal one is named after its season.",
        metadata=requires(Role.CONTRIBUTOR),
    )
    async def create_release(self, info: Info, input: CreateReleaseInput) -> ReleasePayload:
        async def action(session: AsyncSession, principal: Principal) -> release_models.Release:
            return await actions.create_release(
                session,
                principal=principal,
                owner_team_id=decode_id(input.owner_team_id, "Team", field="ownerTeamId"),
                kind=input.kind,
                fields=_fields(input),
            )

        return await _release_payload(info, action)

    @strawberry.mutation(
        description=f"Rename, re-date or re-scope a release until it ships {PLANNING}.",
        metadata=requires(Role.CONTRIBUTOR),
    )
    async def update_release(self, info: Info, input: UpdateReleaseInput) -> ReleasePayload:
        async def action(session: AsyncSession, principal: Principal) -> release_models.Release:
            return await actions.update_release(
                session,
                principal=principal,
                release_id=decode_id(input.id, "Release", field="id"),
                version=input.version,
                fields=_fields(input),
            )

        return await _release_payload(info, action)

    @strawberry.mutation(
        description=f"Plan items for a release; their services join it {PLANNING}."
        " A HOTFIX release takes only hot fixes and vulnerabilities.",
        metadata=requires(Role.CONTRIBUTOR),
    )
    async def add_to_release(self, info: Info, input: ReleaseItemsInput) -> ReleasePayload:
        async def action(session: AsyncSession, principal: Principal) -> release_models.Release:
            return await actions.add_to_release(
                session,
                principal=principal,
                release_id=decode_id(input.release_id, "Release", field="releaseId"),
                item_ids=_ids(input.item_ids, "BacklogItem", "itemIds") or [],
            )

        return await _release_payload(info, action)

    @strawberry.mutation(
        description=f"Take items out of a release that has not shipped {PLANNING}.",
        metadata=requires(Role.CONTRIBUTOR),
    )
    async def remove_from_release(self, info: Info, input: ReleaseItemsInput) -> ReleasePayload:
        async def action(session: AsyncSession, principal: Principal) -> release_models.Release:
            return await actions.remove_from_release(
                session,
                principal=principal,
                release_id=decode_id(input.release_id, "Release", field="releaseId"),
                item_ids=_ids(input.item_ids, "BacklogItem", "itemIds") or [],
            )

        return await _release_payload(info, action)

    @strawberry.mutation(
        description=f"PLANNED -> IN_PROGRESS {PLANNING}.", metadata=requires(Role.CONTRIBUTOR)
    )
    async def start_release(self, info: Info, input: ReleaseStepInput) -> ReleasePayload:
        async def action(session: AsyncSession, principal: Principal) -> release_models.Release:
            return await actions.start_release(
                session,
                principal=principal,
                release_id=decode_id(input.id, "Release", field="id"),
                version=input.version,
            )

        return await _release_payload(info, action)

    @strawberry.mutation(
        description=f"IN_PROGRESS -> RELEASED {PLANNING}: every item (all DONE) becomes"
        " RELEASED; linked requests are fulfilled and linked feedback delivered.",
        metadata=requires(Role.CONTRIBUTOR),
    )
    async def ship_release(self, info: Info, input: ReleaseStepInput) -> ReleasePayload:
        async def action(session: AsyncSession, principal: Principal) -> release_models.Release:
            return await actions.ship_release(
                session,
                principal=principal,
                release_id=decode_id(input.id, "Release", field="id"),
                version=input.version,
            )

        return await _release_payload(info, action)

    @strawberry.mutation(
        description=f"RELEASED -> ROLLED_BACK {PLANNING}: its items return to DONE; what"
        " the release fulfilled or delivered is reopened.",
        metadata=requires(Role.CONTRIBUTOR),
    )
    async def roll_back_release(self, info: Info, input: ReleaseStepInput) -> ReleasePayload:
        async def action(session: AsyncSession, principal: Principal) -> release_models.Release:
            return await actions.roll_back_release(
                session,
                principal=principal,
                release_id=decode_id(input.id, "Release", field="id"),
                version=input.version,
            )

        return await _release_payload(info, action)

    @strawberry.mutation(
        description="Record or revise a service's readiness for a seasonal release (the"
        " service's owner team or product owner; ADMIN).",
        metadata=requires(Role.CONTRIBUTOR),
    )
    async def assess_readiness(
        self, info: Info, input: AssessReadinessInput
    ) -> ReadinessAssessmentPayload:
        async def action(
            session: AsyncSession, principal: Principal
        ) -> release_models.ReadinessAssessment:
            return await readiness_actions.assess_readiness(
                session,
                principal=principal,
                release_id=decode_id(input.release_id, "Release", field="releaseId"),
                service_id=decode_id(input.service_id, "Service", field="serviceId"),
                version=input.version,
                readiness=readiness_actions.Readiness(
                    risk=input.risk,
                    regression_test_status=input.regression_test_status,
                    ready=input.ready,
                    features_to_adopt=input.features_to_adopt,
                    release_updates_enforced=input.release_updates_enforced,
                    actions=input.actions,
                    notes=input.notes,
                ),
            )

        assessment, errors = await run_mutation(info, action)
        return ReadinessAssessmentPayload(
            readiness_assessment=await payload_object(
                info,
                assessment,
                field="readinessAssessment",
                type_name="ReadinessAssessment",
                convert=ReadinessAssessment.from_model,
            ),
            user_errors=errors,
        )

    @strawberry.mutation(
        description="A hot fix (DONE or RELEASED) reached one of its affected orgs (the owner"
        " team or its product owner; ADMIN). Recording an org again corrects the time.",
        metadata=requires(Role.CONTRIBUTOR),
    )
    async def record_hotfix_deployment(
        self, info: Info, input: RecordHotfixDeploymentInput
    ) -> HotfixDeploymentPayload:
        async def action(
            session: AsyncSession, principal: Principal
        ) -> release_models.HotfixDeployment:
            return await hotfix_actions.record_deployment(
                session,
                principal=principal,
                item_id=decode_id(input.item_id, "BacklogItem", field="itemId"),
                org_id=decode_id(input.salesforce_org_id, "SalesforceOrg", field="salesforceOrgId"),
                deployed_at=input.deployed_at,
            )

        deployment, errors = await run_mutation(info, action)
        return HotfixDeploymentPayload(
            hotfix_deployment=await payload_object(
                info,
                deployment,
                field="hotfixDeployment",
                type_name="HotfixDeployment",
                convert=HotfixDeployment.from_model,
            ),
            user_errors=errors,
        )

    @strawberry.mutation(
        description="A hot fix was applied back to the development line (the owner team or"
        " its product owner; ADMIN).",
        metadata=requires(Role.CONTRIBUTOR),
    )
    async def record_back_merge(
        self, info: Info, input: RecordBackMergeInput
    ) -> BacklogItemPayload:
        async def action(session: AsyncSession, principal: Principal) -> work_models.BacklogItem:
            return await hotfix_actions.record_back_merge(
                session,
                principal=principal,
                item_id=decode_id(input.item_id, "BacklogItem", field="itemId"),
                version=input.version,
                merged_at=input.back_merged_at,
            )

        item, errors = await run_mutation(info, action)
        return BacklogItemPayload(
            backlog_item=await payload_object(
                info,
                item,
                field="backlogItem",
                type_name="BacklogItem",
                convert=BacklogItem.from_model,
            ),
            user_errors=errors,
        )
