"""recordBackup and recordRestoreDrill: who may, what is refused, idempotency by externalId."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.backups.models import Backup, RestoreDrill
from core.clock import utcnow
from graphql_schema.node import global_id
from identity.audit import AuditEvent, AuditOutcome
from tests.builders.catalog import create_org, create_service
from tests.builders.identity import create_membership, create_person, create_team
from tests.graphql import data, without_cost
from tests.identity.idp import TestIssuer

RECORD_BACKUP = """
mutation Record($input: RecordBackupInput!) {
  recordBackup(input: $input) {
    backup { scope outcome records location source externalId recordedBy startedAt finishedAt }
    userErrors { field code }
  }
}
"""
RECORD_DRILL = """
mutation Drill($input: RecordRestoreDrillInput!) {
  recordRestoreDrill(input: $input) {
    restoreDrill { outcome recordsRestored durationSeconds notes recordedBy }
    userErrors { field code }
  }
}
"""
ORG_BACKUPS = """
query Org($id: ID!) {
  node(id: $id) {
    ... on SalesforceOrg {
      backups(first: 10) { totalCount nodes { externalId } }
      restoreDrills(first: 10) { nodes { notes } }
    }
  }
}
"""
FINISHED = utcnow().replace(microsecond=0) - timedelta(hours=2)


def _backup_input(org_id: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "input": {
            "salesforceOrgId": global_id("SalesforceOrg", org_id),
            "scope": "FULL",
            "startedAt": (FINISHED - timedelta(minutes=40)).isoformat(),
            "finishedAt": FINISHED.isoformat(),
            "outcome": "SUCCEEDED",
            "records": 120_000,
            "location": "s3://backups/crm/2026-12-06",
            "source": "OwnBackup",
            "externalId": "run-1",
            **overrides,
        }
    }


def _drill_input(org_id: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "input": {
            "salesforceOrgId": global_id("SalesforceOrg", org_id),
            "performedAt": FINISHED.isoformat(),
            "outcome": "SUCCEEDED",
            "recordsRestored": 5000,
            "durationSeconds": 1800,
            "notes": "Accounts restored into the UAT sandbox",
            **overrides,
        }
    }


async def _count(session: AsyncSession, model: type[Any]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_an_admin_records_a_backup_and_it_is_audited(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = await create_org(session)

    result = await data(client, RECORD_BACKUP, _backup_input(org.id))

    backup = result["recordBackup"]["backup"]
    assert result["recordBackup"]["userErrors"] == []
    assert {key: backup[key] for key in ("scope", "outcome", "records", "externalId")} == {
        "scope": "FULL",
        "outcome": "SUCCEEDED",
        "records": 120_000,
        "externalId": "run-1",
    }
    assert backup["recordedBy"].startswith(("person:", "subject:"))
    audited = await session.scalar(
        select(func.count()).where(
            AuditEvent.action == "recordBackup",
            AuditEvent.outcome == AuditOutcome.SUCCESS,
            AuditEvent.target_type == "Backup",
        )
    )
    assert audited == 1


async def test_a_repeat_of_an_external_id_returns_the_first_backup(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = await create_org(session)

    first = await data(client, RECORD_BACKUP, _backup_input(org.id))
    again = await data(client, RECORD_BACKUP, _backup_input(org.id, records=1))

    assert again == first
    assert await _count(session, Backup) == 1


async def test_a_backup_finished_before_it_started_with_negative_records_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = await create_org(session)
    given = _backup_input(
        org.id, finishedAt=(FINISHED - timedelta(hours=1)).isoformat(), records=-1
    )
    given["input"]["startedAt"] = FINISHED.isoformat()

    result = await data(client, RECORD_BACKUP, given)

    assert result == {
        "recordBackup": {
            "backup": None,
            "userErrors": [
                {"field": ["finishedAt"], "code": "INVALID"},
                {"field": ["records"], "code": "INVALID"},
            ],
        }
    }
    assert await _count(session, Backup) == 0


async def test_a_backup_of_an_unknown_org_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = await create_org(session)
    given = _backup_input(org.id)
    given["input"]["salesforceOrgId"] = global_id("SalesforceOrg", uuid.uuid4())

    result = await data(client, RECORD_BACKUP, given)

    assert result == {
        "recordBackup": {
            "backup": None,
            "userErrors": [{"field": ["salesforceOrgId"], "code": "NOT_FOUND"}],
        }
    }
    assert await _count(session, Backup) == 0


async def test_a_negative_drill_duration_is_refused_and_nothing_stored(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = await create_org(session)

    result = await data(client, RECORD_DRILL, _drill_input(org.id, durationSeconds=-5))

    assert result == {
        "recordRestoreDrill": {
            "restoreDrill": None,
            "userErrors": [{"field": ["durationSeconds"], "code": "INVALID"}],
        }
    }
    assert await _count(session, RestoreDrill) == 0


async def _post(
    client: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    return without_cost(response.json())


async def test_a_member_of_a_team_with_a_service_on_the_org_records_a_drill(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    person = await create_person(session, issuer=issuer.issuer, subject="dana")
    team = await create_team(session)
    await create_membership(session, person_id=person.id, team_id=team.id)
    org = await create_org(session)
    await create_service(session, owner_team_id=team.id, orgs=[org])

    body = await _post(oidc_client, issuer.token(sub="dana"), RECORD_DRILL, _drill_input(org.id))

    assert body == {
        "data": {
            "recordRestoreDrill": {
                "restoreDrill": {
                    "outcome": "SUCCEEDED",
                    "recordsRestored": 5000,
                    "durationSeconds": 1800,
                    "notes": "Accounts restored into the UAT sandbox",
                    "recordedBy": f"person:{person.id}",
                },
                "userErrors": [],
            }
        }
    }


async def test_a_member_of_another_team_is_forbidden_and_nothing_stored(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    person = await create_person(session, issuer=issuer.issuer, subject="eli")
    await create_membership(session, person_id=person.id, team_id=(await create_team(session)).id)
    org = await create_org(session)
    await create_service(session, orgs=[org])  # owned by some other team
    token = issuer.token(sub="eli")

    backup = await _post(oidc_client, token, RECORD_BACKUP, _backup_input(org.id))
    drill = await _post(oidc_client, token, RECORD_DRILL, _drill_input(org.id))

    for body in (backup, drill):
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await _count(session, Backup) == 0
    assert await _count(session, RestoreDrill) == 0


async def test_the_org_lists_its_backups_newest_first(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = await create_org(session)
    for hours, run in ((5, "older"), (1, "newest"), (3, "middle")):
        finished = utcnow().replace(microsecond=0) - timedelta(hours=hours)
        given = _backup_input(
            org.id,
            externalId=run,
            startedAt=(finished - timedelta(minutes=5)).isoformat(),
            finishedAt=finished.isoformat(),
        )
        await data(client, RECORD_BACKUP, given)
    await data(client, RECORD_DRILL, _drill_input(org.id))

    result = await data(client, ORG_BACKUPS, {"id": global_id("SalesforceOrg", org.id)})

    assert result == {
        "node": {
            "backups": {
                "totalCount": 3,
                "nodes": [
                    {"externalId": "newest"},
                    {"externalId": "middle"},
                    {"externalId": "older"},
                ],
            },
            "restoreDrills": {"nodes": [{"notes": "Accounts restored into the UAT sandbox"}]},
        }
    }
