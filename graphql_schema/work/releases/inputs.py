"""Inputs of release, readiness and hot-fix queries and mutations."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

import graphql_schema.work.releases.enums  # noqa: F401  (registers the enums first)
from work.releases.models import (
    ReadinessRisk,
    RegressionTestStatus,
    ReleaseKind,
    ReleaseStatus,
    Season,
)


@strawberry.input(description="Narrow a list of releases; every field given must match.")
class ReleaseFilter:
    owner_team_id: strawberry.ID | None = None
    service_id: strawberry.ID | None = None
    kinds: list[ReleaseKind] | None = None
    statuses: list[ReleaseStatus] | None = None
    from_: date | None = strawberry.field(
        default=None,
        name="from",
        description="The calendar: releases whose `calendarOn` is this day or later (at most"
        " two years before `to`).",
    )
    to: date | None = strawberry.field(
        default=None, description="Releases whose `calendarOn` is this day or earlier."
    )
    service_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Releases changing any of these services."
    )
    team_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Releases run by any of these teams or changing a service one of them owns.",
    )


@strawberry.input
class CreateReleaseInput:
    owner_team_id: strawberry.ID
    kind: ReleaseKind
    name: str | None = strawberry.field(
        default=None, description="Required, except for a seasonal release (`Spring '26`)."
    )
    version_label: str | None = None
    planned_on: date | None = strawberry.field(
        default=None, description="Default for a seasonal release: its production date."
    )
    season: Season | None = None
    season_year: int | None = None
    sandbox_preview_on: date | None = None
    production_on: date | None = None
    service_ids: list[strawberry.ID] | None = None


@strawberry.input(description="Only the fields given change; the kind and season never do.")
class UpdateReleaseInput:
    id: strawberry.ID
    version: int | None = None
    name: str | None = None
    version_label: str | None = None
    planned_on: date | None = None
    sandbox_preview_on: date | None = None
    production_on: date | None = None
    service_ids: list[strawberry.ID] | None = None


@strawberry.input
class ReleaseItemsInput:
    release_id: strawberry.ID
    item_ids: list[strawberry.ID]


@strawberry.input(description="Start, ship or roll back a release.")
class ReleaseStepInput:
    id: strawberry.ID
    version: int | None = None
    override_freeze_reason: str | None = strawberry.field(
        default=None,
        description="shipRelease only: an ADMIN shipping inside a freeze window says why"
        " (kept on the release and audited).",
    )


@strawberry.input(description="A service's readiness for a seasonal release; repeat to revise.")
class AssessReadinessInput:
    release_id: strawberry.ID
    service_id: strawberry.ID
    risk: ReadinessRisk
    version: int | None = strawberry.field(
        default=None, description="The assessment's version, when revising one."
    )
    regression_test_status: RegressionTestStatus = RegressionTestStatus.NOT_STARTED
    ready: bool = False
    features_to_adopt: list[str] = strawberry.field(default_factory=list)
    release_updates_enforced: list[str] = strawberry.field(default_factory=list)
    actions: list[str] = strawberry.field(default_factory=list)
    notes: str = ""


@strawberry.input
class RecordHotfixDeploymentInput:
    item_id: strawberry.ID
    salesforce_org_id: strawberry.ID
    deployed_at: datetime | None = strawberry.field(default=None, description="Default now.")


@strawberry.input
class RecordBackMergeInput:
    item_id: strawberry.ID
    version: int | None = None
    back_merged_at: datetime | None = strawberry.field(default=None, description="Default now.")
