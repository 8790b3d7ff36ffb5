"""Mutations of releases: plan, fill, start, ship, roll back; readiness; hot-fix deployments."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import strawberry

from core.errors import DomainError, Duplicate
from graphql_schema.context import Info
from graphql_schema.errors import UserError
from graphql_schema.mutation_runner import Arguments, CustomPayload, ObjectPayload, mutation
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
from identity.audit import AuditEntry, AuditOutcome, record
from identity.principal import Role
from work.releases import actions, hotfix_actions, readiness_actions

_CONSTRAINTS: dict[str, DomainError] = {
    "uq_release_season": Duplicate("this season's release already exists", field=["season"]),
}
PLANNING = "(the release's owner team or its product owner; ADMIN)"
RELEASE = ObjectPayload(ReleasePayload, "release", Release)
BACKLOG_ITEM = ObjectPayload(BacklogItemPayload, "backlog_item", BacklogItem)


async def _shipped(
    info: Info, input: ReleaseStepInput, result: Any, errors: list[UserError]
) -> ReleasePayload:
    """The release; a freeze overridden to ship it is audited on its own, with the reason."""
    if result is not None and result.freeze_override_reason is not None:
        entry = AuditEntry(
            "overrideFreeze",
            AuditOutcome.SUCCESS,
            "Release",
            str(result.id),
            {"reason": result.freeze_override_reason},
        )
        async with info.context.db() as session:
            await record(session, entry, principal=info.context.principal, facts=info.context.facts)
    payload: ReleasePayload = await RELEASE.build(info, input, result, errors)
    return payload


SHIPPED = CustomPayload(ReleasePayload, _shipped)


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


def _items(input: ReleaseItemsInput) -> Arguments:
    return {
        "release_id": decode_id(input.release_id, "Release", field="releaseId"),
        "item_ids": _ids(input.item_ids, "BacklogItem", "itemIds") or [],
    }


def _step(input: ReleaseStepInput) -> Arguments:
    return {"release_id": decode_id(input.id, "Release", field="id"), "version": input.version}


@strawberry.type
class ReleaseMutation:
    @mutation(
        "Plan a release run by a team (its members or product owner; ADMIN);"
        " a seasonal one is named after its season.",
        permission=Role.CONTRIBUTOR,
        action=actions.create_release,
        payload=RELEASE,
        constraints=_CONSTRAINTS,
    )
    def create_release(self, input: CreateReleaseInput) -> Arguments:
        return {
            "owner_team_id": decode_id(input.owner_team_id, "Team", field="ownerTeamId"),
            "kind": input.kind,
            "fields": _fields(input),
        }

    @mutation(
        f"Rename, re-date or re-scope a release until it ships {PLANNING}.",
        permission=Role.CONTRIBUTOR,
        action=actions.update_release,
        payload=RELEASE,
        constraints=_CONSTRAINTS,
    )
    def update_release(self, input: UpdateReleaseInput) -> Arguments:
        return {
            "release_id": decode_id(input.id, "Release", field="id"),
            "version": input.version,
            "fields": _fields(input),
        }

    @mutation(
        f"Plan items for a release; their services join it {PLANNING}."
        " A HOTFIX release takes only hot fixes and vulnerabilities.",
        permission=Role.CONTRIBUTOR,
        action=actions.add_to_release,
        payload=RELEASE,
        constraints=_CONSTRAINTS,
    )
    def add_to_release(self, input: ReleaseItemsInput) -> Arguments:
        return _items(input)

    @mutation(
        f"Take items out of a release that has not shipped {PLANNING}.",
        permission=Role.CONTRIBUTOR,
        action=actions.remove_from_release,
        payload=RELEASE,
        constraints=_CONSTRAINTS,
    )
    def remove_from_release(self, input: ReleaseItemsInput) -> Arguments:
        return _items(input)

    @mutation(
        f"PLANNED -> IN_PROGRESS {PLANNING}.",
        permission=Role.CONTRIBUTOR,
        action=actions.start_release,
        payload=RELEASE,
        constraints=_CONSTRAINTS,
    )
    def start_release(self, input: ReleaseStepInput) -> Arguments:
        return _step(input)

    @mutation(
        f"IN_PROGRESS -> RELEASED {PLANNING}: every item (all DONE) becomes"
        " RELEASED; linked requests are fulfilled and linked feedback delivered. Inside a"
        " freeze window refused with FROZEN, unless a HOTFIX release or an ADMIN giving"
        " overrideFreezeReason (audited as overrideFreeze).",
        permission=Role.CONTRIBUTOR,
        action=actions.ship_release,
        payload=SHIPPED,
        constraints=_CONSTRAINTS,
    )
    def ship_release(self, input: ReleaseStepInput) -> Arguments:
        return {**_step(input), "override_freeze_reason": input.override_freeze_reason}

    @mutation(
        f"RELEASED -> ROLLED_BACK {PLANNING}: its items return to DONE; what"
        " the release fulfilled or delivered is reopened.",
        permission=Role.CONTRIBUTOR,
        action=actions.roll_back_release,
        payload=RELEASE,
        constraints=_CONSTRAINTS,
    )
    def roll_back_release(self, input: ReleaseStepInput) -> Arguments:
        return _step(input)

    @mutation(
        "Record or revise a service's readiness for a seasonal release (the"
        " service's owner team or product owner; ADMIN).",
        permission=Role.CONTRIBUTOR,
        action=readiness_actions.assess_readiness,
        payload=ObjectPayload(
            ReadinessAssessmentPayload, "readiness_assessment", ReadinessAssessment
        ),
    )
    def assess_readiness(self, input: AssessReadinessInput) -> Arguments:
        return {
            "release_id": decode_id(input.release_id, "Release", field="releaseId"),
            "service_id": decode_id(input.service_id, "Service", field="serviceId"),
            "version": input.version,
            "readiness": readiness_actions.Readiness(
                risk=input.risk,
                regression_test_status=input.regression_test_status,
                ready=input.ready,
                features_to_adopt=input.features_to_adopt,
                release_updates_enforced=input.release_updates_enforced,
                actions=input.actions,
                notes=input.notes,
            ),
        }

    @mutation(
        "A hot fix (DONE or RELEASED) reached one of its affected orgs (the owner"
        " team or its product owner; ADMIN). Recording an org again corrects the time.",
        permission=Role.CONTRIBUTOR,
        action=hotfix_actions.record_deployment,
        payload=ObjectPayload(HotfixDeploymentPayload, "hotfix_deployment", HotfixDeployment),
    )
    def record_hotfix_deployment(self, input: RecordHotfixDeploymentInput) -> Arguments:
        return {
            "item_id": decode_id(input.item_id, "BacklogItem", field="itemId"),
            "org_id": decode_id(input.salesforce_org_id, "SalesforceOrg", field="salesforceOrgId"),
            "deployed_at": input.deployed_at,
        }

    @mutation(
        "A hot fix was applied back to the development line (the owner team or"
        " its product owner; ADMIN).",
        permission=Role.CONTRIBUTOR,
        action=hotfix_actions.record_back_merge,
        payload=BACKLOG_ITEM,
    )
    def record_back_merge(self, input: RecordBackMergeInput) -> Arguments:
        return {
            "item_id": decode_id(input.item_id, "BacklogItem", field="itemId"),
            "version": input.version,
            "merged_at": input.back_merged_at,
        }
