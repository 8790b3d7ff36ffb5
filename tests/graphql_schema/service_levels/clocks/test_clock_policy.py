"""Clock policies: targets default by tier, the owner team overrides them, history is kept."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Tier
from graphql_schema.node import global_id
from tests.builders.catalog import create_service
from tests.conftest import StatementCounter
from tests.graphql import data

POLICY = """
query Policy($slug: String!) {
  service(slug: $slug) {
    clockPolicy {
      version
      targets { subject responseSeconds resolutionSeconds isDefault }
      history(first: 5) { edges { node { version action } } }
    }
  }
}
"""
UPDATE = """
mutation Update($input: UpdateClockPolicyInput!) {
  updateClockPolicy(input: $input) {
    clockPolicy { version targets { subject responseSeconds resolutionSeconds isDefault } }
    userErrors { field message code }
  }
}
"""
SERVICES = """
query Services($first: Int!) {
  services(first: $first) {
    edges { node { slug clockPolicy { version targets { subject responseSeconds } } } }
  }
}
"""


def _target(
    subject: str, response: int, resolution: int, *, default: bool = True
) -> dict[str, object]:
    return {
        "subject": subject,
        "responseSeconds": response,
        "resolutionSeconds": resolution,
        "isDefault": default,
    }


async def test_a_tier_1_service_without_a_policy_has_the_spec_defaults(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_service(session, slug="billing", tier=Tier.TIER_1)

    result = await data(client, POLICY, {"slug": "billing"})

    policy = result["service"]["clockPolicy"]
    assert policy["version"] == 0
    assert policy["history"]["edges"] == []
    targets = {target["subject"]: target for target in policy["targets"]}
    assert targets["P1"] == _target("P1", 30 * 60, 4 * 3600)
    assert targets["SEV1"] == _target("SEV1", 15 * 60, 4 * 3600)
    assert len(targets) == 8


async def test_the_owner_team_overrides_a_target_and_resets_it_with_history(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, slug="billing", tier=Tier.TIER_1)
    service_id = global_id("Service", service.id)

    first = await data(
        client,
        UPDATE,
        {
            "input": {
                "serviceId": service_id,
                "version": 0,
                "targets": [{"subject": "P2", "responseSeconds": 1800}],
            }
        },
    )
    payload = first["updateClockPolicy"]
    assert payload["userErrors"] == []
    assert payload["clockPolicy"]["version"] == 1
    changed = {target["subject"]: target for target in payload["clockPolicy"]["targets"]}
    assert changed["P2"] == _target("P2", 1800, 8 * 3600, default=False)
    assert changed["P1"]["isDefault"] is True

    reset = await data(
        client,
        UPDATE,
        {"input": {"serviceId": service_id, "version": 1, "targets": [{"subject": "P2"}]}},
    )
    assert reset["updateClockPolicy"]["clockPolicy"]["version"] == 2
    result = await data(client, POLICY, {"slug": "billing"})
    policy = result["service"]["clockPolicy"]
    assert all(target["isDefault"] for target in policy["targets"])
    assert [edge["node"] for edge in policy["history"]["edges"]] == [
        {"version": 2, "action": "UPDATE"},
        {"version": 1, "action": "CREATE"},
    ]


async def test_a_stale_version_and_a_bad_target_are_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, slug="billing")
    service_id = global_id("Service", service.id)

    stale = await data(
        client,
        UPDATE,
        {"input": {"serviceId": service_id, "version": 3, "targets": []}},
    )
    bad = await data(
        client,
        UPDATE,
        {
            "input": {
                "serviceId": service_id,
                "targets": [{"subject": "SEV1", "responseSeconds": 0}],
            }
        },
    )

    assert stale["updateClockPolicy"]["userErrors"][0]["code"] == "CONFLICT"
    assert bad["updateClockPolicy"] == {
        "clockPolicy": None,
        "userErrors": [
            {
                "field": ["targets", "0", "responseSeconds"],
                "message": "responseSeconds must be between 1 and 31622400",
                "code": "INVALID",
            }
        ],
    }


async def test_clock_policies_of_a_list_of_services_cost_a_constant_number_of_statements(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    for index in range(12):
        await create_service(session, slug=f"service-{index}")
    await data(client, "{ viewer { roles } }")

    count_statements.reset()
    small = await data(client, SERVICES, {"first": 2})
    at_two = count_statements.count
    count_statements.reset()
    large = await data(client, SERVICES, {"first": 12})
    at_twelve = count_statements.count

    assert len(small["services"]["edges"]) == 2
    assert len(large["services"]["edges"]) == 12
    assert at_two == at_twelve, (at_two, at_twelve)
