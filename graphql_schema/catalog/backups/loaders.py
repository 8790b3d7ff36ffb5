"""Per-request loading of data-loss readiness: every service (or org) of a batch in one
statement, whatever the page's size."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.backups import actions
from catalog.backups.readiness import (
    OrgEvidence,
    ServiceReadiness,
    backup_interval,
    judge_org,
)
from catalog.orgs.models import SalesforceOrg as SalesforceOrgModel
from core.clock import utcnow
from graphql_schema.catalog.backups.types import DataLossReadiness, OrgDataLossReadiness
from graphql_schema.context import Info

Verdict = tuple[ServiceReadiness, list[SalesforceOrgModel]]


async def readiness_by_service_ids(
    session: AsyncSession, keys: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Verdict]:
    return await actions.readiness_by_service_ids(session, keys, now=utcnow())


async def evidence_by_org_ids(
    session: AsyncSession, keys: Sequence[uuid.UUID]
) -> dict[uuid.UUID, OrgEvidence]:
    return await actions.evidence_by_org_ids(session, keys)


async def readiness_of(info: Info, service_id: uuid.UUID) -> DataLossReadiness:
    found = await info.context.loaders.data_loss_readiness.load(service_id)
    assert found is not None, "a resolved service exists"
    judged, orgs = found
    return DataLossReadiness.of(judged, orgs)


async def org_readiness_of(info: Info, org: SalesforceOrgModel) -> OrgDataLossReadiness:
    evidence = await info.context.loaders.backup_evidence.load(org.id)
    if evidence is None:  # an org deleted meanwhile: no evidence at all
        evidence = OrgEvidence(org.id, org.backup_rpo_seconds, None, None)
    interval = backup_interval(service_rpo_seconds=None, org_rpo_seconds=org.backup_rpo_seconds)
    return OrgDataLossReadiness.of(judge_org(evidence, interval=interval, now=utcnow()), org)
