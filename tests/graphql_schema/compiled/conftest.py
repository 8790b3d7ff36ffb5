"""A small catalog holding every stored kind of value the compiled path formats."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs.models import OrgKind
from catalog.services.calendar import BusinessCalendar, Weekday, WeeklyHours
from catalog.services.models import OwnershipRoleKind, Tier
from tests.builders.catalog import create_org, create_ownership_role, create_service
from tests.builders.identity import create_business_unit, create_person, create_team


@pytest.fixture
async def catalog(session: AsyncSession) -> None:
    """Three services with every stored kind of value, one of each shape of relation."""
    unit = await create_business_unit(session, name="Sales Cloud")
    team = await create_team(session, name="Ärzte & Co", business_unit_id=unit.id)
    production = await create_org(session, name="Production")
    sandbox = await create_org(
        session, name="UAT", kind=OrgKind.SANDBOX, parent_id=production.id, backup_provider="Own"
    )
    calendar = BusinessCalendar(
        "Europe/Zurich",
        (WeeklyHours(Weekday.MONDAY, time(8), time(17, 30)),),
        (date(2026, 12, 25), date(2026, 12, 26)),
    )
    checkout = await create_service(
        session,
        slug="checkout",
        name="Zürich Checkout",
        owner_team_id=team.id,
        tier=Tier.TIER_1,
        tags=["payments", "emea"],
        runbook_url="https://runbooks.example/checkout",
        business_calendar=calendar.to_json(),
        backup_rpo_seconds=900,
        backup_last_verified_restore_at=datetime(2026, 11, 1, 8, 30, 0, 120000, tzinfo=UTC),
        last_reviewed_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        description='Line one\nand "quotes"',
        orgs=[sandbox, production],
    )
    await create_service(session, slug="billing", name="Billing", owner_team_id=team.id)
    await create_service(session, slug="archive-me", name="Alpha", tier=Tier.TIER_3)
    owner = await create_person(session, display_name="Ada")
    await create_ownership_role(session, service_id=checkout.id, person_id=owner.id)
    await create_ownership_role(
        session,
        service_id=checkout.id,
        person_id=owner.id,
        role=OwnershipRoleKind.SUPPORT_OWNER,
        effective_from=date(2020, 1, 1),
        effective_to=date(2021, 1, 1),
    )
    await session.flush()
