"""Service.dataLossReadiness, SalesforceOrg.dataLossReadiness and kpiSummary.dataLossAtRisk:
CONFIDENTIAL and RESTRICTED services need recent backups and drills on their production
orgs; the answer costs the same statements for any number of services."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.backups.models import BackupOutcome
from catalog.orgs.models import OrgKind, SalesforceOrg
from catalog.services.models import DataClassification
from core.clock import utcnow
from graphql_schema.node import global_id
from tests.builders.backups import create_backup, create_restore_drill
from tests.builders.catalog import create_org, create_service
from tests.conftest import StatementCounter
from tests.graphql import data

SERVICE = """
query Service($slug: String!) {
  service(slug: $slug) {
    dataLossReadiness {
      required ready gaps lastSuccessfulBackupAt lastSuccessfulRestoreDrillAt
      orgs { org { name } backupIntervalSeconds ready gaps }
    }
  }
}
"""
SERVICES = """
{ services(first: 50) { nodes { slug dataLossReadiness { ready gaps } } } }
"""
ORG = """
query Org($id: ID!) {
  node(id: $id) {
    ... on SalesforceOrg {
      dataLossReadiness { ready gaps lastSuccessfulBackupAt backupIntervalSeconds }
    }
  }
}
"""
KPI = "{ kpiSummary(scope: ORGANISATION) { dataLossAtRisk } }"
RESTRICTED = DataClassification.RESTRICTED


async def _org_with_evidence(
    session: AsyncSession,
    *,
    backup_hours_ago: int | None,
    drill_days_ago: int | None,
    **org: object,
) -> SalesforceOrg:
    created = await create_org(session, **org)
    now = utcnow().replace(microsecond=0)
    if backup_hours_ago is not None:
        await create_backup(
            session,
            salesforce_org_id=created.id,
            finished_at=now - timedelta(hours=backup_hours_ago),
        )
    if drill_days_ago is not None:
        await create_restore_drill(
            session, salesforce_org_id=created.id, performed_at=now - timedelta(days=drill_days_ago)
        )
    return created


async def test_a_restricted_service_without_a_drill_this_quarter_is_flagged(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    fresh = await _org_with_evidence(
        session, backup_hours_ago=2, drill_days_ago=30, name="Fresh", backup_rpo_seconds=6 * 3600
    )
    stale = await _org_with_evidence(session, backup_hours_ago=1, drill_days_ago=120, name="Stale")
    sandbox = await create_org(session, kind=OrgKind.SANDBOX, parent_id=fresh.id)
    await create_service(
        session, slug="billing", data_classification=RESTRICTED, orgs=[fresh, stale, sandbox]
    )

    result = await data(client, SERVICE, {"slug": "billing"})

    readiness = result["service"]["dataLossReadiness"]
    assert readiness["required"] is True
    assert readiness["ready"] is False
    assert readiness["gaps"] == ["NO_RECENT_RESTORE_DRILL"]
    assert readiness["lastSuccessfulRestoreDrillAt"] is not None
    assert readiness["orgs"] == [
        {"org": {"name": "Fresh"}, "backupIntervalSeconds": 6 * 3600, "ready": True, "gaps": []},
        {
            "org": {"name": "Stale"},
            "backupIntervalSeconds": 24 * 3600,
            "ready": False,
            "gaps": ["NO_RECENT_RESTORE_DRILL"],
        },
    ]


async def test_a_failed_backup_does_not_count_and_an_old_one_is_too_old(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = await _org_with_evidence(session, backup_hours_ago=30, drill_days_ago=10)
    await create_backup(
        session,
        salesforce_org_id=org.id,
        finished_at=utcnow() - timedelta(hours=1),
        outcome=BackupOutcome.FAILED,
    )
    await create_service(
        session, slug="consent", data_classification=DataClassification.CONFIDENTIAL, orgs=[org]
    )

    result = await data(client, SERVICE, {"slug": "consent"})

    assert result["service"]["dataLossReadiness"]["gaps"] == ["NO_RECENT_BACKUP"]


async def test_an_internal_service_is_ready_with_no_requirement(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = await _org_with_evidence(session, backup_hours_ago=None, drill_days_ago=None, name="Bare")
    await create_service(
        session, slug="events", data_classification=DataClassification.INTERNAL, orgs=[org]
    )

    result = await data(client, SERVICE, {"slug": "events"})

    assert result["service"]["dataLossReadiness"] == {
        "required": False,
        "ready": True,
        "gaps": [],
        "lastSuccessfulBackupAt": None,
        "lastSuccessfulRestoreDrillAt": None,
        "orgs": [
            {
                "org": {"name": "Bare"},
                "backupIntervalSeconds": 24 * 3600,
                "ready": False,
                "gaps": ["NO_RECENT_BACKUP", "NO_RECENT_RESTORE_DRILL"],
            }
        ],
    }


async def test_the_org_shows_its_own_readiness(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = await _org_with_evidence(
        session, backup_hours_ago=3, drill_days_ago=200, backup_rpo_seconds=3600
    )

    result = await data(client, ORG, {"id": global_id("SalesforceOrg", org.id)})

    readiness = result["node"]["dataLossReadiness"]
    assert readiness["ready"] is False
    assert readiness["gaps"] == ["NO_RECENT_BACKUP", "NO_RECENT_RESTORE_DRILL"]
    assert readiness["backupIntervalSeconds"] == 3600
    assert readiness["lastSuccessfulBackupAt"] is not None


async def test_kpi_summary_counts_the_services_at_risk(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    ready = await _org_with_evidence(session, backup_hours_ago=1, drill_days_ago=5)
    stale = await _org_with_evidence(session, backup_hours_ago=48, drill_days_ago=5)
    await create_service(session, data_classification=RESTRICTED, orgs=[ready])
    await create_service(session, data_classification=RESTRICTED, orgs=[stale])
    await create_service(session, data_classification=DataClassification.CONFIDENTIAL, orgs=[stale])
    await create_service(session, data_classification=DataClassification.PUBLIC, orgs=[stale])

    result = await data(client, KPI)

    assert result == {"kpiSummary": {"dataLossAtRisk": 2}}


async def _statements_for(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter, n: int
) -> int:
    for _ in range(n):
        org = await _org_with_evidence(session, backup_hours_ago=1, drill_days_ago=5)
        await create_service(session, data_classification=RESTRICTED, orgs=[org])
    await data(client, SERVICES)  # warm: the caller's identity, the plan's caches
    count_statements.reset()
    result = await data(client, SERVICES)
    assert all(node["dataLossReadiness"]["ready"] for node in result["services"]["nodes"])
    return count_statements.count


async def test_readiness_costs_the_same_statements_for_any_number_of_services(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    few = await _statements_for(client, session, count_statements, 2)
    many = await _statements_for(client, session, count_statements, 10)

    assert many == few
