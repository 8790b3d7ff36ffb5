"""A seasonal release the autopilot planned lists each org's dates, earliest upgrade first."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs.models import OrgKind
from catalog.trust.models import VendorMaintenance
from graphql_schema.node import global_id
from identity.models import TeamKind
from tests.builders.catalog import create_org, create_service
from tests.builders.identity import create_team
from tests.graphql_schema.desk import Desk
from work.releases.models import Release
from work.releases.seasonal_autopilot import plan_seasonal_releases

RELEASE = """
query($id: ID!) {
  node(id: $id) {
    ... on Release {
      name kind season seasonYear sandboxPreviewOn productionOn
      orgSchedule { org { name instanceKey } sandboxPreviewOn productionOn }
      readiness { ready service { slug } }
    }
  }
}
"""


async def _major(session: AsyncSession, key: str, day: date) -> None:
    start = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
    session.add(
        VendorMaintenance(
            trust_id=uuid.uuid4().int % 10**9,
            name="Spring '27 Major Release",
            instance_keys=[key],
            planned_start=start,
            planned_end=start + timedelta(hours=5),
            event_type="release",
            release_type="Major",
            synced_at=start,
        )
    )
    await session.flush()


async def test_a_planned_seasonal_release_lists_each_orgs_dates(
    desk: Desk, session: AsyncSession
) -> None:
    await create_team(session, kind=TeamKind.PLATFORM)
    crm = await create_org(session, name="Global CRM", instance_key="NA135")
    uat = await create_org(
        session, name="CRM UAT", instance_key="CS42", kind=OrgKind.SANDBOX, parent_id=crm.id
    )
    await create_service(session, orgs=[crm, uat], slug="sales-cloud")
    await _major(session, "CS42", date(2027, 1, 9))
    await _major(session, "NA135", date(2027, 2, 13))
    await plan_seasonal_releases(session, now=datetime(2026, 12, 6, tzinfo=UTC))
    release = await session.scalar(select(Release))
    assert release is not None
    agent = await desk.person(session, "support")

    body = await agent.data(RELEASE, {"id": global_id("Release", release.id)})

    assert body["node"] == {
        "name": "Spring '27",
        "kind": "SALESFORCE_SEASONAL",
        "season": "SPRING",
        "seasonYear": 2027,
        "sandboxPreviewOn": "2027-01-09",
        "productionOn": "2027-02-13",
        "orgSchedule": [
            {
                "org": {"name": "CRM UAT", "instanceKey": "CS42"},
                "sandboxPreviewOn": "2027-01-09",
                "productionOn": "2027-02-13",
            },
            {
                "org": {"name": "Global CRM", "instanceKey": "NA135"},
                "sandboxPreviewOn": "2027-01-09",
                "productionOn": "2027-02-13",
            },
        ],
        "readiness": [{"ready": False, "service": {"slug": "sales-cloud"}}],
    }
