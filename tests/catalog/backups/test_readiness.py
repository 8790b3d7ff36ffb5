"""The data-loss verdict: backups within the interval, drills within a quarter, only for
CONFIDENTIAL and RESTRICTED data."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from catalog.backups.readiness import (
    DataLossGap,
    OrgEvidence,
    backup_interval,
    judge_service,
)
from catalog.services.models import DataClassification

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


def _org(
    *, backup_hours_ago: float | None, drill_days_ago: float | None, rpo: int | None = None
) -> OrgEvidence:
    return OrgEvidence(
        org_id=uuid.uuid4(),
        rpo_seconds=rpo,
        last_backup_at=None
        if backup_hours_ago is None
        else NOW - timedelta(hours=backup_hours_ago),
        last_drill_at=None if drill_days_ago is None else NOW - timedelta(days=drill_days_ago),
    )


def test_a_restricted_service_with_fresh_evidence_is_ready() -> None:
    verdict = judge_service(
        classification=DataClassification.RESTRICTED,
        service_rpo_seconds=None,
        orgs=[_org(backup_hours_ago=3, drill_days_ago=30)],
        now=NOW,
    )

    assert verdict.required
    assert verdict.ready
    assert verdict.gaps == ()
    assert verdict.last_backup_at == NOW - timedelta(hours=3)


def test_a_backup_older_than_the_default_day_is_a_gap() -> None:
    verdict = judge_service(
        classification=DataClassification.CONFIDENTIAL,
        service_rpo_seconds=None,
        orgs=[_org(backup_hours_ago=25, drill_days_ago=10)],
        now=NOW,
    )

    assert verdict.gaps == (DataLossGap.NO_RECENT_BACKUP,)
    assert not verdict.ready


def test_the_services_rpo_comes_before_the_orgs() -> None:
    org = _org(backup_hours_ago=5, drill_days_ago=10, rpo=12 * 3600)

    tight = judge_service(
        classification=DataClassification.RESTRICTED,
        service_rpo_seconds=4 * 3600,
        orgs=[org],
        now=NOW,
    )
    loose = judge_service(
        classification=DataClassification.RESTRICTED, service_rpo_seconds=None, orgs=[org], now=NOW
    )

    assert tight.gaps == (DataLossGap.NO_RECENT_BACKUP,)
    assert loose.ready
    assert backup_interval(service_rpo_seconds=None, org_rpo_seconds=None) == timedelta(hours=24)


def test_no_drill_within_a_quarter_is_a_gap_on_any_org() -> None:
    verdict = judge_service(
        classification=DataClassification.RESTRICTED,
        service_rpo_seconds=None,
        orgs=[
            _org(backup_hours_ago=1, drill_days_ago=20),
            _org(backup_hours_ago=1, drill_days_ago=93),
        ],
        now=NOW,
    )

    assert verdict.gaps == (DataLossGap.NO_RECENT_RESTORE_DRILL,)
    assert verdict.last_drill_at == NOW - timedelta(days=93)


def test_an_org_never_backed_up_has_both_gaps_and_no_dates() -> None:
    verdict = judge_service(
        classification=DataClassification.CONFIDENTIAL,
        service_rpo_seconds=None,
        orgs=[_org(backup_hours_ago=None, drill_days_ago=None)],
        now=NOW,
    )

    assert verdict.gaps == (DataLossGap.NO_RECENT_BACKUP, DataLossGap.NO_RECENT_RESTORE_DRILL)
    assert verdict.last_backup_at is None
    assert verdict.last_drill_at is None


def test_public_and_internal_services_are_ready_with_no_requirement() -> None:
    for classification in (DataClassification.PUBLIC, DataClassification.INTERNAL):
        verdict = judge_service(
            classification=classification,
            service_rpo_seconds=None,
            orgs=[_org(backup_hours_ago=None, drill_days_ago=None)],
            now=NOW,
        )

        assert not verdict.required
        assert verdict.ready
        assert verdict.orgs[0].gaps  # the org's own evidence is still shown
