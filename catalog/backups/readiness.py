"""Data-loss readiness: is a service's business data backed up, and has a restore been proven?

Only CONFIDENTIAL and RESTRICTED data must be: PUBLIC and INTERNAL services are ready with no
requirement. Of such a service, every production org it runs on (sandboxes and scratch orgs
hold copies, not the business data) needs a successful backup within the backup interval —
the service's RPO, else the org's, else DEFAULT_BACKUP_INTERVAL — and a successful restore
drill within RESTORE_DRILL_INTERVAL (a quarter). Pure: the evidence comes in, a verdict out.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from catalog.services.models import DataClassification

DEFAULT_BACKUP_INTERVAL = timedelta(hours=24)
RESTORE_DRILL_INTERVAL = timedelta(days=92)
REQUIRES_READINESS = frozenset({DataClassification.CONFIDENTIAL, DataClassification.RESTRICTED})


class DataLossGap(StrEnum):
    NO_RECENT_BACKUP = "NO_RECENT_BACKUP"
    NO_RECENT_RESTORE_DRILL = "NO_RECENT_RESTORE_DRILL"


@dataclass(frozen=True)
class OrgEvidence:
    """An org's latest successful backup (its finish) and restore drill, and its own RPO."""

    org_id: uuid.UUID
    rpo_seconds: int | None
    last_backup_at: datetime | None
    last_drill_at: datetime | None


@dataclass(frozen=True)
class OrgReadiness:
    org_id: uuid.UUID
    backup_interval: timedelta
    last_backup_at: datetime | None
    last_drill_at: datetime | None
    gaps: tuple[DataLossGap, ...]


@dataclass(frozen=True)
class ServiceReadiness:
    required: bool
    orgs: tuple[OrgReadiness, ...]
    gaps: tuple[DataLossGap, ...]

    @property
    def ready(self) -> bool:
        return not self.gaps

    @property
    def last_backup_at(self) -> datetime | None:
        """The stalest of its orgs' latest backups: null when one of them has none."""
        return _stalest([org.last_backup_at for org in self.orgs])

    @property
    def last_drill_at(self) -> datetime | None:
        return _stalest([org.last_drill_at for org in self.orgs])


def _stalest(moments: list[datetime | None]) -> datetime | None:
    if not moments or any(moment is None for moment in moments):
        return None
    return min(moment for moment in moments if moment is not None)


def backup_interval(*, service_rpo_seconds: int | None, org_rpo_seconds: int | None) -> timedelta:
    """The service's RPO, else the org's, else DEFAULT_BACKUP_INTERVAL (an RPO of 0 too)."""
    seconds = service_rpo_seconds or org_rpo_seconds
    return timedelta(seconds=seconds) if seconds else DEFAULT_BACKUP_INTERVAL


def judge_org(evidence: OrgEvidence, *, interval: timedelta, now: datetime) -> OrgReadiness:
    gaps: list[DataLossGap] = []
    if evidence.last_backup_at is None or evidence.last_backup_at < now - interval:
        gaps.append(DataLossGap.NO_RECENT_BACKUP)
    if evidence.last_drill_at is None or evidence.last_drill_at < now - RESTORE_DRILL_INTERVAL:
        gaps.append(DataLossGap.NO_RECENT_RESTORE_DRILL)
    return OrgReadiness(
        org_id=evidence.org_id,
        backup_interval=interval,
        last_backup_at=evidence.last_backup_at,
        last_drill_at=evidence.last_drill_at,
        gaps=tuple(gaps),
    )


def judge_service(
    *,
    classification: DataClassification,
    service_rpo_seconds: int | None,
    orgs: Sequence[OrgEvidence],
    now: datetime,
) -> ServiceReadiness:
    """Its production orgs judged one by one; the service's gaps are theirs, when required."""
    judged = tuple(
        judge_org(
            evidence,
            interval=backup_interval(
                service_rpo_seconds=service_rpo_seconds, org_rpo_seconds=evidence.rpo_seconds
            ),
            now=now,
        )
        for evidence in orgs
    )
    required = classification in REQUIRES_READINESS
    found = {gap for org in judged for gap in org.gaps} if required else set()
    return ServiceReadiness(
        required=required,
        orgs=judged,
        gaps=tuple(gap for gap in DataLossGap if gap in found),
    )
