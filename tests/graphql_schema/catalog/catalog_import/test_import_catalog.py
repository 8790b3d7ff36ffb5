"""`importCatalog`: the per-record report over GraphQL, ADMIN only, bad content refused."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service
from core.settings import load_settings
from identity.audit import AuditEvent
from tests.builders.identity import create_team
from tests.graphql import gql

IMPORT = """
mutation($input: ImportCatalogInput!) {
  importCatalog(input: $input) {
    report {
      dryRun created updated unchanged refused skipped
      records { source kind name outcome reason changedFields }
    }
    userErrors { field message code }
  }
}
"""
CONTENT = """
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: case-routing, title: Case Routing}
spec: {lifecycle: production, owner: group:default/crm-team, dependsOn: [component:case-sync]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: case-sync}
spec: {lifecycle: deprecated, owner: crm-team}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: ledger}
spec: {lifecycle: production, owner: finance}
"""


def _input(content: str, format: str = "BACKSTAGE", **more: Any) -> dict[str, Any]:
    return {"input": {"format": format, "content": content, **more}}


def _record(source: str, name: str, outcome: str, reason: str | None = None) -> dict[str, Any]:
    return {
        "source": source,
        "kind": "Component",
        "name": name,
        "outcome": outcome,
        "reason": reason,
        "changedFields": [],
    }


async def _services(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Service)) or 0)


async def test_an_admin_imports_and_gets_a_report_per_record(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_team(session, slug="crm-team")

    body = await gql(client, IMPORT, _input(CONTENT))

    assert body == {
        "data": {
            "importCatalog": {
                "report": {
                    "dryRun": False,
                    "created": 2,
                    "updated": 0,
                    "unchanged": 0,
                    "refused": 1,
                    "skipped": 0,
                    "records": [
                        _record("content#1", "case-routing", "CREATED"),
                        _record("content#2", "case-sync", "CREATED"),
                        _record(
                            "content#3",
                            "ledger",
                            "REFUSED",
                            "owner team 'finance' not found (spec.owner names a Group: a team"
                            " slug)",
                        ),
                    ],
                },
                "userErrors": [],
            }
        }
    }
    assert await _services(session) == 2
    audited = await session.scalar(
        select(AuditEvent.outcome).where(AuditEvent.action == "importCatalog")
    )
    assert audited == "SUCCESS"


async def test_a_dry_run_over_graphql_writes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_team(session, slug="crm-team")

    body = await gql(client, IMPORT, _input(CONTENT, dryRun=True))

    report = body["data"]["importCatalog"]["report"]
    assert (report["dryRun"], report["created"], report["refused"]) == (True, 2, 1)
    assert await _services(session) == 0


async def test_a_csv_without_its_header_is_refused_as_a_whole(client: httpx.AsyncClient) -> None:
    body = await gql(client, IMPORT, _input("slug,name\nbilling,Billing\n", "CSV"))

    assert body == {
        "data": {
            "importCatalog": {
                "report": None,
                "userErrors": [
                    {
                        "field": ["content"],
                        "message": "the CSV header is slug,name,owner,lifecycle[,tier]"
                        "[,description][,tags][,system][,depends_on][,salesforce_org_ids]"
                        "[,data_classification][,compliance_regimes][,runbook_url]"
                        "[,repo_url][,dashboard_url]; missing owner, lifecycle",
                        "code": "INVALID",
                    }
                ],
            }
        }
    }


async def test_content_over_the_bound_is_refused(client: httpx.AsyncClient) -> None:
    body = await gql(client, IMPORT, _input("#" * 1_000_001))

    assert body["data"]["importCatalog"]["userErrors"] == [
        {
            "field": ["content"],
            "message": "content is at most 1000000 characters",
            "code": "TOO_LONG",
        }
    ]


async def test_anyone_but_an_admin_is_forbidden_and_nothing_is_written(
    make_client: Any, session: AsyncSession
) -> None:
    await create_team(session, slug="crm-team")
    settings = load_settings(
        database_url="postgresql://unused/unused", dev_roles="PRODUCT_OWNER", _env_file=None
    )
    owner = await make_client(settings)

    body = await gql(owner, IMPORT, _input(CONTENT))

    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]
    assert await _services(session) == 0
