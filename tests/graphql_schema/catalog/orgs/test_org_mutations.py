"""createSalesforceOrg and updateSalesforceOrg: org ids, kinds, parents and expiry."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs.models import OrgKind, SalesforceOrg
from graphql_schema.node import global_id
from tests.builders.catalog import create_org
from tests.graphql import data

CREATE_ORG = """
mutation CreateOrg($input: CreateSalesforceOrgInput!) {
  createSalesforceOrg(input: $input) {
    salesforceOrg {
      orgId
      name
      instanceUrl
      kind
      parent { orgId name }
      lastRefreshedAt
      expiresAt
      credentialsRef
      backupPolicy { provider rpoSeconds lastVerifiedRestoreAt }
      version
    }
    userErrors { field message code }
  }
}
"""
UPDATE_ORG = """
mutation UpdateOrg($input: UpdateSalesforceOrgInput!) {
  updateSalesforceOrg(input: $input) {
    salesforceOrg { orgId name kind parent { name } expiresAt version }
    userErrors { field message code }
  }
}
"""

# Salesforce's own documented pair: the 15-character id and its 18-character form.
FIFTEEN = "00D000000000062"
EIGHTEEN = "00D000000000062EAA"


def _org_input(**overrides: Any) -> dict[str, Any]:
    return {
        "orgId": FIFTEEN,
        "name": "EMEA production",
        "instanceUrl": "https://emea.my.salesforce.com/",
        "kind": "PRODUCTION",
        **overrides,
    }


async def _org_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(SalesforceOrg)) or 0)


async def _org_row(session: AsyncSession, org: SalesforceOrg) -> dict[str, Any]:
    table = SalesforceOrg.__table__
    row = (await session.execute(select(table).where(table.c.id == org.id))).one()
    return dict(row._mapping)


async def _refused_create(
    client: httpx.AsyncClient, session: AsyncSession, org_input: dict[str, Any]
) -> list[dict[str, Any]]:
    """The userErrors of a refused createSalesforceOrg, after checking nothing was stored."""
    before = await _org_count(session)
    result = await data(client, CREATE_ORG, {"input": org_input})
    payload = result["createSalesforceOrg"]
    assert payload["salesforceOrg"] is None
    assert await _org_count(session) == before
    errors: list[dict[str, Any]] = payload["userErrors"]
    return errors


async def _refused_update(
    client: httpx.AsyncClient, session: AsyncSession, org: SalesforceOrg, changes: dict[str, Any]
) -> list[dict[str, Any]]:
    """The userErrors of a refused updateSalesforceOrg, after checking the row did not change."""
    before = await _org_row(session, org)
    update = {"id": global_id("SalesforceOrg", org.id), "version": org.version, **changes}
    result = await data(client, UPDATE_ORG, {"input": update})
    payload = result["updateSalesforceOrg"]
    assert payload["salesforceOrg"] is None
    assert await _org_row(session, org) == before
    errors: list[dict[str, Any]] = payload["userErrors"]
    return errors


async def test_fifteen_character_org_id_is_stored_as_eighteen(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    org_input = _org_input(
        credentialsRef="emea",
        backupPolicy={
            "provider": "OwnBackup",
            "rpoSeconds": 86400,
            "lastVerifiedRestoreAt": "2026-02-01T09:30:00+01:00",
        },
    )

    result = await data(client, CREATE_ORG, {"input": org_input})

    assert result["createSalesforceOrg"] == {
        "salesforceOrg": {
            "orgId": EIGHTEEN,
            "name": "EMEA production",
            "instanceUrl": "https://emea.my.salesforce.com",
            "kind": "PRODUCTION",
            "parent": None,
            "lastRefreshedAt": None,
            "expiresAt": None,
            "credentialsRef": "emea",
            "backupPolicy": {
                "provider": "OwnBackup",
                "rpoSeconds": 86400,
                "lastVerifiedRestoreAt": "2026-02-01T08:30:00+00:00",
            },
            "version": 1,
        },
        "userErrors": [],
    }


async def test_eighteen_character_org_id_with_a_bad_checksum_is_invalid(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    errors = await _refused_create(client, session, _org_input(orgId="00D000000000062AAA"))

    assert errors == [
        {
            "field": ["orgId"],
            "message": "the checksum of 00D000000000062AAA should be EAA",
            "code": "INVALID",
        }
    ]


async def test_org_id_with_another_prefix_is_invalid(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    errors = await _refused_create(client, session, _org_input(orgId="001D000000IqhSL"))

    assert errors == [
        {"field": ["orgId"], "message": "an org id starts with 00D", "code": "INVALID"}
    ]


async def test_org_id_of_the_wrong_length_is_invalid(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    errors = await _refused_create(client, session, _org_input(orgId="00D00000000006"))

    assert errors == [
        {
            "field": ["orgId"],
            "message": "an org id has 15 or 18 letters and digits",
            "code": "INVALID",
        }
    ]


async def test_org_already_in_the_catalog_is_a_duplicate_in_either_form(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_org(session, org_id=EIGHTEEN)

    errors = await _refused_create(client, session, _org_input(orgId=FIFTEEN))

    assert errors == [
        {
            "field": ["orgId"],
            "message": f"org {EIGHTEEN} is already in the catalog",
            "code": "DUPLICATE",
        }
    ]


async def test_blank_instance_url_is_required(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    errors = await _refused_create(client, session, _org_input(instanceUrl=" "))

    assert errors == [
        {"field": ["instanceUrl"], "message": "instanceUrl is required", "code": "REQUIRED"}
    ]


async def test_sandbox_of_a_production_org_names_its_parent(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    production = await create_org(session, name="EMEA production")

    result = await data(
        client,
        CREATE_ORG,
        {
            "input": _org_input(
                name="EMEA UAT",
                kind="SANDBOX",
                parentId=global_id("SalesforceOrg", production.id),
                lastRefreshedAt="2026-03-01T00:00:00Z",
            )
        },
    )

    payload = result["createSalesforceOrg"]
    assert payload["userErrors"] == []
    assert payload["salesforceOrg"]["kind"] == "SANDBOX"
    assert payload["salesforceOrg"]["parent"] == {
        "orgId": production.org_id,
        "name": "EMEA production",
    }
    assert payload["salesforceOrg"]["lastRefreshedAt"] == "2026-03-01T00:00:00+00:00"


async def test_sandbox_of_a_sandbox_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    production = await create_org(session)
    sandbox = await create_org(session, kind=OrgKind.SANDBOX, parent_id=production.id)

    errors = await _refused_create(
        client,
        session,
        _org_input(kind="SANDBOX", parentId=global_id("SalesforceOrg", sandbox.id)),
    )

    assert errors == [
        {
            "field": ["parentId"],
            "message": "the parent of an org is a production org",
            "code": "INVALID",
        }
    ]


async def test_production_org_with_a_parent_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    production = await create_org(session)

    errors = await _refused_create(
        client, session, _org_input(parentId=global_id("SalesforceOrg", production.id))
    )

    assert errors == [
        {
            "field": ["parentId"],
            "message": "a production org has no parent org",
            "code": "INVALID",
        }
    ]


async def test_unknown_parent_org_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    production = await create_org(session)
    parent_id = global_id("SalesforceOrg", production.id)
    await session.delete(production)
    await session.flush()

    errors = await _refused_create(client, session, _org_input(kind="SANDBOX", parentId=parent_id))

    assert errors == [
        {"field": ["parentId"], "message": "parent org not found", "code": "NOT_FOUND"}
    ]


async def test_scratch_org_may_expire(client: httpx.AsyncClient, session: AsyncSession) -> None:
    result = await data(
        client,
        CREATE_ORG,
        {"input": _org_input(kind="SCRATCH", expiresAt="2026-04-01T12:00:00Z")},
    )

    payload = result["createSalesforceOrg"]
    assert payload["userErrors"] == []
    assert payload["salesforceOrg"]["expiresAt"] == "2026-04-01T12:00:00+00:00"


async def test_sandbox_that_expires_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    errors = await _refused_create(
        client, session, _org_input(kind="SANDBOX", expiresAt="2026-04-01T12:00:00Z")
    )

    assert errors == [
        {"field": ["expiresAt"], "message": "only scratch orgs expire", "code": "INVALID"}
    ]


async def test_production_org_that_was_refreshed_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    errors = await _refused_create(
        client, session, _org_input(lastRefreshedAt="2026-03-01T00:00:00Z")
    )

    assert errors == [
        {
            "field": ["lastRefreshedAt"],
            "message": "only sandboxes are refreshed",
            "code": "INVALID",
        }
    ]


async def test_negative_backup_rpo_is_invalid(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    errors = await _refused_create(client, session, _org_input(backupPolicy={"rpoSeconds": -1}))

    assert errors == [
        {
            "field": ["backupPolicy", "rpoSeconds"],
            "message": "backupPolicy.rpoSeconds must not be negative",
            "code": "INVALID",
        }
    ]


async def test_update_renames_and_increments_the_version(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = await create_org(session, name="Old name")

    result = await data(
        client,
        UPDATE_ORG,
        {"input": {"id": global_id("SalesforceOrg", org.id), "version": 1, "name": "New name"}},
    )

    assert result["updateSalesforceOrg"] == {
        "salesforceOrg": {
            "orgId": org.org_id,
            "name": "New name",
            "kind": "PRODUCTION",
            "parent": None,
            "expiresAt": None,
            "version": 2,
        },
        "userErrors": [],
    }


async def test_update_with_a_stale_version_is_refused_with_conflict(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = await create_org(session, name="Old name")
    org_id = global_id("SalesforceOrg", org.id)
    await data(client, UPDATE_ORG, {"input": {"id": org_id, "version": 1, "name": "Newer"}})
    await session.refresh(org)

    errors = await _refused_update(client, session, org, {"version": 1, "name": "Late"})

    assert errors == [
        {
            "field": ["version"],
            "message": "the record changed since you read it (version 1, now 2); "
            "reload and try again",
            "code": "CONFLICT",
        }
    ]


async def test_scratch_org_that_expires_cannot_become_a_sandbox(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    production = await create_org(session)
    scratch = await create_org(
        session,
        kind=OrgKind.SCRATCH,
        parent_id=production.id,
        expires_at=datetime(2026, 4, 1, tzinfo=UTC),
    )

    errors = await _refused_update(client, session, scratch, {"kind": "SANDBOX"})

    assert errors == [
        {"field": ["expiresAt"], "message": "only scratch orgs expire", "code": "INVALID"}
    ]


async def test_scratch_org_becomes_a_sandbox_when_its_expiry_is_cleared(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    production = await create_org(session)
    scratch = await create_org(
        session,
        kind=OrgKind.SCRATCH,
        parent_id=production.id,
        expires_at=datetime(2026, 4, 1, tzinfo=UTC),
    )

    result = await data(
        client,
        UPDATE_ORG,
        {
            "input": {
                "id": global_id("SalesforceOrg", scratch.id),
                "version": 1,
                "kind": "SANDBOX",
                "expiresAt": None,
            }
        },
    )

    payload = result["updateSalesforceOrg"]
    assert payload["userErrors"] == []
    assert (payload["salesforceOrg"]["kind"], payload["salesforceOrg"]["expiresAt"]) == (
        "SANDBOX",
        None,
    )


async def test_production_org_with_sandboxes_stays_production(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    production = await create_org(session)
    other = await create_org(session)
    await create_org(session, kind=OrgKind.SANDBOX, parent_id=production.id)

    errors = await _refused_update(
        client,
        session,
        production,
        {"kind": "SANDBOX", "parentId": global_id("SalesforceOrg", other.id)},
    )

    assert errors == [
        {
            "field": ["kind"],
            "message": "other orgs name this org as their production org; it stays PRODUCTION",
            "code": "INVALID",
        }
    ]


async def test_update_to_an_org_id_already_in_the_catalog_is_a_duplicate(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_org(session, org_id=EIGHTEEN)
    org = await create_org(session)

    errors = await _refused_update(client, session, org, {"orgId": FIFTEEN})

    assert errors == [
        {
            "field": ["orgId"],
            "message": f"org {EIGHTEEN} is already in the catalog",
            "code": "DUPLICATE",
        }
    ]
