"""Payloads of release, readiness and hot-fix mutations."""

from __future__ import annotations

import strawberry

from graphql_schema.errors import UserError
from graphql_schema.work.releases.types import HotfixDeployment, ReadinessAssessment, Release


@strawberry.type
class ReleasePayload:
    release: Release | None
    user_errors: list[UserError]


@strawberry.type
class ReadinessAssessmentPayload:
    readiness_assessment: ReadinessAssessment | None
    user_errors: list[UserError]


@strawberry.type
class HotfixDeploymentPayload:
    hotfix_deployment: HotfixDeployment | None
    user_errors: list[UserError]
