"""Readiness for a seasonal Salesforce release, assessed by each service's owners."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services import actions as services
from core.errors import Invalid, NotFound
from core.records import check_version, require_found
from core.validation import tag_list, text_field
from identity.principal import Principal
from work.releases import repository
from work.releases.models import (
    ReadinessAssessment,
    ReadinessRisk,
    RegressionTestStatus,
    ReleaseKind,
)
from work.releases.transitions import EDITABLE


@dataclass(frozen=True)
class Readiness:
    risk: ReadinessRisk
    regression_test_status: RegressionTestStatus = RegressionTestStatus.NOT_STARTED
    ready: bool = False
    features_to_adopt: list[str] = field(default_factory=list)
    release_updates_enforced: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    notes: str = ""


def _values(readiness: Readiness) -> dict[str, object]:
    status = RegressionTestStatus(readiness.regression_test_status)
    if readiness.ready and status is RegressionTestStatus.FAILED:
        raise Invalid("a service is not ready while its regression tests fail", field=["ready"])
    return {
        "risk": ReadinessRisk(readiness.risk),
        "regression_test_status": status,
        "ready": readiness.ready,
        "features_to_adopt": tag_list(
            readiness.features_to_adopt, field="featuresToAdopt", max_length=500
        ),
        "release_updates_enforced": tag_list(
            readiness.release_updates_enforced, field="releaseUpdatesEnforced", max_length=500
        ),
        "actions": tag_list(readiness.actions, field="actions", max_length=500),
        "notes": text_field(readiness.notes, field="notes", max_length=10_000, required=False),
    }


async def assess_readiness(
    session: AsyncSession,
    *,
    principal: Principal,
    release_id: uuid.UUID,
    service_id: uuid.UUID,
    version: int | None,
    readiness: Readiness,
) -> ReadinessAssessment:
    """Record (or revise) how ready one service of a seasonal release is; its owners decide."""
    release = require_found(
        await repository.lock_release(session, release_id), what="release", field="releaseId"
    )
    service = await services.get_service(session, service_id)
    if service is None:
        raise NotFound("no such service", field=["serviceId"])
    await services.require_service_steward(
        session, principal, service, action="assessing readiness"
    )
    if release.kind is not ReleaseKind.SALESFORCE_SEASONAL:
        raise Invalid("readiness is assessed for seasonal releases", field=["releaseId"])
    if release.status not in EDITABLE:
        raise Invalid(f"a {release.status} release is no longer assessed", field=["releaseId"])
    if service.id not in await repository.service_ids(session, release.id):
        raise Invalid(
            "the service is not in this release; the release's team adds it first",
            field=["serviceId"],
        )
    values = _values(readiness)
    assessment = await repository.assessment(session, release.id, service.id)
    if assessment is None:
        assessment = ReadinessAssessment(
            id=uuid.uuid4(), release_id=release.id, service_id=service.id, **values
        )
        session.add(assessment)
    else:
        check_version(assessment, version)
        for name, value in values.items():
            setattr(assessment, name, value)
    await session.flush()
    return assessment
