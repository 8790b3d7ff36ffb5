"""createService and updateService: what is stored, what comes back, and what is refused."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service, Tier
from catalog.services.repository import salesforce_org_ids
from graphql_schema.node import global_id
from identity.models import Team
from tests.builders.catalog import create_org, create_service
from tests.builders.identity import create_business_unit, create_team
from tests.graphql import data

CREATE_SERVICE = """
mutation CreateService($input: CreateServiceInput!) {
  createService(input: $input) {
    service {
      slug
      name
      description
      tier
      lifecycle
      tags
      links { runbook repo dashboard }
      salesforceKey
      dataClassification
      complianceRegimes
      businessCalendar { timeZone weeklyHours { day start end } holidays }
      backupPolicy { rpoSeconds rtoSeconds lastVerifiedRestoreAt }
      reviewIntervalDays
      version
      ownerTeam { slug name businessUnit { name } }
      salesforceOrgs { orgId name }
    }
    userErrors { field message code }
  }
}
"""
UPDATE_SERVICE = """
mutation UpdateService($input: UpdateServiceInput!) {
  updateService(input: $input) {
    service {
      slug
      name
      description
      tier
      lifecycle
      tags
      links { runbook repo dashboard }
      salesforceKey
      businessCalendar { timeZone }
      backupPolicy { rpoSeconds rtoSeconds lastVerifiedRestoreAt }
      version
      salesforceOrgs { name }
    }
    userErrors { field message code }
  }
}
"""

NINE_TO_FIVE = {
    "timeZone": "Europe/Paris",
    "weeklyHours": [
        {"day": "MONDAY", "start": "09:00", "end": "12:30"},
        {"day": "MONDAY", "start": "13:30", "end": "17:00"},
        {"day": "FRIDAY", "start": "09:00", "end": "16:00"},
    ],
    "holidays": ["2026-12-25", "2026-05-01"],
}


async def _team(session: AsyncSession) -> Team:
    unit = await create_business_unit(session, name="Sales")
    return await create_team(
        session, name="Revenue Cloud", slug="revenue-cloud", business_unit_id=unit.id
    )


def _minimal_input(team: Team, **overrides: Any) -> dict[str, Any]:
    return {
        "slug": "quote-to-cash",
        "name": "Quote to cash",
        "ownerTeamId": global_id("Team", team.id),
        "tier": "TIER_1",
        **overrides,
    }


async def _service_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Service)) or 0)


async def _service_row(session: AsyncSession, service: Service) -> dict[str, Any]:
    """The stored row as the database has it now, past any session cache."""
    row = (await session.execute(select(Service.__table__).where(Service.id == service.id))).one()
    return dict(row._mapping)


async def _refused_create(
    client: httpx.AsyncClient, session: AsyncSession, service_input: dict[str, Any]
) -> list[dict[str, Any]]:
    """The userErrors of a refused createService, after checking nothing was stored."""
    result = await data(client, CREATE_SERVICE, {"input": service_input})
    payload = result["createService"]
    assert payload["service"] is None
    assert await _service_count(session) == 0
    errors: list[dict[str, Any]] = payload["userErrors"]
    return errors


async def _refused_update(
    client: httpx.AsyncClient, session: AsyncSession, service: Service, changes: dict[str, Any]
) -> list[dict[str, Any]]:
    """The userErrors of a refused updateService, after checking the row did not change."""
    before = await _service_row(session, service)
    changes = {"id": global_id("Service", service.id), "version": service.version, **changes}
    result = await data(client, UPDATE_SERVICE, {"input": changes})
    payload = result["updateService"]
    assert payload["service"] is None
    assert await _service_row(session, service) == before
    errors: list[dict[str, Any]] = payload["userErrors"]
    return errors


# --- createService ---------------------------------------------------------------------------


async def test_create_service_stores_every_field_and_returns_the_owner_team(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)
    first = await create_org(session, name="EMEA production")
    second = await create_org(session, name="Americas production")
    service_input = _minimal_input(
        team,
        description="  Quotes, orders and invoices  ",
        lifecycle="LIVE",
        tags=["sales", " billing ", "sales", ""],
        links={
            "runbook": "https://wiki.example.test/q2c",
            "repo": "https://git.example.test/q2c",
            "dashboard": "http://grafana.example.test/d/q2c",
        },
        salesforceOrgIds=[
            global_id("SalesforceOrg", second.id),
            global_id("SalesforceOrg", first.id),
        ],
        dataClassification="CONFIDENTIAL",
        complianceRegimes=["sox", "GDPR"],
        businessCalendar=NINE_TO_FIVE,
        backupPolicy={
            "rpoSeconds": 3600,
            "rtoSeconds": 14400,
            "lastVerifiedRestoreAt": "2026-01-15T10:00:00+02:00",
        },
        reviewIntervalDays=30,
    )

    result = await data(client, CREATE_SERVICE, {"input": service_input})

    assert result["createService"] == {
        "service": {
            "slug": "quote-to-cash",
            "name": "Quote to cash",
            "description": "Quotes, orders and invoices",
            "tier": "TIER_1",
            "lifecycle": "LIVE",
            "tags": ["sales", "billing"],
            "links": {
                "runbook": "https://wiki.example.test/q2c",
                "repo": "https://git.example.test/q2c",
                "dashboard": "http://grafana.example.test/d/q2c",
            },
            "salesforceKey": "quote-to-cash",
            "dataClassification": "CONFIDENTIAL",
            "complianceRegimes": ["SOX", "GDPR"],
            "businessCalendar": {
                "timeZone": "Europe/Paris",
                "weeklyHours": NINE_TO_FIVE["weeklyHours"],
                "holidays": ["2026-05-01", "2026-12-25"],
            },
            "backupPolicy": {
                "rpoSeconds": 3600,
                "rtoSeconds": 14400,
                "lastVerifiedRestoreAt": "2026-01-15T08:00:00+00:00",
            },
            "reviewIntervalDays": 30,
            "version": 1,
            "ownerTeam": {
                "slug": "revenue-cloud",
                "name": "Revenue Cloud",
                "businessUnit": {"name": "Sales"},
            },
            "salesforceOrgs": [
                {"orgId": second.org_id, "name": "Americas production"},
                {"orgId": first.org_id, "name": "EMEA production"},
            ],
        },
        "userErrors": [],
    }


async def test_create_service_with_only_required_fields_takes_the_defaults(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)

    result = await data(client, CREATE_SERVICE, {"input": _minimal_input(team)})

    service = result["createService"]["service"]
    assert result["createService"]["userErrors"] == []
    assert {
        key: service[key]
        for key in (
            "description",
            "lifecycle",
            "tags",
            "links",
            "salesforceKey",
            "dataClassification",
            "complianceRegimes",
            "businessCalendar",
            "backupPolicy",
            "reviewIntervalDays",
            "salesforceOrgs",
        )
    } == {
        "description": "",
        "lifecycle": "PLANNED",
        "tags": [],
        "links": {"runbook": None, "repo": None, "dashboard": None},
        "salesforceKey": "quote-to-cash",
        "dataClassification": "INTERNAL",
        "complianceRegimes": [],
        "businessCalendar": None,
        "backupPolicy": {"rpoSeconds": None, "rtoSeconds": None, "lastVerifiedRestoreAt": None},
        "reviewIntervalDays": 90,
        "salesforceOrgs": [],
    }


async def test_create_service_keeps_an_explicit_salesforce_key(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)

    result = await data(
        client, CREATE_SERVICE, {"input": _minimal_input(team, salesforceKey=" Q2C ")}
    )

    assert result["createService"]["service"]["salesforceKey"] == "Q2C"


async def test_duplicate_slug_is_refused(client: httpx.AsyncClient, session: AsyncSession) -> None:
    team = await _team(session)
    await create_service(session, slug="quote-to-cash", owner_team_id=team.id)

    result = await data(client, CREATE_SERVICE, {"input": _minimal_input(team)})

    assert result["createService"] == {
        "service": None,
        "userErrors": [
            {
                "field": ["slug"],
                "message": "a service with slug 'quote-to-cash' already exists",
                "code": "DUPLICATE",
            }
        ],
    }
    assert await _service_count(session) == 1


async def test_over_long_name_is_refused(client: httpx.AsyncClient, session: AsyncSession) -> None:
    team = await _team(session)

    errors = await _refused_create(client, session, _minimal_input(team, name="x" * 201))

    assert errors == [
        {"field": ["name"], "message": "name is at most 200 characters", "code": "TOO_LONG"}
    ]


async def test_blank_name_is_required(client: httpx.AsyncClient, session: AsyncSession) -> None:
    team = await _team(session)

    errors = await _refused_create(client, session, _minimal_input(team, name="   "))

    assert errors == [{"field": ["name"], "message": "name must not be empty", "code": "REQUIRED"}]


async def test_slug_with_capitals_and_spaces_is_invalid(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)

    errors = await _refused_create(client, session, _minimal_input(team, slug="Quote to Cash"))

    assert errors == [
        {
            "field": ["slug"],
            "message": "slug must be lower-case letters and digits separated by single hyphens",
            "code": "INVALID",
        }
    ]


async def test_unknown_owner_team_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    gone = await _team(session)
    team_id = global_id("Team", gone.id)
    await session.delete(gone)
    await session.flush()

    errors = await _refused_create(
        client, session, {**_minimal_input(gone), "ownerTeamId": team_id}
    )

    assert errors == [
        {"field": ["ownerTeamId"], "message": "owner team not found", "code": "NOT_FOUND"}
    ]


async def test_malformed_owner_team_id_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)

    errors = await _refused_create(client, session, _minimal_input(team, ownerTeamId="not-an-id"))

    assert errors == [
        {"field": ["ownerTeamId"], "message": "ownerTeamId is not a valid id", "code": "NOT_FOUND"}
    ]


async def test_owner_team_id_naming_another_type_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)
    unit_id = global_id("BusinessUnit", team.business_unit_id)

    errors = await _refused_create(client, session, _minimal_input(team, ownerTeamId=unit_id))

    assert errors == [
        {
            "field": ["ownerTeamId"],
            "message": "ownerTeamId does not name a Team",
            "code": "NOT_FOUND",
        }
    ]


async def test_unknown_salesforce_org_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)
    org = await create_org(session)
    org_id = global_id("SalesforceOrg", org.id)
    await session.delete(org)
    await session.flush()

    errors = await _refused_create(client, session, _minimal_input(team, salesforceOrgIds=[org_id]))

    assert errors == [
        {
            "field": ["salesforceOrgIds"],
            "message": "Salesforce org not found",
            "code": "NOT_FOUND",
        }
    ]


async def test_calendar_with_an_unknown_time_zone_is_invalid(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)
    calendar = {**NINE_TO_FIVE, "timeZone": "Europe/Atlantis"}

    errors = await _refused_create(client, session, _minimal_input(team, businessCalendar=calendar))

    assert errors == [
        {
            "field": ["businessCalendar", "timeZone"],
            "message": "unknown time zone 'Europe/Atlantis'",
            "code": "INVALID",
        }
    ]


async def test_calendar_hours_that_start_after_they_end_are_invalid(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)
    calendar = {
        "timeZone": "Europe/Paris",
        "weeklyHours": [
            {"day": "MONDAY", "start": "09:00", "end": "17:00"},
            {"day": "TUESDAY", "start": "17:00", "end": "09:00"},
        ],
    }

    errors = await _refused_create(client, session, _minimal_input(team, businessCalendar=calendar))

    assert errors == [
        {
            "field": ["businessCalendar", "weeklyHours", "1"],
            "message": "TUESDAY hours must start before they end",
            "code": "INVALID",
        }
    ]


async def test_calendar_time_that_is_not_hh_mm_is_invalid(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)
    calendar = {
        "timeZone": "Europe/Paris",
        "weeklyHours": [{"day": "MONDAY", "start": "9h", "end": "17:00"}],
    }

    errors = await _refused_create(client, session, _minimal_input(team, businessCalendar=calendar))

    assert errors == [
        {
            "field": ["businessCalendar", "weeklyHours", "0", "start"],
            "message": "'9h' is not a time of day (HH:MM)",
            "code": "INVALID",
        }
    ]


async def test_calendar_time_with_an_offset_is_invalid(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)
    calendar = {
        "timeZone": "Europe/Paris",
        "weeklyHours": [{"day": "MONDAY", "start": "09:00", "end": "17:00+02:00"}],
    }

    errors = await _refused_create(client, session, _minimal_input(team, businessCalendar=calendar))

    assert errors == [
        {
            "field": ["businessCalendar", "weeklyHours", "0", "end"],
            "message": "'17:00+02:00' is not a time of day (HH:MM)",
            "code": "INVALID",
        }
    ]


async def test_negative_backup_seconds_are_invalid(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)

    errors = await _refused_create(
        client, session, _minimal_input(team, backupPolicy={"rpoSeconds": -60})
    )

    assert errors == [
        {
            "field": ["backupPolicy", "rpoSeconds"],
            "message": "backupPolicy.rpoSeconds must not be negative",
            "code": "INVALID",
        }
    ]


async def test_zero_review_interval_is_invalid(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)

    errors = await _refused_create(client, session, _minimal_input(team, reviewIntervalDays=0))

    assert errors == [
        {
            "field": ["reviewIntervalDays"],
            "message": "reviewIntervalDays must be positive",
            "code": "INVALID",
        }
    ]


async def test_link_that_is_not_http_is_invalid(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)

    errors = await _refused_create(
        client, session, _minimal_input(team, links={"runbook": "javascript:alert(1)"})
    )

    assert errors == [
        {
            "field": ["links", "runbook"],
            "message": "links.runbook must be an http(s) URL",
            "code": "INVALID",
        }
    ]


# --- updateService ---------------------------------------------------------------------------


async def _stored_service(session: AsyncSession, **overrides: Any) -> Service:
    team = await _team(session)
    values: dict[str, Any] = {
        "slug": "quote-to-cash",
        "name": "Quote to cash",
        "description": "Quotes and orders",
        "owner_team_id": team.id,
        "tier": Tier.TIER_2,
        "tags": ["sales"],
        "runbook_url": "https://wiki.example.test/q2c",
        "salesforce_key": "Q2C",
        "business_calendar": {
            "time_zone": "Europe/Paris",
            "weekly_hours": [{"day": "MONDAY", "start": "09:00", "end": "17:00"}],
            "holidays": [],
        },
        "backup_rpo_seconds": 3600,
        "backup_rto_seconds": 7200,
        **overrides,
    }
    return await create_service(session, **values)


async def test_partial_update_changes_only_the_given_fields(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await _stored_service(session)

    result = await data(
        client,
        UPDATE_SERVICE,
        {"input": {"id": global_id("Service", service.id), "version": 1, "tier": "TIER_1"}},
    )

    assert result["updateService"] == {
        "service": {
            "slug": "quote-to-cash",
            "name": "Quote to cash",
            "description": "Quotes and orders",
            "tier": "TIER_1",
            "lifecycle": "LIVE",
            "tags": ["sales"],
            "links": {"runbook": "https://wiki.example.test/q2c", "repo": None, "dashboard": None},
            "salesforceKey": "Q2C",
            "businessCalendar": {"timeZone": "Europe/Paris"},
            "backupPolicy": {"rpoSeconds": 3600, "rtoSeconds": 7200, "lastVerifiedRestoreAt": None},
            "version": 2,
            "salesforceOrgs": [],
        },
        "userErrors": [],
    }


async def test_each_update_increments_the_version(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await _stored_service(session)
    service_id = global_id("Service", service.id)

    await data(client, UPDATE_SERVICE, {"input": {"id": service_id, "version": 1, "name": "A"}})
    result = await data(
        client, UPDATE_SERVICE, {"input": {"id": service_id, "version": 2, "name": "B"}}
    )

    assert result["updateService"]["service"]["name"] == "B"
    assert result["updateService"]["service"]["version"] == 3
    assert (await _service_row(session, service))["version"] == 3


async def test_null_clears_nullable_fields(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await _stored_service(session)

    result = await data(
        client,
        UPDATE_SERVICE,
        {
            "input": {
                "id": global_id("Service", service.id),
                "version": 1,
                "description": None,
                "links": None,
                "businessCalendar": None,
                "backupPolicy": None,
            }
        },
    )

    updated = result["updateService"]["service"]
    assert result["updateService"]["userErrors"] == []
    assert updated["description"] == ""
    assert updated["links"] == {"runbook": None, "repo": None, "dashboard": None}
    assert updated["businessCalendar"] is None
    assert updated["backupPolicy"] == {
        "rpoSeconds": None,
        "rtoSeconds": None,
        "lastVerifiedRestoreAt": None,
    }
    assert updated["version"] == 2


async def test_null_salesforce_key_resets_it_to_the_slug(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await _stored_service(session)

    result = await data(
        client,
        UPDATE_SERVICE,
        {"input": {"id": global_id("Service", service.id), "version": 1, "salesforceKey": None}},
    )

    assert result["updateService"]["service"]["salesforceKey"] == "quote-to-cash"
    assert result["updateService"]["userErrors"] == []


async def test_null_salesforce_key_with_a_new_slug_resets_it_to_the_new_slug(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await _stored_service(session)

    result = await data(
        client,
        UPDATE_SERVICE,
        {
            "input": {
                "id": global_id("Service", service.id),
                "version": 1,
                "slug": "order-to-cash",
                "salesforceKey": None,
            }
        },
    )

    updated = result["updateService"]["service"]
    assert (updated["slug"], updated["salesforceKey"]) == ("order-to-cash", "order-to-cash")


async def test_changing_salesforce_orgs_bumps_the_version(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    first = await create_org(session, name="First")
    second = await create_org(session, name="Second")
    service = await _stored_service(session, orgs=[first])

    result = await data(
        client,
        UPDATE_SERVICE,
        {
            "input": {
                "id": global_id("Service", service.id),
                "version": 1,
                "salesforceOrgIds": [
                    global_id("SalesforceOrg", second.id),
                    global_id("SalesforceOrg", first.id),
                ],
            }
        },
    )

    updated = result["updateService"]["service"]
    assert updated["salesforceOrgs"] == [{"name": "Second"}, {"name": "First"}]
    assert updated["version"] == 2
    assert await salesforce_org_ids(session, service.id) == [second.id, first.id]


async def test_stale_version_is_refused_with_conflict(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await _stored_service(session)
    service_id = global_id("Service", service.id)
    await data(client, UPDATE_SERVICE, {"input": {"id": service_id, "version": 1, "name": "New"}})
    await session.refresh(service)

    errors = await _refused_update(client, session, service, {"version": 1, "name": "Late"})

    assert errors == [
        {
            "field": ["version"],
            "message": "the record changed since you read it (version 1, now 2); "
            "reload and try again",
            "code": "CONFLICT",
        }
    ]


async def test_update_to_a_taken_slug_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await _stored_service(session)
    await create_service(session, slug="order-to-cash")

    errors = await _refused_update(client, session, service, {"slug": "order-to-cash"})

    assert errors == [
        {
            "field": ["slug"],
            "message": "a service with slug 'order-to-cash' already exists",
            "code": "DUPLICATE",
        }
    ]


async def test_update_with_null_name_is_required(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await _stored_service(session)

    errors = await _refused_update(client, session, service, {"name": None})

    assert errors == [{"field": ["name"], "message": "name cannot be null", "code": "REQUIRED"}]


async def test_update_with_an_unknown_id_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await _stored_service(session)
    other = global_id("Service", service.owner_team_id)  # a well-formed id naming no service

    result = await data(client, UPDATE_SERVICE, {"input": {"id": other, "version": 1, "name": "X"}})

    assert result["updateService"] == {
        "service": None,
        "userErrors": [{"field": ["id"], "message": "service not found", "code": "NOT_FOUND"}],
    }


async def test_update_with_an_invalid_calendar_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await _stored_service(session)
    calendar = {
        "timeZone": "Europe/Paris",
        "weeklyHours": [
            {"day": "MONDAY", "start": "09:00", "end": "13:00"},
            {"day": "MONDAY", "start": "12:00", "end": "17:00"},
        ],
    }

    errors = await _refused_update(
        client, session, service, {"name": "Renamed", "businessCalendar": calendar}
    )

    assert errors == [
        {
            "field": ["businessCalendar", "weeklyHours", "1"],
            "message": "MONDAY hours overlap",
            "code": "INVALID",
        }
    ]
