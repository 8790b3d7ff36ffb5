"""People in typed roles on a service, with effective dates; product owners are current ones."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import OwnershipRole, OwnershipRoleKind, Service
from core.clock import utcnow
from graphql_schema.node import global_id
from identity.models import Person
from tests.builders.catalog import create_ownership_role, create_service
from tests.builders.identity import create_person
from tests.graphql import data

CREATE_ROLE = """
mutation CreateRole($input: CreateOwnershipRoleInput!) {
  createOwnershipRole(input: $input) {
    ownershipRole {
      role
      effectiveFrom
      effectiveTo
      current
      version
      person { displayName }
      service { slug }
    }
    userErrors { field message code }
  }
}
"""
UPDATE_ROLE = """
mutation UpdateRole($input: UpdateOwnershipRoleInput!) {
  updateOwnershipRole(input: $input) {
    ownershipRole { role effectiveFrom effectiveTo current version }
    userErrors { field message code }
  }
}
"""
OWNERS = """
query Owners($slug: String!) {
  service(slug: $slug) {
    productOwners { displayName }
    ownershipRoles { role current person { displayName } }
  }
}
"""


def _today() -> date:
    return utcnow().date()


async def _service_and_person(session: AsyncSession) -> tuple[Service, Person]:
    service = await create_service(session, slug="quote-to-cash")
    person = await create_person(session, display_name="Ada Lovelace")
    return service, person


def _role_input(service: Service, person: Person, **overrides: Any) -> dict[str, Any]:
    return {
        "serviceId": global_id("Service", service.id),
        "personId": global_id("Person", person.id),
        "role": "PRODUCT_OWNER",
        **overrides,
    }


async def _role_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(OwnershipRole)) or 0)


async def _role_row(session: AsyncSession, role: OwnershipRole) -> dict[str, Any]:
    table = OwnershipRole.__table__
    row = (await session.execute(select(table).where(table.c.id == role.id))).one()
    return dict(row._mapping)


async def test_role_starts_today_by_default(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service, person = await _service_and_person(session)

    result = await data(client, CREATE_ROLE, {"input": _role_input(service, person)})

    assert result["createOwnershipRole"] == {
        "ownershipRole": {
            "role": "PRODUCT_OWNER",
            "effectiveFrom": _today().isoformat(),
            "effectiveTo": None,
            "current": True,
            "version": 1,
            "person": {"displayName": "Ada Lovelace"},
            "service": {"slug": "quote-to-cash"},
        },
        "userErrors": [],
    }


async def test_role_that_starts_next_month_is_not_current(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service, person = await _service_and_person(session)
    start = _today() + timedelta(days=30)

    result = await data(
        client,
        CREATE_ROLE,
        {"input": _role_input(service, person, role="SUPPORT_OWNER", effectiveFrom=str(start))},
    )

    role = result["createOwnershipRole"]["ownershipRole"]
    assert (role["role"], role["effectiveFrom"], role["current"]) == (
        "SUPPORT_OWNER",
        start.isoformat(),
        False,
    )


async def test_role_that_ends_before_it_starts_is_invalid(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service, person = await _service_and_person(session)

    result = await data(
        client,
        CREATE_ROLE,
        {
            "input": _role_input(
                service, person, effectiveFrom="2026-03-01", effectiveTo="2026-02-28"
            )
        },
    )

    assert result["createOwnershipRole"] == {
        "ownershipRole": None,
        "userErrors": [
            {
                "field": ["effectiveTo"],
                "message": "effectiveTo must not be before effectiveFrom",
                "code": "INVALID",
            }
        ],
    }
    assert await _role_count(session) == 0


async def test_role_that_starts_today_by_default_and_ended_yesterday_is_invalid(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service, person = await _service_and_person(session)
    yesterday = _today() - timedelta(days=1)

    result = await data(
        client, CREATE_ROLE, {"input": _role_input(service, person, effectiveTo=str(yesterday))}
    )

    assert result["createOwnershipRole"] == {
        "ownershipRole": None,
        "userErrors": [
            {
                "field": ["effectiveTo"],
                "message": "effectiveTo must not be before effectiveFrom",
                "code": "INVALID",
            }
        ],
    }
    assert await _role_count(session) == 0


async def test_role_for_an_unknown_person_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service, _ = await _service_and_person(session)

    result = await data(
        client,
        CREATE_ROLE,
        {"input": {**_role_input(service, _), "personId": global_id("Person", service.id)}},
    )

    assert result["createOwnershipRole"] == {
        "ownershipRole": None,
        "userErrors": [{"field": ["personId"], "message": "person not found", "code": "NOT_FOUND"}],
    }
    assert await _role_count(session) == 0


async def test_role_on_an_unknown_service_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, person = await _service_and_person(session)

    result = await data(
        client,
        CREATE_ROLE,
        {"input": {**_role_input(_, person), "serviceId": global_id("Service", person.id)}},
    )

    assert result["createOwnershipRole"] == {
        "ownershipRole": None,
        "userErrors": [
            {"field": ["serviceId"], "message": "service not found", "code": "NOT_FOUND"}
        ],
    }


async def test_same_person_in_the_same_role_twice_at_once_is_a_duplicate(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service, person = await _service_and_person(session)
    await create_ownership_role(
        session,
        service_id=service.id,
        person_id=person.id,
        effective_from=date(2026, 1, 1),
        effective_to=date(2026, 6, 30),
    )

    result = await data(
        client,
        CREATE_ROLE,
        {"input": _role_input(service, person, effectiveFrom="2026-06-01")},
    )

    assert result["createOwnershipRole"] == {
        "ownershipRole": None,
        "userErrors": [
            {
                "field": ["role"],
                "message": "the person already holds PRODUCT_OWNER on this service at those dates",
                "code": "DUPLICATE",
            }
        ],
    }
    assert await _role_count(session) == 1


async def test_same_person_may_hold_the_same_role_again_after_it_ended(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service, person = await _service_and_person(session)
    await create_ownership_role(
        session,
        service_id=service.id,
        person_id=person.id,
        effective_from=date(2025, 1, 1),
        effective_to=date(2025, 12, 31),
    )

    result = await data(
        client,
        CREATE_ROLE,
        {"input": _role_input(service, person, effectiveFrom="2026-01-01")},
    )

    assert result["createOwnershipRole"]["userErrors"] == []
    assert await _role_count(session) == 2


async def test_change_the_kind_of_a_role(client: httpx.AsyncClient, session: AsyncSession) -> None:
    service, person = await _service_and_person(session)
    role = await create_ownership_role(
        session, service_id=service.id, person_id=person.id, effective_from=date(2026, 1, 1)
    )

    result = await data(
        client,
        UPDATE_ROLE,
        {
            "input": {
                "id": global_id("OwnershipRole", role.id),
                "version": 1,
                "role": "PLATFORM_OWNER",
            }
        },
    )

    assert result["updateOwnershipRole"] == {
        "ownershipRole": {
            "role": "PLATFORM_OWNER",
            "effectiveFrom": "2026-01-01",
            "effectiveTo": None,
            "current": date(2026, 1, 1) <= _today(),
            "version": 2,
        },
        "userErrors": [],
    }


async def test_ending_a_role_takes_its_holder_off_the_product_owners(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service, person = await _service_and_person(session)
    start = _today() - timedelta(days=100)
    role = await create_ownership_role(
        session, service_id=service.id, person_id=person.id, effective_from=start
    )
    yesterday = _today() - timedelta(days=1)

    ended = await data(
        client,
        UPDATE_ROLE,
        {
            "input": {
                "id": global_id("OwnershipRole", role.id),
                "version": 1,
                "effectiveTo": str(yesterday),
            }
        },
    )
    owners = await data(client, OWNERS, {"slug": "quote-to-cash"})

    assert ended["updateOwnershipRole"] == {
        "ownershipRole": {
            "role": "PRODUCT_OWNER",
            "effectiveFrom": start.isoformat(),
            "effectiveTo": yesterday.isoformat(),
            "current": False,
            "version": 2,
        },
        "userErrors": [],
    }
    assert owners["service"] == {
        "productOwners": [],
        "ownershipRoles": [
            {"role": "PRODUCT_OWNER", "current": False, "person": {"displayName": "Ada Lovelace"}}
        ],
    }


async def test_ending_a_role_before_it_started_is_invalid(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service, person = await _service_and_person(session)
    role = await create_ownership_role(
        session, service_id=service.id, person_id=person.id, effective_from=date(2026, 3, 1)
    )
    before = await _role_row(session, role)

    result = await data(
        client,
        UPDATE_ROLE,
        {
            "input": {
                "id": global_id("OwnershipRole", role.id),
                "version": 1,
                "effectiveTo": "2026-02-01",
            }
        },
    )

    assert result["updateOwnershipRole"] == {
        "ownershipRole": None,
        "userErrors": [
            {
                "field": ["effectiveTo"],
                "message": "effectiveTo must not be before effectiveFrom",
                "code": "INVALID",
            }
        ],
    }
    assert await _role_row(session, role) == before


async def test_update_role_with_a_stale_version_is_a_conflict(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service, person = await _service_and_person(session)
    role = await create_ownership_role(session, service_id=service.id, person_id=person.id)
    role_id = global_id("OwnershipRole", role.id)
    await data(
        client, UPDATE_ROLE, {"input": {"id": role_id, "version": 1, "role": "SUPPORT_OWNER"}}
    )
    before = await _role_row(session, role)

    result = await data(
        client, UPDATE_ROLE, {"input": {"id": role_id, "version": 1, "role": "PLATFORM_OWNER"}}
    )

    assert result["updateOwnershipRole"] == {
        "ownershipRole": None,
        "userErrors": [
            {
                "field": ["version"],
                "message": "the record changed since you read it (version 1, now 2); "
                "reload and try again",
                "code": "CONFLICT",
            }
        ],
    }
    assert await _role_row(session, role) == before


async def test_update_role_with_a_null_kind_is_required(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service, person = await _service_and_person(session)
    role = await create_ownership_role(session, service_id=service.id, person_id=person.id)

    result = await data(
        client,
        UPDATE_ROLE,
        {"input": {"id": global_id("OwnershipRole", role.id), "version": 1, "role": None}},
    )

    assert result["updateOwnershipRole"] == {
        "ownershipRole": None,
        "userErrors": [{"field": ["role"], "message": "role cannot be null", "code": "REQUIRED"}],
    }


async def test_moving_a_role_onto_the_same_holders_other_period_is_a_duplicate(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service, person = await _service_and_person(session)
    await create_ownership_role(
        session,
        service_id=service.id,
        person_id=person.id,
        role=OwnershipRoleKind.SUPPORT_OWNER,
        effective_from=date(2026, 1, 1),
    )
    role = await create_ownership_role(
        session, service_id=service.id, person_id=person.id, effective_from=date(2026, 1, 1)
    )
    before = await _role_row(session, role)

    result = await data(
        client,
        UPDATE_ROLE,
        {
            "input": {
                "id": global_id("OwnershipRole", role.id),
                "version": 1,
                "role": "SUPPORT_OWNER",
            }
        },
    )

    assert result["updateOwnershipRole"] == {
        "ownershipRole": None,
        "userErrors": [
            {
                "field": ["role"],
                "message": "the person already holds SUPPORT_OWNER on this service at those dates",
                "code": "DUPLICATE",
            }
        ],
    }
    assert await _role_row(session, role) == before


async def test_product_owners_are_the_current_product_owner_role_holders(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, slug="quote-to-cash")
    today = _today()
    holders = {
        "Current PO": (OwnershipRoleKind.PRODUCT_OWNER, today - timedelta(days=10), None),
        "Second PO": (OwnershipRoleKind.PRODUCT_OWNER, today, today),
        "Former PO": (
            OwnershipRoleKind.PRODUCT_OWNER,
            today - timedelta(days=100),
            today - timedelta(days=1),
        ),
        "Future PO": (OwnershipRoleKind.PRODUCT_OWNER, today + timedelta(days=1), None),
        "Platform owner": (OwnershipRoleKind.PLATFORM_OWNER, today - timedelta(days=10), None),
    }
    for name, (kind, start, end) in holders.items():
        person = await create_person(session, display_name=name)
        await create_ownership_role(
            session,
            service_id=service.id,
            person_id=person.id,
            role=kind,
            effective_from=start,
            effective_to=end,
        )

    result = await data(client, OWNERS, {"slug": "quote-to-cash"})

    owners = sorted(owner["displayName"] for owner in result["service"]["productOwners"])
    assert owners == ["Current PO", "Second PO"]
    roles = {
        role["person"]["displayName"]: (role["role"], role["current"])
        for role in result["service"]["ownershipRoles"]
    }
    assert roles == {
        "Current PO": ("PRODUCT_OWNER", True),
        "Second PO": ("PRODUCT_OWNER", True),
        "Former PO": ("PRODUCT_OWNER", False),
        "Future PO": ("PRODUCT_OWNER", False),
        "Platform owner": ("PLATFORM_OWNER", True),
    }
