"""In dev with no org configured, the demo serves live enrichment from the fake."""

from __future__ import annotations

from pathlib import Path

from core.settings import load_settings
from salesforce.gateway import SalesforceGateway
from server.demo.organisation import ORGS
from server.demo.salesforce import start_demo_salesforce
from server.demo.services import SERVICES


async def test_the_demo_orgs_answer_through_the_jwt_bearer_flow(tmp_path: Path) -> None:
    settings = load_settings(_env_file=None, data_dir=tmp_path)
    demo = start_demo_salesforce(settings)
    assert demo is not None
    gateway = SalesforceGateway.from_settings(demo.settings)
    try:
        slugs = [service.slug for service in SERVICES if "crm-prod" in service.orgs]
        cases = await gateway.open_cases(
            "crm-prod", [*slugs, "nothing"], deadline=gateway.deadline()
        )
        adoption = await gateway.adoption("crm-prod", deadline=gateway.deadline())
    finally:
        await gateway.close()
        demo.fake.stop()

    assert set(demo.settings.salesforce_orgs) == {org.key for org in ORGS}
    assert gateway.support_org == "crm-prod"
    assert cases["nothing"] == []
    assert sum(len(found) for found in cases.values()) > 0
    assert adoption.licensed_users >= 60
    assert adoption.active_users > 0


def test_configured_orgs_get_no_demo(tmp_path: Path) -> None:
    dev = load_settings(_env_file=None, data_dir=tmp_path)
    configured = dev.model_copy(update={"salesforce_orgs": {"x": object()}})

    assert start_demo_salesforce(configured) is None
