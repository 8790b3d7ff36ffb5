"""`viewer`: the caller's person and teams, with the relations the query selects below them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from identity.models import MembershipRole
from tests.builders.identity import create_business_unit, create_team
from tests.graphql_schema.desk import Desk

# Found by fuzzing (tests/fuzz/): the person and teams were loaded without their relations.
VIEWER = """
{
  viewer {
    person { displayName memberships { role team { slug } } }
    teams { slug businessUnit { name } memberships { role person { displayName } } }
  }
}
"""


async def test_the_viewer_reads_its_memberships_and_its_teams_relations(
    desk: Desk, session: AsyncSession
) -> None:
    unit = await create_business_unit(session, name="Sales & Service")
    team = await create_team(session, slug="crm-core", business_unit_id=unit.id)
    caller = await desk.person(session, teams=[team.id], role=MembershipRole.PRODUCT_OWNER)
    assert caller.person is not None

    viewer = (await caller.data(VIEWER))["viewer"]

    name = caller.person.display_name
    assert viewer == {
        "person": {
            "displayName": name,
            "memberships": [{"role": "PRODUCT_OWNER", "team": {"slug": "crm-core"}}],
        },
        "teams": [
            {
                "slug": "crm-core",
                "businessUnit": {"name": "Sales & Service"},
                "memberships": [{"role": "PRODUCT_OWNER", "person": {"displayName": name}}],
            }
        ],
    }
